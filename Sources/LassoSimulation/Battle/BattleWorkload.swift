import Lasso

extension Battle {
    /// HTTP load on one chain: `concurrency` clients, each sending one request at a time for the
    /// scenario's duration, methods drawn from `methods` by weight (seeded). Every request is
    /// timed and checked: the client's id echoed, and the right result for the simulated chain.
    public struct Workload: Sendable, Equatable {
        /// The methods a workload can check against the simulated chain.
        public enum Method: String, Sendable, CaseIterable, Equatable {
            /// Exact: the chain id.
            case chainID = "eth_chainId"
            /// Within the simulated head's range at the time of the request.
            case blockNumber = "eth_blockNumber"
            /// Exact: a fixed past block, compared field by field with the simulated chain's.
            case blockByNumber = "eth_getBlockByNumber"
            /// Exact: a fixed address at a fixed past block.
            case balance = "eth_getBalance"
        }

        public var chain: String
        public var concurrency: Int
        /// Methods and their weights.
        public var methods: [(Method, Int)]
        /// The route's strategy segment (`/rpc/<strategy>/<chain>`); nil for `/rpc/<chain>`.
        public var strategy: String?

        public init(chain: String, concurrency: Int = 10,
                    methods: [(Method, Int)] = [(.blockNumber, 4), (.chainID, 2), (.blockByNumber, 2), (.balance, 2)],
                    strategy: String? = nil) {
            self.chain = chain
            self.concurrency = max(1, concurrency)
            self.methods = methods.filter { $0.1 > 0 }
            self.strategy = strategy
        }

        public var path: String {
            strategy.map { "/rpc/\($0)/\(chain)" } ?? "/rpc/\(chain)"
        }

        public static func == (lhs: Workload, rhs: Workload) -> Bool {
            lhs.chain == rhs.chain && lhs.concurrency == rhs.concurrency && lhs.strategy == rhs.strategy
                && lhs.methods.map(\.0) == rhs.methods.map(\.0) && lhs.methods.map(\.1) == rhs.methods.map(\.1)
        }
    }
}
