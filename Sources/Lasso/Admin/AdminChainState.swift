/// The result of `start-chain`, `stop-chain` and `restart-chain`: the chain and whether it
/// runs now.
public struct AdminChainState: Sendable, Codable, Equatable {
    public var chain: String
    public var running: Bool

    public init(chain: String, running: Bool) {
        self.chain = chain
        self.running = running
    }
}
