import Foundation
import Synchronization
import Testing
@testable import Lasso
import Supervision

/// Chains are isolated: operating on one never fails a request on another.
@Suite(.serialized) struct TreeControlIsolationTests {
    @Test func restartingAndStoppingAChainNeverFailsARequestOnAnother() async throws {
        let stack = try await TreeControlStack()
        let ethereum = await stack.pid(at: "Application/ChainsSupervisor/ChainSupervisor(ethereum)")
        let stop = StopSignal()
        let requests = Task { await stack.requestLoop("ethereum", chainID: 1, until: stop) }
        // Operate until the loop has sent plenty during the operations (at least four rounds).
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(20)
        let before = stop.sent
        var rounds = 0
        while (rounds < 4 || stop.sent < before + 40) && clock.now < deadline {
            try await stack.control.restartChain("base")
            try await stack.control.stopChain("base")
            try await stack.control.startChain("base")
            try await stack.control.restartChain("polygon")
            rounds += 1
        }
        let during = stop.sent - before
        #expect(try await stack.chainID("base") == TreeControlStack.expectedChainID(8453))
        stop.stop()
        let (sent, failures) = await requests.value
        #expect(failures.isEmpty, "\(failures.count) of \(sent) requests failed: \(failures.prefix(3))")
        #expect(during >= 40, "the request loop ran while the chains were restarted (\(during) requests)")
        #expect(await stack.pid(at: "Application/ChainsSupervisor/ChainSupervisor(ethereum)") == ethereum)
        print("restarting base and polygon \(rounds) times: \(sent) ethereum requests, \(failures.count) failed")
        await stack.shutdown()
    }
}
