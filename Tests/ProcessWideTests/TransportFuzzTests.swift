import Foundation
import Testing
import TransportFuzzing

/// The transport fuzzer, seeded and bounded: a few seconds here, longer with `lasso-bench fuzz`.
/// Whatever one client or upstream sends, every other client keeps being served. Its invariant
/// counts the process's descriptors and RSS and watches every loop thread's CPU time.
@Suite("Transport fuzzer")
struct TransportFuzzTests {
    @Test(arguments: [UInt64(1), 2])
    func hostileClientsAndUpstreamsBreakNothing(seed: UInt64) throws {
        let report = try TransportFuzzer(seed: seed).run(rounds: 4, within: .seconds(4))
        #expect(report.rounds >= 2)
        #expect(report.violations.isEmpty, "\(report)")
    }
}
