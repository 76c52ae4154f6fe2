import Foundation
import Lasso

/// `lasso-bench history-memory`: the memory 24 h of benchmark history takes for one chain at
/// the store's key cap (512 keys: 5 providers × 2 transports × 51 methods, the worst case the
/// store admits), measured as the growth of the heap in use (glibc `mallinfo2`) while the 24
/// points are alive, next to `BenchmarkHistoryPoint.approximateBytes` and the size of one
/// point's file. The target (issue 14): at most 10 MB per chain.
enum HistoryMemoryBenchmark {
    static func run(_ arguments: BenchArguments) async throws {
        let methods = KnownMethods.names.sorted().prefix(51)
        let providers = (1...5).map { "ethereum_provider_\($0)" }
        func point(_ index: Int) -> BenchmarkHistoryPoint {
            var entries: [BenchmarkHistoryPoint.Entry] = []
            for provider in providers {
                for method in methods {
                    for transport in TransportKind.allCases {
                        entries.append(BenchmarkHistoryPoint.Entry(
                            provider: provider, method: method, transport: transport, successes: UInt64(1_000 + index),
                            failures: 3, meanMs: 41.5 + Double(index), figures: .init(p50Ms: 39.8, p95Ms: 88.1)))
                    }
                }
            }
            let start = Int64(1_800_000_000_000) + Int64(index) * 3_600_000
            return BenchmarkHistoryPoint(region: "eu-west", startMs: start, endMs: start + 3_600_000,
                                         chains: ["ethereum": entries])
        }
        let before = residentBytes()
        var points: [BenchmarkHistoryPoint] = []
        for index in 0..<24 { points.append(point(index)) }
        let after = residentBytes()
        let keys = points[0].chains["ethereum"]?.count ?? 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let fileBytes = try encoder.encode(points[0]).count
        let measured = Int(after) - Int(before)
        print("| 24 h of history, 1 chain, \(keys) keys | bytes |")
        print("|---|---|")
        print("| resident memory growth (VmRSS) | \(measured) (\(String(format: "%.2f", Double(measured) / 1_048_576)) MiB) |")
        print("| BenchmarkHistoryPoint.approximateBytes | \(BenchmarkHistoryPoint.approximateBytes(points)) |")
        print("| one point's file (JSON) | \(fileBytes); 24 files: \(fileBytes * 24) |")
        print("target: at most 10 MB (10 485 760 B) per chain: \(measured <= 10_485_760 ? "met" : "NOT met")")
        withExtendedLifetime(points) {}
    }

    /// This process's resident set, from /proc/self/status (kB there).
    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            return 0
        }
        return kilobytes * 1_024
    }
}
