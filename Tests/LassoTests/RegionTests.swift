import Foundation
import Testing
@testable import Lasso
import TestSupport

/// `server.region` / `LASSO_REGION`: one node's region labels what it reports and keys what it
/// keeps.
@Suite(.serialized)
struct RegionTests {
    static let chains = "chains: {ethereum: {chain_id: 1, providers: [{id: a, url: \"http://127.0.0.1:1\"}]}}"

    @Test func theEnvironmentWinsOverTheFileAndABadNameIsAConfigError() throws {
        let file = try LassoConfig.parse(yaml: "server: {region: eu-west}\n" + Self.chains, environment: [:])
        #expect(file.server.region == "eu-west")
        let overridden = try LassoConfig.parse(yaml: "server: {region: eu-west}\n" + Self.chains,
                                               environment: [Region.environmentVariable: "us-east-1"])
        #expect(overridden.server.region == "us-east-1")
        let fromEnvironmentOnly = try LassoConfig.parse(yaml: Self.chains, environment: [Region.environmentVariable: "ap-south"])
        #expect(fromEnvironmentOnly.server.region == "ap-south")
        let none = try LassoConfig.parse(yaml: Self.chains, environment: [Region.environmentVariable: ""])
        #expect(none.server.region == nil)
        #expect(Region.name(none.server.region) == "local")
        do {
            _ = try LassoConfig.parse(yaml: Self.chains, environment: [Region.environmentVariable: "eu west"])
            Issue.record("a region with a space was accepted")
        } catch {
            #expect("\(error)".contains(Region.environmentVariable))
        }
        #expect(Region.problem(with: "..") != nil)
        #expect(Region.problem(with: String(repeating: "a", count: 65)) != nil)
        #expect(Region.problem(with: "eu-west-1.b_2") == nil)
    }

    @Test func aRegionLabelsLogLinesMetricsHealthStatusAndTheDashboard() async throws {
        let harness = try await LassoHarness(providers: [LassoHarness.Provider(id: "alpha")],
                                             settings: "server: {region: eu-west}")
        defer { Task { await harness.shutdown() } }
        let page = try #require(DashboardClient(port: harness.app.port))
        defer { page.close() }
        _ = try await harness.chainID()
        let logged = await waitFor {
            harness.logs.lines.contains { $0.contains(#""event":"rpc.request.completed","region":"eu-west""#) }
        }
        #expect(logged)
        let (_, metrics) = try await harness.get("/metrics")
        let samples = metrics.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.contains("{") }
        #expect(!samples.isEmpty)
        // The region is every series' first label, followed by the others or alone (a gauge of
        // the whole node: lasso_client_connections_limit).
        #expect(samples.allSatisfy {
            $0.hasPrefix("lasso_") && ($0.contains(#"{region="eu-west","#) || $0.contains(#"{region="eu-west"} "#))
        })
        #expect(samples.contains { $0.hasPrefix(#"lasso_client_connections_limit{region="eu-west"} "#) })
        let (_, health) = try await harness.get("/api/health")
        #expect(health.contains(#""region":"eu-west""#))
        let status = try await TreeControl(application: harness.app, configPath: nil).status(chain: "ethereum")
        #expect(status.region == "eu-west")
        #expect(AdminRenderer.status(status, color: false).hasPrefix("ethereum (chain id 1): running"))
        #expect(AdminRenderer.status(status, color: false).split(separator: "\n")[0].hasSuffix("region eu-west"))
        #expect(try await harness.status().region == "eu-west")
        let state = try await page.state { _ in true }
        #expect(state?["region"] as? String == "eu-west")
    }

    @Test func withoutARegionNothingIsLabelledAndHealthSaysLocal() async throws {
        let harness = try await LassoHarness(providers: [LassoHarness.Provider(id: "alpha")])
        defer { Task { await harness.shutdown() } }
        _ = try await harness.chainID()
        let (_, metrics) = try await harness.get("/metrics")
        #expect(metrics.contains(#"lasso_requests_total{chain="ethereum","#))
        #expect(!metrics.contains("region="))
        let (_, health) = try await harness.get("/api/health")
        #expect(health.contains(#""region":"local""#))
        let logged = await waitFor { harness.logs.lines.contains { $0.contains("rpc.request.completed") } }
        #expect(logged)
        #expect(!harness.logs.lines.contains { $0.contains(#""region""#) })
    }

    @Test func aBenchmarkSnapshotIsReadOnlyByANodeOfItsOwnRegion() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lassod-region-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("benchmarks.json").path
        let entry = BenchmarkSnapshot.Entry(provider: "a", method: "eth_call", transport: .http, successes: 3, failures: 0,
                                            meanMs: 12, figures: .init(ewmaMs: 11))
        try BenchmarkPersistence.write(BenchmarkSnapshot(chains: ["ethereum": [entry]], region: "eu-west"), to: path)
        #expect(try BenchmarkPersistence.load(path: path, region: "eu-west").get().chains["ethereum"] == [entry])
        #expect(BenchmarkPersistence.load(path: path, region: "us-east") == .failure(.otherRegion("eu-west")))
        #expect(BenchmarkPersistence.load(path: path, region: nil) == .failure(.otherRegion("eu-west")))
        // A snapshot from a node with no region is the prior of another such node only.
        try BenchmarkPersistence.write(BenchmarkSnapshot(chains: ["ethereum": [entry]]), to: path)
        #expect((try? BenchmarkPersistence.load(path: path, region: nil).get()) != nil)
        #expect(BenchmarkPersistence.load(path: path, region: "eu-west") == .failure(.otherRegion("local")))
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("region"))
    }
}
