import Foundation
import Testing
@testable import Lasso
import LassoTransport
import Supervision
import TestSupport

/// `reload` through the `ConfigStore` process, against config files written by the test.
@Suite(.serialized) struct TreeControlReloadTests {
    static let chainsPath = "Application/ChainsSupervisor"

    @Test func addedRemovedAndChangedChainsTakeEffectAndTheOthersAreUntouched() async throws {
        let stack = try await TreeControlStack()
        let ethereum = try #require(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(ethereum)"))
        let base = try #require(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(base)"))
        let store = try #require(await stack.pid(at: "Application/ConfigStore"))

        // base gains beta as a second provider; polygon goes; optimism comes.
        let changedBase = stack.base + "      - {id: beta, url: \"\(stack.beta.url)\"}\n"
        try stack.writeConfig(TreeControlStack.config(stack.ethereum, changedBase, stack.optimism))
        let diff = try await stack.control.reload()
        #expect(diff.added == ["optimism"] && diff.removed == ["polygon"] && diff.changed == ["base"]
                && diff.unchanged == ["ethereum"])

        let tree = await stack.tree()
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(ethereum)") == ethereum, "unchanged: not restarted")
        let newBase = try #require(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(base)"]))
        #expect(newBase.pid != base)
        #expect(newBase.node(at: ["ProviderSupervisor(beta)"]) != nil, "restarted from its new config")
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(polygon)"]) == nil)
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(optimism)"]) != nil)
        #expect(tree.node(at: ["ConfigStore"])?.pid == store)

        #expect(await stack.control.chains().map(\.chain) == ["ethereum", "base", "optimism"])
        #expect(try await stack.chainID("optimism") == TreeControlStack.expectedChainID(10))
        #expect(await stack.answerOrError("polygon").contains("HTTP 404"), "a removed chain is unknown")
        #expect(try await stack.control.status(chain: "base").providers.map(\.id) == ["gamma", "beta"])
        await #expect(throws: AdminError.unknownChain("polygon")) { try await stack.control.startChain("polygon") }

        // The same file again changes nothing.
        let again = try await stack.control.reload()
        #expect(again.isEmpty && again.unchanged == ["ethereum", "base", "optimism"])
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(base)") == newBase.pid)
        await stack.shutdown()
    }

    @Test func aChangedChainThatWasStoppedStaysStoppedAndStartsWithItsNewConfig() async throws {
        let stack = try await TreeControlStack()
        try await stack.control.stopChain("base")
        let changedBase = stack.base + "      - {id: beta, url: \"\(stack.beta.url)\"}\n"
        try stack.writeConfig(TreeControlStack.config(stack.ethereum, changedBase, stack.polygon))
        #expect(try await stack.control.reload().changed == ["base"])
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(base)") == nil)
        try await stack.control.startChain("base")
        #expect(await stack.tree().node(at: ["ChainsSupervisor", "ChainSupervisor(base)", "ProviderSupervisor(beta)"]) != nil)
        await stack.shutdown()
    }

    @Test func aChangedBreakerPolicyReachesTheRestartedChains() async throws {
        let stack = try await TreeControlStack()
        try stack.writeConfig("circuit_breaker: {failure_threshold: 1}\n"
                              + TreeControlStack.config(stack.ethereum, stack.base, stack.polygon))
        let diff = try await stack.control.reload()
        #expect(diff.changed == ["ethereum", "base", "polygon"])
        // One failure now opens alpha's breaker (the default needs five).
        stack.alpha.provider.behavior = .erroring(.httpServerError)
        #expect(try await stack.chainID("ethereum") == TreeControlStack.expectedChainID(1))
        let breaker = try #require(stack.app.services.breakers.breaker(chain: "ethereum",
                                                                        channel: Channel(providerID: "alpha", transport: .http)))
        // The failure reaches the breaker through the batching recorder's loop, which may run
        // after the reply came: a call to the breaker is no barrier for it, so wait for the phase.
        #expect(await waitFor { (try? await breaker.call(.status))?.state.phase == .open })
        await stack.shutdown()
    }

    @Test func aBrokenFileChangesNothingAndSaysWhereItIsBroken() async throws {
        let stack = try await TreeControlStack()
        let before = await stack.tree()
        let config = stack.app.configs.config

        func refusal() async -> [String]? {
            do {
                _ = try await stack.control.reload()
                return nil
            } catch let AdminError.invalidConfig(problems) {
                return problems
            } catch {
                return ["unexpected \(error)"]
            }
        }

        try stack.writeConfig(TreeControlStack.config(stack.ethereum) + "  base: {chain_id: [8453\n")
        let syntax = try #require(await refusal())
        #expect(syntax.count == 1 && syntax[0].contains("(line "), "\(syntax)")

        // Two validation errors: both are reported, each with its key path and line.
        try stack.writeConfig(TreeControlStack.config(stack.ethereum, stack.optimism) + """
              base:
                chain_id: 8453
                providers:
                  - {id: gamma, url: "ftp://127.0.0.1/"}
                monitoring: {probe_interval_ms: 0}

            """)
        let validation = try #require(await refusal())
        #expect(validation.count == 2, "\(validation)")
        #expect(validation.contains { $0.hasPrefix("chains.base.providers[0].url:") && $0.hasSuffix("(line 15)") },
                "\(validation)")
        #expect(validation.contains { $0.hasPrefix("chains.base.monitoring.probe_interval_ms:") && $0.contains("(line 16)") },
                "\(validation)")

        try FileManager.default.removeItem(atPath: stack.configPath)
        let unreadable = try #require(await refusal())
        #expect(unreadable.count == 1 && unreadable[0].contains("cannot read"))

        #expect(stack.app.configs.config == config)
        let after = await stack.tree()
        #expect(TreeControlStack.shape(after) == TreeControlStack.shape(before))
        #expect(after.allNodes.map(\.pid) == before.allNodes.map(\.pid), "no process was stopped or started")
        await stack.shutdown()
    }

    @Test func startOnlySectionsAreNotAppliedAndSayRestartRequired() async throws {
        let stack = try await TreeControlStack()
        let endpoint = try #require(await stack.pid(at: "Application/Endpoint"))
        try stack.writeConfig("server: {port: 4999, max_body_bytes: 1024}\nobservability: {log_level: debug}\n"
                              + "subscriptions: {subscription_timeout_ms: 5000}\nbenchmarks: {snapshot_interval_ms: 1000}\n"
                              + TreeControlStack.config(stack.ethereum, stack.base, stack.polygon))
        let diff = try await stack.control.reload()
        #expect(diff.isEmpty)
        #expect(await stack.pid(at: "Application/Endpoint") == endpoint)
        #expect(try await stack.chainID("ethereum") == TreeControlStack.expectedChainID(1), "still on the first port")
        let warnings = stack.logs.lines.filter { $0.contains(#""event":"config.reload.restart_required""#) }
        #expect(warnings.count == 4)
        for section in ["server", "observability", "subscriptions", "benchmarks"] {
            #expect(warnings.contains { $0.contains(#""section":"\#(section)""#) }, "\(section)")
        }
        await stack.shutdown()
        #expect(!stack.logs.lines.joined().contains("SECRETKEY"))
    }

    @Test func theCommandLinesOverridesOutrankTheReloadedFile() async throws {
        // Started with the file's server section overridden (as `--port`/`--log-level` do), a
        // reload of the unchanged file must see the overrides again, not a changed server section.
        let stack = try await TreeControlStack()
        let running = stack.app.configs.config.server.port
        try stack.writeConfig("server: {port: \(running + 1)}\n"
                              + TreeControlStack.config(stack.ethereum, stack.base, stack.polygon))
        let control = TreeControl(application: stack.app, configPath: stack.configPath) { config in
            var config = config
            config.server.port = running
            return config
        }
        #expect(try await control.reload().isEmpty)
        #expect(stack.app.configs.config.server.port == running)
        #expect(!stack.logs.lines.contains { $0.contains(#""event":"config.reload.restart_required""#) })
        await stack.shutdown()
    }

    @Test func withoutAFileReloadIsRefusedAndNothingChanges() async throws {
        let stack = try await TreeControlStack()
        let ethereum = try #require(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(ethereum)"))
        let control = TreeControl(application: stack.app, configPath: nil)
        await #expect(throws: AdminError.self) { try await control.reload() }
        do {
            _ = try await control.reload()
        } catch {
            #expect("\(error)".contains("reload is not available here"))
        }
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(ethereum)") == ethereum)
        await stack.shutdown()
    }

    @Test func keysOfProvidersAReloadAddsAreRedactedInTheLogs() async throws {
        let stack = try await TreeControlStack()
        // An upstream that quotes its key bare in its errors (answered to the client as sent).
        let key = "NEWKEY987654"
        var router = HTTPRouter()
        router.add(.post, prefix: "/") { _, responder in
            responder.respond(.json(#"{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"invalid params for key \#(key)"}}"#))
        }
        let leaky = try HTTPServer(loop: stack.loop, configuration: .init(host: "127.0.0.1", port: 0), router: router)
        defer { leaky.stop() }
        let optimism = """
              optimism:
                chain_id: 10
                providers:
                  - {id: leaky, url: "http://127.0.0.1:\(leaky.port)/v3/\(key)"}

            """
        try stack.writeConfig(TreeControlStack.config(stack.ethereum, stack.base, stack.polygon, optimism))
        #expect(try await stack.control.reload().added == ["optimism"])
        let answer = await stack.answerOrError("optimism")
        #expect(answer.contains("invalid params for key"), "the upstream's error reached the client: \(answer)")
        try #require(await waitFor {
            stack.logs.lines.contains { $0.contains(#""event":"rpc.request.completed""#) && $0.contains(#""chain":"optimism""#) }
        })
        let logged = stack.logs.lines.filter { $0.contains(#""chain":"optimism""#) }
        #expect(logged.contains { $0.contains("invalid params for key [redacted]") }, "\(logged)")
        await stack.shutdown()
        #expect(!stack.logs.lines.joined().contains(key))
    }

    @Test func aChainThatFailedToStartIsRetriedByTheNextReload() async throws {
        let stack = try await TreeControlStack()
        // Something else holds optimism's place in the chain directory, so its start fails.
        let holder = try await DynamicSupervisor.start(name: "holder", runtime: stack.runtime)
        let optimismConfig = try LassoConfig.parse(yaml: TreeControlStack.config(stack.optimism), environment: [:])
        let optimismChain = try #require(optimismConfig.chains.first)
        try stack.app.services.directory.register(chain: "optimism", board: ChainStateBoard(chain: optimismChain),
                                                  process: holder.process)
        try stack.writeConfig(TreeControlStack.config(stack.ethereum, stack.base, stack.polygon, stack.optimism))
        do {
            _ = try await stack.control.reload()
            Issue.record("the reload reported no failure")
        } catch {
            #expect("\(error)".contains("chain optimism could not start"), "\(error)")
            #expect("\(error)".contains("the next reload retries"), "says what to do: \(error)")
        }
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(optimism)") == nil)

        await holder.stop()
        try #require(await waitFor { stack.app.services.directory.board(for: "optimism") == nil })
        // Same file, so the diff is empty: only the owed start makes optimism run now.
        let again = try await stack.control.reload()
        #expect(again.isEmpty)
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(optimism)") != nil)
        #expect(try await stack.chainID("optimism") == TreeControlStack.expectedChainID(10))
        await stack.shutdown()
    }

    @Test func stopChainAndRestartChainReachAChainThatRunsThoughNoLongerConfigured() async throws {
        let stack = try await TreeControlStack()
        // As a reload whose stops failed leaves it: polygon and base run, the config lacks them.
        var config = stack.app.configs.config
        config.chains.removeAll { $0.key == "polygon" || $0.key == "base" }
        stack.app.configs.replace(with: config)

        try await stack.control.stopChain("polygon")
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(polygon)") == nil)
        await #expect(throws: AdminError.unknownChain("polygon")) { try await stack.control.stopChain("polygon") }

        await #expect(throws: AdminError.failed("chain base is no longer configured: it was stopped, not started again")) {
            try await stack.control.restartChain("base")
        }
        #expect(await stack.pid(at: "\(Self.chainsPath)/ChainSupervisor(base)") == nil)
        await #expect(throws: AdminError.unknownChain("base")) { try await stack.control.startChain("base") }
        await stack.shutdown()
    }
}
