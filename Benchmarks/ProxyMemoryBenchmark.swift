import Foundation
import Lasso
import Supervision

/// `lasso-bench proxy-memory [--requests 1000000] [--upstream-threads 1]`: whether lassod's
/// memory stays flat under sustained load. lassod runs in this process with one provider (the
/// node-like `lasso-bench upstream`) and its request log at the default level (info) going to
/// a file; `lasso-bench load`, a child process, sends exactly `--requests` requests over 32
/// keep-alive connections and says when it passes each mark, at which moment this process
/// reads its own VmRSS.
///
/// The target (issue 10): RSS after 1M requests within 10 % of RSS after the first 10k. The
/// first 10k are the warm-up that fills pools, caches and buffers to their working size;
/// growth after that is what would leak.
enum ProxyMemoryBenchmark {
    static let warmUp = 10_000
    static let connections = 32

    private struct Reading: Sendable {
        let requests: Int
        let kilobytes: Int
    }

    private struct Load: Sendable {
        let readings: [Reading]
        let summary: String
        let status: Int32
    }

    static func run(_ arguments: BenchArguments) async throws {
        let total = max(warmUp, try arguments.int("requests", default: 1_000_000))
        let harness = try LoadHarness(duration: arguments.duration)
        defer { harness.cleanUp() }
        let upstream = try harness.nodeUpstream(threads: try arguments.int("upstream-threads", default: 1))
        defer { harness.stop(upstream.process) }
        let logFile = harness.directory.appendingPathComponent("lassod-memory.log")
        let descriptor = open(logFile.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw PosixSocket.Failure(call: "open log file", code: errno) }
        defer { close(descriptor) }
        let sink = StandardOutputSink(fileDescriptor: descriptor)
        let application = try await LassoApplication.start(config: try ProxyBenchmark.config(providerPorts: [upstream.port]),
                                                           runtime: Runtime(), sink: sink, port: 0)
        let idle = Reading(requests: 0, kilobytes: residentKilobytes())
        let marks = Array(Set([warmUp, 100_000, 250_000, 500_000, 750_000, total].filter { $0 <= total })).sorted()
        let load: Load
        do {
            let (process, output) = try harness.child([
                "load", "--port", String(application.port), "--path", "/rpc/bench", "--connections", String(connections),
                "--requests", String(total), "--report", marks.map(String.init).joined(separator: ","),
            ])
            load = try await LoadHarness.offThePool { follow(process, output) }
        } catch {
            await application.stop()
            throw error
        }
        await application.stop()
        sink.flush()

        print("")
        print("lassod in-process, 1 provider (`lasso-bench upstream`), request log (info) → a file; "
              + "`lasso-bench load`: \(total) POST eth_blockNumber over \(connections) keep-alive connections")
        print("| after | RSS | vs after \(warmUp / 1_000)k |")
        print("|---|---|---|")
        let base = load.readings.first { $0.requests == warmUp }
        for reading in [idle] + load.readings {
            let ratio = base.map { String(format: "%.3f×", Double(reading.kilobytes) / Double(max(1, $0.kilobytes))) } ?? "?"
            print("| \(reading.requests == 0 ? "start (idle)" : "\(reading.requests) requests") "
                  + "| \(String(format: "%.1f MiB", Double(reading.kilobytes) / 1_024)) | \(ratio) |")
        }
        print("load: \(load.summary.isEmpty ? "no summary (exit status \(load.status))" : load.summary)")
        if let base, let last = load.readings.last, last.requests == total {
            let ratio = Double(last.kilobytes) / Double(max(1, base.kilobytes))
            print("target: RSS after \(total) requests within 10 % of RSS after the first \(warmUp): "
                  + String(format: "%.3f×", ratio) + (ratio <= 1.10 ? " (met)" : " (MISSED)"))
        } else {
            print("target: not evaluated, the load did not reach every mark")
        }
    }

    /// Reads the load client's lines until it exits, taking an RSS reading at each `reached n`.
    private static func follow(_ process: Process, _ output: FileHandle) -> Load {
        var readings: [Reading] = []
        var summary = ""
        var pending = Data()
        while true {
            let chunk = output.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                if line.hasPrefix("reached "), let requests = Int(line.dropFirst("reached ".count)) {
                    readings.append(Reading(requests: requests, kilobytes: residentKilobytes()))
                } else if line.hasPrefix("done ") {
                    summary = line
                }
            }
        }
        process.waitUntilExit()
        return Load(readings: readings, summary: summary, status: process.terminationStatus)
    }

    /// This process's resident set (`VmRSS` in /proc/self/status), in KiB.
    static func residentKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
