import Lasso

extension Battle {
    /// WebSocket subscription load on one chain: `clients` sockets on `/ws/rpc/<chain>`, each
    /// subscribed to `newHeads` and (when `logs`) to the `transfers` log filter for the whole
    /// run. Every notification is recorded and judged against the simulated chain
    /// (`Analyzer.stream`): every block once, in order, parent-linked; exactly the chain's
    /// matching logs.
    public struct SubscriptionWorkload: Sendable, Equatable {
        public var chain: String
        public var clients: Int
        public var logs: Bool

        public init(chain: String, clients: Int = 10, logs: Bool = true) {
            self.chain = chain
            self.clients = max(1, clients)
            self.logs = logs
        }

        /// USDC-like transfers: the first simulated emitter's Transfer events, a filter with
        /// an address and a topic, as a dapp subscribes (about one block in three has one).
        public static let transfers = SimulatedLogFilter(addresses: [SimulatedChain.logEmitters[0]],
                                                          topics: [[SimulatedChain.transferTopic]])

        /// The `eth_subscribe` params of the logs subscription.
        static let transfersParams =
            #"["logs",{"address":"\#(SimulatedChain.logEmitters[0])","topics":["\#(SimulatedChain.transferTopic)"]}]"#
    }
}
