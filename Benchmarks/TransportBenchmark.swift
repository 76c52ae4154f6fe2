import Foundation
import Lasso
import LassoTransport

/// `lasso-bench transport [--duration 10s] [--connections 64]`: a JSON-RPC echo server on the
/// transport layer against nginx, under the same `wrk` load on this machine, in the same run.
///
/// The echo handler does what the proxy's hot path does at minimum: find the request's `id`
/// with a byte scan (no JSON decoding) and answer on the loop thread without a hop.
///
/// nginx runs at `worker_processes 1` (like for like with one loop thread) and at `auto`
/// (Debian's default, one per core); the better of the two is the anchor. nginx-light cannot
/// echo an id, so it serves a fixed body; the node-like benchmark upstream (`lasso-bench
/// upstream`, raw epoll, one thread, reads the body and echoes the id) is shown beside it as
/// what an echo server with no framework costs here.
enum TransportBenchmark {
    static func run(_ arguments: BenchArguments) async throws {
        let connections = try arguments.int("connections", default: 64)
        let harness = try LoadHarness(duration: arguments.duration)
        defer { harness.cleanUp() }
        var results: [LoadHarness.Result] = []
        results.append(try await runLasso(harness, connections: connections))
        var nginx: [LoadHarness.Result] = []
        for workers in ["1", "auto"] {
            let port = try harness.freePort()
            let server = try harness.fixedBodyNginx(workers: workers, port: port)
            defer { harness.stop(server) }
            let name = "nginx, worker_processes \(workers), fixed body"
            nginx.append(try await LoadHarness.offThePool {
                try harness.wrk(name: name, port: port, path: "/rpc", connections: connections,
                                observing: [.processTree(server.processIdentifier)])
            })
        }
        results += nginx
        let upstream = try harness.nodeUpstream(threads: 1)
        defer { harness.stop(upstream.process) }
        results.append(try await LoadHarness.offThePool {
            try harness.wrk(name: "reference: lasso-bench upstream (raw epoll, 1 thread, echoes the id)", port: upstream.port,
                            path: "/rpc", connections: connections, observing: [.processTree(upstream.process.processIdentifier)])
        })

        let anchor = nginx.max { $0.requestsPerSecond < $1.requestsPerSecond }
        let anchorRate = max(1, anchor?.requestsPerSecond ?? 1)
        print("")
        print("wrk -t1 -c\(connections) -d\(harness.duration) --latency, POST eth_blockNumber, loopback")
        print("| server | requests/s | p50 | p99 | server CPU | vs better nginx |")
        print("|---|---|---|---|---|---|")
        for result in results {
            let errors = result.errors > 0 ? " (\(result.errors) errors)" : ""
            print("| \(result.name) | \(String(format: "%.0f", result.requestsPerSecond))\(errors) | \(result.p50) | \(result.p99) "
                  + "| \(String(format: "%.0f %%", result.cpuPercent.first ?? 0)) "
                  + "| \(String(format: "%.2f", result.requestsPerSecond / anchorRate))× |")
        }
        print("anchor: \(anchor?.name ?? "no nginx row") (the better nginx of this run); CPU in % of one core")
        let ratio = results[0].requestsPerSecond / anchorRate
        print("target: lassod transport ≥ 0.70× the better nginx: \(String(format: "%.2f", ratio))× "
              + (ratio >= 0.70 ? "(met)" : "(MISSED)"))
    }

    private static func runLasso(_ harness: LoadHarness, connections: Int) async throws -> LoadHarness.Result {
        let loop = try EventLoop()
        defer { loop.stop() }
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in
            let id = request.body.withUnsafeBytes { bytes in
                JSONRPCIDScanner.topLevelID(in: bytes).map { Array(request.body[$0]) }
            } ?? Array("null".utf8)
            responder.respond(.json(Array(#"{"jsonrpc":"2.0","id":"#.utf8) + id + Array(#","result":"0x1"}"#.utf8)))
        }
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        let server = try HTTPServer(loop: loop, configuration: configuration, router: router)
        defer { server.stop() }
        let port = server.port
        return try await LoadHarness.offThePool {
            try harness.wrk(name: "lassod transport (1 loop thread)", port: port, path: "/rpc", connections: connections,
                            observing: [.thisProcess])
        }
    }
}
