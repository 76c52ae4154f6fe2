import Foundation
import Lasso
import LassoTransport

/// `lasso-bench transport`: a JSON-RPC echo server on the transport layer against nginx serving
/// a fixed body, both under the same `wrk` load on this machine, in the same run.
///
/// The echo handler does what the proxy's hot path does at minimum: find the request's `id`
/// with a byte scan (no JSON decoding) and answer on the loop thread without a hop.
enum TransportBenchmark {
    static let connections = 64

    static func run() async throws {
        let harness = try LoadHarness()
        defer { harness.cleanUp() }
        let lasso = try runLasso(harness)
        // One worker is the like-for-like comparison with one loop thread; "auto" (one per core,
        // Debian's default) is what the issue's reference numbers were taken with.
        var nginx: [LoadHarness.Result] = []
        for workers in ["1", "auto"] {
            let port = try harness.freePort()
            let server = try harness.fixedBodyNginx(workers: workers, port: port)
            defer { harness.stop(server) }
            nginx.append(try harness.wrk(name: "nginx (worker_processes \(workers), fixed body)", port: port, path: "/rpc",
                                         connections: connections))
        }
        print("")
        print("wrk -t1 -c\(connections) -d\(harness.duration) --latency, POST eth_blockNumber, loopback")
        print("| server | requests/s | p50 | p99 | lassod / this |")
        print("|---|---|---|---|---|")
        for result in [lasso] + nginx {
            let ratio = result.requestsPerSecond > 0 ? lasso.requestsPerSecond / result.requestsPerSecond : 0
            print("| \(result.name) | \(String(format: "%.0f", result.requestsPerSecond)) | \(result.p50) | \(result.p99) "
                  + "| \(String(format: "%.2f", ratio))× |")
        }
        print("target: lassod ≥ 0.70× nginx")
    }

    private static func runLasso(_ harness: LoadHarness) throws -> LoadHarness.Result {
        let loop = try EventLoop()
        defer { loop.stop() }
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in
            let id = jsonRPCID(request.body) ?? ArraySlice("null".utf8)
            responder.respond(.json(Array(#"{"jsonrpc":"2.0","id":"#.utf8) + id + Array(#","result":"0x1"}"#.utf8)))
        }
        let configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        let server = try HTTPServer(loop: loop, configuration: configuration, router: router)
        defer { server.stop() }
        return try harness.wrk(name: "lassod transport (1 thread)", port: server.port, path: "/rpc", connections: connections)
    }

    /// The raw bytes of the top-level `"id"` value of a small JSON-RPC request, found by
    /// scanning; nil when absent. Good enough for the echo: the proxy has its own scanner.
    static func jsonRPCID(_ body: [UInt8]) -> ArraySlice<UInt8>? {
        let key = Array(#""id""#.utf8)
        guard body.count > key.count else { return nil }
        var i = 0
        while i + key.count <= body.count {
            if body[i..<(i + key.count)].elementsEqual(key) {
                var j = i + key.count
                while j < body.count, body[j] == UInt8(ascii: " ") || body[j] == UInt8(ascii: ":") { j += 1 }
                var end = j
                while end < body.count, body[end] != UInt8(ascii: ","), body[end] != UInt8(ascii: "}") { end += 1 }
                return body[j..<end]
            }
            i += 1
        }
        return nil
    }
}
