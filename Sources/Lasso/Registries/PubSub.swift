import Supervision

/// Topic-based fan-out inside lassod (Phoenix.PubSub's role): breaker transitions and provider
/// availability changes go out on their chain's topic (`chain:<key>`); the chain's log lines
/// (`ChainEventLog`) and the dashboard's publisher (`DashboardPublisher`, for its list of recent
/// transitions) subscribe to it.
///
/// Publishing calls each subscriber's handler directly on the publisher's thread, with no
/// mailbox in between, so a publisher never blocks and handlers must only hand the message on
/// (a log line, or `ref.info(…)` into the subscriber's own mailbox). Subscriptions belong to a
/// process and vanish when it exits: the tree's `PubSub` process (`childSpec`) monitors every
/// subscriber and removes its subscriptions; the subscriptions themselves are kept in this
/// table, so a restart of that process loses none (see `RegistryKeeper`).
///
/// ```swift
/// let topic = PubSub.topic(chain: "ethereum")
/// try pubsub.subscribe(topic, process: chainSupervisor.process) { message in logger.log(.info, message.event) }
/// pubsub.publish(PubSub.Message(topic: topic, event: "breaker.transition", fields: ["provider": "alpha", "to": "open"]))
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public final class PubSub: Sendable {
    /// One published event: a name and flat string fields, so any subscriber can render it.
    public struct Message: Sendable, Equatable {
        /// Where it is published (`chain:<key>`).
        public var topic: String
        /// What happened (`breaker.transition`, `provider.availability`).
        public var event: String
        /// The details, as strings.
        public var fields: [String: String]

        /// A message as given.
        public init(topic: String, event: String, fields: [String: String] = [:]) {
            self.topic = topic
            self.event = event
            self.fields = fields
        }
    }

    /// Called on the publisher's thread with each message: must only hand it on.
    public typealias Handler = @Sendable (Message) -> Void

    private let registry = Registry<String, Handler>(keys: .duplicate)

    /// A table with no subscriptions.
    public init() {}

    /// The `PubSub` process of the tree: it owns the subscriber monitors.
    public func childSpec() -> ChildSpec {
        RegistryKeeper.childSpec(id: "PubSub", tables: [registry.keptTable])
    }

    /// The topic of everything that happens on one chain.
    public static func topic(chain: String) -> String { "chain:\(chain)" }

    /// Delivers every message published on `topic` to `handler` while `process` lives.
    public func subscribe(_ topic: String, process: ProcessRef, handler: @escaping Handler) throws {
        try registry.register(topic, value: handler, process: process)
    }

    /// Stops `process`'s deliveries for `topic`.
    public func unsubscribe(_ topic: String, process: ProcessRef) {
        registry.unregister(topic, process: process)
    }

    /// Hands `message` to every subscriber of its topic; returns how many there were.
    @discardableResult
    public func publish(_ message: Message) -> Int {
        var delivered = 0
        registry.dispatch(message.topic) { entries in
            for entry in entries { entry.value(message) }
            delivered = entries.count
        }
        return delivered
    }
}
