/// The result of `start-chain`, `stop-chain` and `restart-chain`: the chain and whether it
/// runs now.
public struct AdminChainState: Sendable, Codable, Equatable {
    /// The chain key.
    public var chain: String
    /// Whether it runs after the command.
    public var running: Bool

    /// A result as given.
    public init(chain: String, running: Bool) {
        self.chain = chain
        self.running = running
    }
}
