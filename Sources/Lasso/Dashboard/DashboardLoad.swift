import Foundation

/// What "generate load" on the dashboard asks for: `POST /dashboard/load` with
/// `{"chain":"ethereum","strategy":"fastest","requests":200,"concurrency":8,
///   "methods":{"eth_blockNumber":3,"eth_getBalance":1}}`.
///
/// The requests go through the same `RPCEndpoint` as a client's (route, pipeline, log line,
/// counters), on `/rpc/<strategy>/<chain>`, with the methods interleaved by weight. Only
/// read-only methods with fixed parameters are offered: the dashboard exercises routing, it
/// does not send arbitrary calls upstream.
struct DashboardLoad: Sendable, Equatable {
    var chain: String
    var strategy: SelectionStrategy
    var requests: Int
    var concurrency: Int
    /// Method → weight, in name order.
    var methods: [(name: String, weight: Int)]

    static func == (lhs: DashboardLoad, rhs: DashboardLoad) -> Bool {
        lhs.chain == rhs.chain && lhs.strategy == rhs.strategy && lhs.requests == rhs.requests
            && lhs.concurrency == rhs.concurrency && lhs.methods.map(\.name) == rhs.methods.map(\.name)
            && lhs.methods.map(\.weight) == rhs.methods.map(\.weight)
    }

    static let maxRequests = 10_000
    static let maxConcurrency = 64

    /// The methods offered and their params.
    static let params: [String: String] = [
        "eth_blockNumber": "[]",
        "eth_chainId": "[]",
        "eth_gasPrice": "[]",
        "net_version": "[]",
        "eth_getBalance": #"["0x0000000000000000000000000000000000000000","latest"]"#,
        "eth_getBlockByNumber": #"["latest",false]"#,
    ]

    /// The load `body` asks for on one of `chains`, or why it is not one.
    static func parse(_ body: [UInt8], chains: [String]) -> Result<DashboardLoad, DashboardLoadError> {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return .failure(DashboardLoadError("the body must be a JSON object"))
        }
        guard let chain = object["chain"] as? String, chains.contains(chain) else {
            return .failure(DashboardLoadError("chain must be one of: \(chains.joined(separator: ", "))"))
        }
        guard let name = object["strategy"] as? String, let strategy = SelectionStrategy(name: name) else {
            return .failure(DashboardLoadError("strategy must be fastest, cheapest, priority or round-robin"))
        }
        guard let requests = object["requests"] as? Int, (1...maxRequests).contains(requests) else {
            return .failure(DashboardLoadError("requests must be 1 to \(maxRequests)"))
        }
        let concurrency = object["concurrency"] as? Int ?? 8
        guard (1...maxConcurrency).contains(concurrency) else {
            return .failure(DashboardLoadError("concurrency must be 1 to \(maxConcurrency)"))
        }
        guard let weights = object["methods"] as? [String: Any], !weights.isEmpty else {
            return .failure(DashboardLoadError("methods must map method names to weights"))
        }
        var methods: [(name: String, weight: Int)] = []
        for (method, value) in weights.sorted(by: { $0.key < $1.key }) {
            guard params[method] != nil else {
                return .failure(DashboardLoadError(
                    "method \(method.prefix(64)) is not offered; use \(params.keys.sorted().joined(separator: ", "))"))
            }
            guard let weight = value as? Int, (1...100).contains(weight) else {
                return .failure(DashboardLoadError("the weight of \(method) must be 1 to 100"))
            }
            methods.append((method, weight))
        }
        return .success(DashboardLoad(chain: chain, strategy: strategy, requests: requests, concurrency: concurrency,
                                      methods: methods))
    }

    /// The method of request number `index`: the weights laid out in a cycle.
    func method(at index: Int) -> String {
        let total = methods.reduce(0) { $0 + $1.weight }
        var position = index % max(1, total)
        for method in methods {
            if position < method.weight { return method.name }
            position -= method.weight
        }
        return methods.first?.name ?? "eth_blockNumber"
    }

    /// The JSON-RPC body of request number `index`.
    func body(at index: Int) -> [UInt8] {
        let method = method(at: index)
        return JSONRPCRequestBody.make(method, id: index) { $0.raw("params", (Self.params[method] ?? "[]").utf8) }
    }

    /// The route the requests take.
    var path: String { "/rpc/\(strategy.pathSegment)/\(chain)" }
}

/// Why a load request was refused; the text of the error reply.
struct DashboardLoadError: Error, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
