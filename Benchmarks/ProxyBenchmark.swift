import Foundation
import Lasso
import Supervision

/// `lasso-bench proxy [--duration 10s] [--upstream-threads 1]`: the cost of the proxy itself,
/// against upstreams that behave like nodes (`lasso-bench upstream`: the whole body is read
/// before the answer, the id is echoed), all in the same run:
///
/// - the upstream directly, the reference for added latency;
/// - nginx as a keep-alive reverse proxy at `worker_processes 1` and at `auto` (Debian's
///   default); the better of the two is the anchor every ratio is taken against;
/// - lassod with one provider, request log (level info, the default) to /dev/null and to a
///   file; lassod with three providers (three upstream processes) and the `fastest` strategy;
/// - as a labelled extra, the old upstream (nginx `return 200`, which answers on the request
///   head alone) directly and behind lassod, since earlier figures were taken against it.
///
/// Throughput is `wrk -t1 -c32`, latency `wrk -t1 -c1`; CPU of the proxy and of the upstream
/// processes is read from /proc during the 32-connection run, to show which side is saturated.
enum ProxyBenchmark {
    static let busyConnections = 32

    /// What a row is, which decides how it is read against the targets.
    private enum Kind { case reference, nginx, lassod, extra }

    private struct Row {
        let name: String
        let kind: Kind
        /// At `busyConnections` connections.
        let busy: LoadHarness.Result
        /// At one connection.
        let single: LoadHarness.Result
        /// The row whose one-connection latency this one's "added" is measured from, if any.
        let baseline: Int?
        let proxyCPU: Double?
        let upstreamCPU: Double
    }

    static func run(_ arguments: BenchArguments) async throws {
        let harness = try LoadHarness(duration: arguments.duration)
        defer { harness.cleanUp() }
        let threads = try arguments.int("upstream-threads", default: 1)
        let upstreams = try (0..<3).map { _ in try harness.nodeUpstream(threads: threads) }
        defer { for upstream in upstreams { harness.stop(upstream.process) } }
        let primary = upstreams[0]
        let primaryCPU = [CPUTime.Subject.processTree(primary.process.processIdentifier)]
        var rows: [Row] = []
        var notes: [String] = []

        rows.append(try await measure(harness, "upstream directly", .reference, port: primary.port, path: "/",
                                      proxy: nil, upstreams: primaryCPU, baseline: nil))
        for workers in ["1", "auto"] {
            let port = try harness.freePort()
            let nginx = try harness.reverseProxyNginx(workers: workers, port: port, upstreamPort: primary.port)
            defer { harness.stop(nginx) }
            rows.append(try await measure(harness, "nginx reverse proxy, keep-alive, worker_processes \(workers)", .nginx,
                                          port: port, path: "/", proxy: .processTree(nginx.processIdentifier),
                                          upstreams: primaryCPU, baseline: 0))
        }

        rows.append(try await lassod(harness, "lassod, 1 provider, request log → /dev/null", .lassod,
                                     providerPorts: [primary.port], logFile: nil, upstreams: primaryCPU, baseline: 0).row)
        let logFile = harness.directory.appendingPathComponent("lassod-requests.log")
        let logged = try await lassod(harness, "lassod, 1 provider, request log (info) → file", .lassod,
                                      providerPorts: [primary.port], logFile: logFile, upstreams: primaryCPU, baseline: 0)
        rows.append(logged.row)
        notes.append(logged.note)
        rows.append(try await lassod(harness, "lassod, 3 providers, fastest, request log → /dev/null", .lassod,
                                     providerPorts: upstreams.map(\.port), logFile: nil,
                                     upstreams: upstreams.map { .processTree($0.process.processIdentifier) }, baseline: 0).row)

        let fixedPort = try harness.freePort()
        let fixed = try harness.fixedBodyNginx(workers: "1", port: fixedPort)
        defer { harness.stop(fixed) }
        let fixedCPU = [CPUTime.Subject.processTree(fixed.processIdentifier)]
        let fixedRow = rows.count
        rows.append(try await measure(harness, "extra: fixed-body nginx `return 200` directly (answers before the body)",
                                      .extra, port: fixedPort, path: "/", proxy: nil, upstreams: fixedCPU, baseline: nil))
        rows.append(try await lassod(harness, "extra: lassod, 1 provider = that fixed-body nginx, log → /dev/null", .extra,
                                     providerPorts: [fixedPort], logFile: nil, upstreams: fixedCPU, baseline: fixedRow).row)

        printTable(rows, harness: harness, threads: threads, notes: notes)
    }

    // MARK: Measuring

    private static func measure(_ harness: LoadHarness, _ name: String, _ kind: Kind, port: Int, path: String,
                                proxy: CPUTime.Subject?, upstreams: [CPUTime.Subject], baseline: Int?) async throws -> Row {
        let observing = (proxy.map { [$0] } ?? []) + upstreams
        let busy = try await LoadHarness.offThePool {
            try harness.wrk(name: name, port: port, path: path, connections: busyConnections, observing: observing)
        }
        let single = try await LoadHarness.offThePool {
            try harness.wrk(name: name, port: port, path: path, connections: 1)
        }
        let proxyCPU = proxy == nil ? nil : busy.cpuPercent.first
        let upstreamCPU = busy.cpuPercent.dropFirst(proxy == nil ? 0 : 1).reduce(0, +)
        return Row(name: name, kind: kind, busy: busy, single: single, baseline: baseline,
                   proxyCPU: proxyCPU, upstreamCPU: upstreamCPU)
    }

    /// Starts lassod in this process on one chain with `providerPorts` as its providers, measures
    /// it and stops it. Its log goes to `logFile`, or to /dev/null when nil.
    private static func lassod(_ harness: LoadHarness, _ name: String, _ kind: Kind, providerPorts: [Int], logFile: URL?,
                               upstreams: [CPUTime.Subject], baseline: Int?) async throws -> (row: Row, note: String) {
        let descriptor = logFile.map { open($0.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644) } ?? open("/dev/null", O_WRONLY)
        guard descriptor >= 0 else { throw PosixSocket.Failure(call: "open log file", code: errno) }
        defer { close(descriptor) }
        let sink = StandardOutputSink(fileDescriptor: descriptor)
        let application = try await LassoApplication.start(config: try config(providerPorts: providerPorts),
                                                           runtime: Runtime(), sink: sink, port: 0)
        let row: Row
        do {
            row = try await measure(harness, name, kind, port: application.port, path: "/rpc/bench",
                                    proxy: .thisProcess, upstreams: upstreams, baseline: baseline)
        } catch {
            await application.stop()
            throw error
        }
        await application.stop()
        sink.flush()
        guard let logFile else { return (row, "") }
        let (lines, bytes) = countLines(logFile)
        return (row, "\(name): \(lines) log lines, \(bytes / 1_048_576) MiB written to \(logFile.lastPathComponent)")
    }

    /// Providers in list order, the `fastest` strategy, request logging at its default level.
    static func config(providerPorts: [Int]) throws -> LassoConfig {
        let providers = providerPorts.enumerated().map { index, port in
            "      - {id: upstream_\(index + 1), url: \"http://127.0.0.1:\(port)/\"}"
        }
        let yaml = ["selection: {default_strategy: fastest}", "observability: {log_level: info}", "chains:",
                    "  bench:", "    chain_id: 1", "    providers:"] + providers
        return try LassoConfig.parse(yaml: yaml.joined(separator: "\n") + "\n", environment: [:])
    }

    private static func countLines(_ file: URL) -> (lines: Int, bytes: Int) {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return (0, 0) }
        defer { try? handle.close() }
        var lines = 0, bytes = 0
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            bytes += chunk.count
            lines += chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        }
        return (lines, bytes)
    }

    // MARK: Reporting

    private static func printTable(_ rows: [Row], harness: LoadHarness, threads: Int, notes: [String]) {
        let nginxRows = rows.filter { $0.kind == .nginx }
        let anchor = nginxRows.max { $0.busy.requestsPerSecond < $1.busy.requestsPerSecond }
        let anchorRate = max(1, anchor?.busy.requestsPerSecond ?? 1)
        print("")
        print("wrk -t1 -d\(harness.duration) --latency, POST eth_blockNumber (\(LoadHarness.requestBody.utf8.count)-byte body), "
              + "loopback: \(busyConnections) connections for req/s and CPU, 1 for latency")
        print("upstream: `lasso-bench upstream` (reads each whole body by Content-Length, echoes the id, keep-alive), "
              + "\(threads) epoll thread(s) per process, a process of its own")
        print("| path | req/s at \(busyConnections) conns | p50 at 1 conn | p99 at 1 conn | added p50 / p99 "
              + "| vs better nginx | CPU at \(busyConnections) conns: proxy / upstream |")
        print("|---|---|---|---|---|---|---|")
        for row in rows {
            let errors = row.busy.errors + row.single.errors
            let rate = format(row.busy.requestsPerSecond) + (errors > 0 ? " (\(errors) errors)" : "")
            let addedCell = row.baseline.map { index -> String in
                let base = rows[index].single
                return "\(added(row.single.p50Microseconds - base.p50Microseconds)) / "
                    + "\(added(row.single.p99Microseconds - base.p99Microseconds))"
            } ?? "—"
            let cpu = (row.proxyCPU.map { String(format: "%.0f %%", $0) } ?? "—") + " / " + String(format: "%.0f %%", row.upstreamCPU)
            print("| \(row.name) | \(rate) | \(micro(row.single.p50Microseconds)) | \(micro(row.single.p99Microseconds)) "
                  + "| \(addedCell) | \(String(format: "%.2f", row.busy.requestsPerSecond / anchorRate))× | \(cpu) |")
        }
        print("anchor: \(anchor?.name ?? "no nginx row") at \(format(anchorRate)) req/s (the better nginx of this run)")
        print("added latency: one-connection p50/p99 minus the upstream's directly (extra rows: minus the fixed-body "
              + "nginx's directly); CPU in % of one core, lassod's includes this benchmark's idle threads")
        for note in notes where !note.isEmpty { print(note) }
        print("targets: ≥ 0.70× the better nginx's req/s at \(busyConnections) connections; "
              + "≤ 50 µs p50 and ≤ 500 µs p99 added at one connection")
        for row in rows where row.kind == .lassod {
            let ratio = row.busy.requestsPerSecond / anchorRate
            let addedP50 = row.single.p50Microseconds - rows[0].single.p50Microseconds
            let addedP99 = row.single.p99Microseconds - rows[0].single.p99Microseconds
            print("  \(row.name): \(String(format: "%.2f", ratio))× \(verdict(ratio >= 0.70)), "
                  + "\(added(addedP50)) p50 \(verdict(addedP50 <= 50)), \(added(addedP99)) p99 \(verdict(addedP99 <= 500))")
        }
    }

    private static func verdict(_ met: Bool) -> String { met ? "(met)" : "(MISSED)" }

    private static func format(_ rate: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: rate)) ?? String(format: "%.0f", rate)
    }

    private static func micro(_ value: Double) -> String {
        value.isNaN ? "?" : String(format: "%.0f µs", value)
    }

    private static func added(_ value: Double) -> String {
        value.isNaN ? "?" : String(format: "%+.0f µs", value)
    }
}
