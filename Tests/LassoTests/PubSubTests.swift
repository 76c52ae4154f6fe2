import Synchronization
import Testing
@testable import Lasso
import Supervision

@Suite struct PubSubTests {
    struct Inbox: GenServer {}

    @Test func publishReachesEverySubscriberOfTheTopicUntilItsProcessExits() async throws {
        let runtime = Runtime(clock: ManualClock())
        let pubsub = PubSub()
        let first = try await ServerRef.start(label: "a", runtime: runtime) { Inbox() }
        let second = try await ServerRef.start(label: "b", runtime: runtime) { Inbox() }
        let received = Mutex<[String]>([])
        try pubsub.subscribe("breakers", process: first.process) { m in received.withLock { $0.append("a:\(m.event)") } }
        try pubsub.subscribe("breakers", process: second.process) { m in received.withLock { $0.append("b:\(m.event)") } }
        try pubsub.subscribe("routing", process: second.process) { m in received.withLock { $0.append("b:\(m.event)") } }

        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "opened")) == 2)
        #expect(received.withLock { $0 } == ["a:opened", "b:opened"])

        second.stop()
        await second.process.waitForExit()
        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "closed")) == 1)
        #expect(pubsub.publish(PubSub.Message(topic: "routing", event: "selected")) == 0)
        pubsub.unsubscribe("breakers", process: first.process)
        #expect(pubsub.publish(PubSub.Message(topic: "breakers", event: "again")) == 0)
        #expect(received.withLock { $0 } == ["a:opened", "b:opened", "a:closed"])
    }
}
