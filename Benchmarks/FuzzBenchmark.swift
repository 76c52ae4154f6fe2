import Foundation
import TransportFuzzing

/// `lasso-bench fuzz [--duration 60s] [--seed N]`: the transport fuzzer of the test suite, run
/// for longer. Exits non-zero when an invariant broke, naming the round and seed to replay.
enum FuzzBenchmark {
    static func run(_ arguments: BenchArguments) async throws {
        let seconds = Int(arguments.duration.filter(\.isNumber)) ?? 60
        let seed = UInt64(try arguments.int("seed", default: Int(Date().timeIntervalSince1970) % 100_000))
        print("lasso-bench fuzz: seed \(seed), \(seconds) s")
        let fuzzer = try TransportFuzzer(seed: seed)
        let report = fuzzer.run(rounds: .max, within: .seconds(seconds))
        print(report)
        if !report.violations.isEmpty { exit(1) }
    }
}
