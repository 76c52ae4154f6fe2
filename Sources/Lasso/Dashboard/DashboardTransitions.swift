import Synchronization

/// The last circuit-breaker transitions per chain, as `CircuitBreaker` publishes them on the
/// chain's `PubSub` topic (`breaker.transition`), stamped with the wall clock when heard.
/// Bounded: `perChain` transitions per chain, oldest dropped first.
public final class DashboardTransitions: Sendable {
    /// One transition.
    public struct Transition: Sendable, Equatable {
        public var provider: String
        public var transport: String
        public var from: String
        public var to: String
        public var atUnixMillis: Int64
    }

    public let perChain: Int
    private let table = Mutex<[String: [Transition]]>([:])

    public init(perChain: Int = 50) {
        self.perChain = max(1, perChain)
    }

    /// Keeps `message` if it is a breaker transition; returns whether it was one.
    @discardableResult
    public func record(_ message: PubSub.Message, atUnixMillis: Int64) -> Bool {
        let fields = message.fields
        guard message.event == "breaker.transition", let chain = fields["chain"], let provider = fields["provider"],
              let transport = fields["transport"], let to = fields["to"] else { return false }
        let transition = Transition(provider: provider, transport: transport, from: fields["from"] ?? "none", to: to,
                                    atUnixMillis: atUnixMillis)
        table.withLock { table in
            table[chain, default: []].append(transition)
            if let count = table[chain]?.count, count > perChain { table[chain]?.removeFirst(count - perChain) }
        }
        return true
    }

    /// `chain`'s transitions, oldest first.
    public func transitions(chain: String) -> [Transition] {
        table.withLock { $0[chain] ?? [] }
    }
}
