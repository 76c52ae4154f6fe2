import Foundation
import Synchronization
import Testing
@testable import Lasso
import Supervision
import TestSupport

/// `kill`: every kind of node comes back at once, the tree whole again; and requests that had
/// another healthy provider never notice.
@Suite(.serialized) struct TreeControlKillTests {
    static let ethereum = "Application/ChainsSupervisor/ChainSupervisor(ethereum)"

    static let everyKindOfNode = [
        "Application/ChainsSupervisor",
        ethereum,
        "\(ethereum)/ProviderSupervisor(alpha)",
        "\(ethereum)/ProviderSupervisor(alpha)/CircuitBreaker(alpha, http)",
        "\(ethereum)/ProviderSupervisor(alpha)/WSConnection(alpha)",
        "\(ethereum)/ProviderPool",
        "\(ethereum)/ProviderHealthMonitor",
        "\(ethereum)/TransportRegistry",
        "\(ethereum)/UpstreamSubscriptionPool",
        "\(ethereum)/ClientSubscriptionRegistry",
        "Application/PubSub",
        "Application/HTTPClientPool",
        "Application/BenchmarkStore",
        "Application/BenchmarkPersistence",
        "Application/ProcessRegistry",
        "Application/Registry",
        "Application/ConfigStore",
        "Application/Endpoint",
    ]

    /// Kills the node at `path` and waits (at most `limit`) for its supervisor to report it
    /// restarted; returns the killed pid and how long the restart took.
    static func kill(_ path: String, in stack: TreeControlStack,
                     within limit: Duration = .seconds(10)) async throws -> (killed: PID, took: Duration)? {
        let segments = path.split(separator: "/").map(String.init)
        let (parent, child) = (segments[segments.count - 2], segments[segments.count - 1])
        let restarts = Recorder<SupervisionEvent>()
        let observer = stack.runtime.events.observe { event in
            if event.kind == .restarted && event.supervisor == parent && event.child == child { restarts.record(event) }
        }
        defer { stack.runtime.events.removeObserver(observer) }
        let clock = ContinuousClock()
        let start = clock.now
        let killed = try await stack.control.kill(path: path)
        guard await waitFor(within: limit, { !restarts.all.isEmpty }) else { return nil }
        return (killed, clock.now - start)
    }

    @Test func aChainAnOperatorStoppedStaysStoppedWhenChainsSupervisorRestarts() async throws {
        let stack = try await TreeControlStack()
        try await stack.control.stopChain("base")
        _ = try #require(try await Self.kill("Application/ChainsSupervisor", in: stack, within: .seconds(5)))
        var tree = await stack.tree()
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(ethereum)"]) != nil)
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(polygon)"]) != nil)
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(base)"]) == nil, "stopped by an operator")

        // Started again, it is no longer the operator's stopped chain: the next restart runs it.
        try await stack.control.startChain("base")
        _ = try #require(try await Self.kill("Application/ChainsSupervisor", in: stack, within: .seconds(5)))
        tree = await stack.tree()
        #expect(tree.node(at: ["ChainsSupervisor", "ChainSupervisor(base)"]) != nil)
        await stack.shutdown()
    }

    /// "Within a second" stands for "at once": lassod runs on a `ManualClock` that never moves,
    /// so a restart that waited for any timer (a backoff, a delayed start) would not come at all,
    /// while one that is merely slow on a loaded machine still counts.
    @Test(arguments: everyKindOfNode)
    func aKilledNodeIsRestartedAtOnceAndTheTreeIsWhole(path: String) async throws {
        let stack = try await TreeControlStack(runtime: Runtime(clock: ManualClock()))
        #expect(await stack.waitForAlphaWebSocket())
        let before = await stack.tree()
        let old = try #require(await stack.pid(at: path))

        let restart = try #require(try await Self.kill(path, in: stack), "no restart of \(path) with the runtime clock standing still")
        #expect(restart.killed == old)
        let after = await stack.tree()
        #expect(TreeControlStack.shape(after) == TreeControlStack.shape(before))
        let new = try #require(await stack.pid(at: path))
        #expect(new != old)
        #expect(after.allNodes.allSatisfy { $0.status == .running && $0.pid != nil })
        let restarted = try #require(after.node(at: Array(path.split(separator: "/").map(String.init).dropFirst())))
        #expect(restarted.restarts == 1)
        // lassod still serves, on the port it started with, to new connections too.
        #expect(try await stack.get("/api/health").status == 200)
        #expect(try await stack.chainID("ethereum") == TreeControlStack.expectedChainID(1))
        print("kill \(path): restarted in \(restart.took)")
        await stack.shutdown()
    }

    @Test func badPathsAndTheRootAreRefused() async throws {
        let stack = try await TreeControlStack()
        let control = stack.control
        await #expect(throws: AdminError.unknownPath("Nowhere")) { try await control.kill(path: "Nowhere/ChainsSupervisor") }
        await #expect(throws: AdminError.unknownPath("ChainSupervisor(nowhere)")) {
            try await control.kill(path: "Application/ChainsSupervisor/ChainSupervisor(nowhere)/ProviderPool")
        }
        await #expect(throws: AdminError.unknownPath("Deeper")) {
            try await control.kill(path: "\(Self.ethereum)/ProviderPool/Deeper")
        }
        await #expect(throws: AdminError.unknownPath("")) { try await control.kill(path: "") }
        do {
            _ = try await control.kill(path: "Application")
            Issue.record("the root was killed")
        } catch let AdminError.failed(why) {
            #expect(why.hasPrefix("the root cannot be killed"))
        }
        // A stopped chain has no nodes to kill.
        try await control.stopChain("base")
        await #expect(throws: AdminError.unknownPath("ChainSupervisor(base)")) {
            try await control.kill(path: "Application/ChainsSupervisor/ChainSupervisor(base)")
        }
        #expect(stack.app.root.process.isAlive)
        await stack.shutdown()
    }

    /// The channel in use is alpha's WebSocket when `overWebSocket` (alpha's http breaker held
    /// open), else alpha's http; beta stays healthy throughout.
    @Test(arguments: [
        ("\(ethereum)/ProviderSupervisor(alpha)/CircuitBreaker(alpha, http)", false),
        ("\(ethereum)/ProviderSupervisor(alpha)/CircuitBreaker(alpha, ws)", true),
        ("\(ethereum)/ProviderSupervisor(alpha)/WSConnection(alpha)", true),
        ("\(ethereum)/ProviderPool", false),
    ])
    func killingANodeOfAChainWithAnotherHealthyProviderFailsNoRequest(path: String, overWebSocket: Bool) async throws {
        // On a ManualClock, like the test above: each restart comes at once, and the three fit
        // the supervisor's intensity (three in 5 s) however slowly the machine runs.
        let stack = try await TreeControlStack(runtime: Runtime(clock: ManualClock()))
        #expect(await stack.waitForAlphaWebSocket())
        if overWebSocket {
            _ = try await stack.control.breaker(chain: "ethereum", provider: "alpha", transport: .http, action: .open)
        }
        let stop = StopSignal()
        let requests = Task { await stack.requestLoop("ethereum", chainID: 1, until: stop) }
        // Three kills (the supervisor's intensity allows three restarts in 5 s), each once
        // traffic flows through alpha again (after a WSConnection kill: once it reconnected).
        func served() -> Int { stack.alpha.provider.requestCounts["eth_chainId"] ?? 0 }
        for _ in 0..<3 {
            let target = served() + 5
            #expect(await waitFor(within: .seconds(5)) { served() >= target }, "traffic reaches alpha again")
            #expect(try await Self.kill(path, in: stack) != nil, "\(path) restarted at once")
        }
        stop.stop()
        let (sent, failures) = await requests.value
        #expect(failures.isEmpty, "\(failures.count) of \(sent) requests failed: \(failures.prefix(3))")
        #expect(sent > 10)
        print("kill \(path) under load: \(sent) requests, \(failures.count) failed")
        await stack.shutdown()
    }
}
