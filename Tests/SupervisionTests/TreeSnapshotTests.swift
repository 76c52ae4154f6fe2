import Foundation
import Testing
@testable import Supervision
import TestSupport

@Suite struct TreeSnapshotTests {
    @Test func snapshotDescribesTheWholeTreeAndEncodesAsJSON() async throws {
        let (runtime, clock, events) = makeRuntime()
        let journal = Journal()
        let root = try await Supervisor.start(name: "Application", children: [
            ScriptedWorker.spec("ConfigStore", journal: journal),
            Supervisor.childSpec(id: "Chain", strategy: .restForOne, children: [ScriptedWorker.spec("Pool", journal: journal)]),
            DynamicSupervisor.childSpec(id: "Streams"),
        ], runtime: runtime)
        let chain = try await childSupervisor(root, at: 1)
        worker(try await chain.whichChildren()[0].process)?.cast(.crash)
        await events.waitFor(.restarted, child: "Pool")
        clock.advance(by: .seconds(3))

        let snapshot = await root.snapshot()
        #expect(snapshot.name == "Application" && snapshot.kind == .supervisor && snapshot.strategy == "one_for_one")
        #expect(snapshot.children.map(\.name) == ["ConfigStore", "Chain", "Streams"])
        #expect(snapshot.node(at: ["Chain"])?.strategy == "rest_for_one")
        #expect(snapshot.node(at: ["Streams"])?.strategy == "dynamic")
        let pool = try #require(snapshot.node(at: ["Chain", "Pool"]))
        #expect(pool.kind == .worker && pool.status == .running && pool.restarts == 1)
        #expect(pool.uptimeSeconds == 3)
        #expect(snapshot.allNodes.count == 5)

        let json = try JSONEncoder().encode(snapshot)
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(text.contains("\"mailbox_depth\"") && text.contains("\"uptime_seconds\""))
        #expect(try JSONDecoder().decode(TreeSnapshot.self, from: json) == snapshot)
    }

    @Test func stoppedChildrenAppearWithoutPID() async throws {
        let (runtime, _, _) = makeRuntime()
        let root = try await Supervisor.start(name: "S", children: [ScriptedWorker.spec("w", journal: Journal())],
                                              runtime: runtime)
        try await root.terminateChild("w")
        let node = try #require(await root.snapshot().node(at: ["w"]))
        #expect(node.status == .stopped && node.pid == nil && node.uptimeSeconds == nil)
    }
}
