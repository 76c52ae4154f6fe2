import Foundation
import Lasso
import Supervision

/// `lasso-bench proxy`: the cost of the proxy itself. One fast upstream (nginx returning a
/// fixed JSON-RPC body) measured directly, through lassod, and through nginx as a keep-alive
/// reverse proxy, in the same run: throughput at 32 connections, latency at one.
enum ProxyBenchmark {
    static func run() async throws {
        let harness = try LoadHarness()
        defer { harness.cleanUp() }
        let upstreamPort = try harness.freePort()
        let upstream = try harness.fixedBodyNginx(workers: "1", port: upstreamPort)
        defer { harness.stop(upstream) }

        var rows: [(name: String, busy: LoadHarness.Result, single: LoadHarness.Result)] = []
        rows.append(("upstream directly", try harness.wrk(name: "upstream", port: upstreamPort, path: "/", connections: 32),
                     try harness.wrk(name: "upstream", port: upstreamPort, path: "/", connections: 1)))

        let config = try LassoConfig.parse(yaml: """
            observability: {log_level: info}
            chains:
              bench:
                chain_id: 1
                providers:
                  - {id: upstream, url: "http://127.0.0.1:\(upstreamPort)/"}
            """, environment: [:])
        // Logging stays on (that cost is part of the proxy) but goes nowhere.
        let sink = StandardOutputSink(fileDescriptor: open("/dev/null", O_WRONLY))
        let application = try await LassoApplication.start(config: config, runtime: Runtime(), sink: sink, port: 0)
        rows.append(("lassod", try harness.wrk(name: "lassod", port: application.port, path: "/rpc/bench", connections: 32),
                     try harness.wrk(name: "lassod", port: application.port, path: "/rpc/bench", connections: 1)))
        await application.stop()

        let proxyPort = try harness.freePort()
        let proxy = try harness.nginx(name: "proxy", workers: "1", port: proxyPort, serverBlock: """
            upstream rpc { server 127.0.0.1:\(upstreamPort); keepalive 64; }
            server {
                listen 127.0.0.1:\(proxyPort);
                location / {
                    proxy_pass http://rpc;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                }
            }
            """)
        defer { harness.stop(proxy) }
        rows.append(("nginx reverse proxy (1 worker, keep-alive)",
                     try harness.wrk(name: "nginx proxy", port: proxyPort, path: "/", connections: 32),
                     try harness.wrk(name: "nginx proxy", port: proxyPort, path: "/", connections: 1)))

        let direct = rows[0].single
        let nginxProxy = rows[2].busy.requestsPerSecond
        print("")
        print("wrk -t1 -d\(harness.duration) --latency, POST eth_blockNumber, loopback, one upstream (nginx, fixed body)")
        print("| path | req/s at 32 conns | p50 at 1 conn | p99 at 1 conn | added p50 / p99 vs direct | req/s vs nginx proxy |")
        print("|---|---|---|---|---|---|")
        for row in rows {
            let addedP50 = row.single.p50Microseconds - direct.p50Microseconds
            let addedP99 = row.single.p99Microseconds - direct.p99Microseconds
            print("| \(row.name) | \(String(format: "%.0f", row.busy.requestsPerSecond)) | \(row.single.p50) | \(row.single.p99) "
                  + "| \(String(format: "%.0f", addedP50)) µs / \(String(format: "%.0f", addedP99)) µs "
                  + "| \(String(format: "%.2f", row.busy.requestsPerSecond / max(1, nginxProxy)))× |")
        }
        print("targets: lassod adds ≤ 50 µs p50 and ≤ 500 µs p99 at one connection; ≥ 0.70× nginx proxy at 32")
    }
}
