import Foundation
import Supervision
import LassoTransport

/// The JSON APIs: `GET /api/health`, `GET /api/chains`, `GET /api/chains/:chain/status`.
///
/// Off the hot path: answers are encoded with Foundation, and status asks the chain's
/// processes. `/api/health` answers 200 while lassod serves, for load-balancer health checks.
public final class APIEndpoint: Sendable {
    let configs: CurrentConfig
    let directory: ChainDirectory
    let names: ProcessNames
    let clock: any RuntimeClock
    let subscriptions: SubscriptionTables?

    public init(configs: CurrentConfig, directory: ChainDirectory, names: ProcessNames, clock: any RuntimeClock,
                subscriptions: SubscriptionTables? = nil) {
        self.subscriptions = subscriptions
        self.configs = configs
        self.directory = directory
        self.names = names
        self.clock = clock
    }

    struct Health: Codable {
        var status: String
        var version: String
        var chainsConfigured: Int
        var chainsRunning: Int
        /// `server.region`, or `local` when the node names none.
        var region: String
        enum CodingKeys: String, CodingKey {
            case status, version, region
            case chainsConfigured = "chains_configured"
            case chainsRunning = "chains_running"
        }
    }

    /// Answers a GET under `/api`; `nil` when the path is not one of ours.
    public func handle(_ request: HTTPRequest) async -> HTTPResponse? {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "api" else { return nil }
        let config = configs.config
        switch Array(parts.dropFirst()) {
        case ["health"]:
            let running = config.chains.filter { directory.board(for: $0.key) != nil }.count
            return Self.json(Health(status: "ok", version: LassoVersion.string, chainsConfigured: config.chains.count,
                                    chainsRunning: running, region: Region.name(config.server.region)))
        case ["chains"]:
            return Self.json(directory.summaries(of: config))
        case let path where path.count == 3 && path[0] == "chains" && path[2] == "status":
            guard let chain = config.chain(named: path[1]) else {
                return Self.notFound("unknown chain: \(path[1])")
            }
            var status = await ChainStatus.gather(chain: chain, directory: directory, names: names, clock: clock,
                                                  subscriptions: subscriptions)
            status.region = Region.name(config.server.region)
            return Self.json(status)
        default:
            return Self.notFound("no such endpoint: \(request.path)")
        }
    }

    static func json(_ value: some Encodable) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return error("encoding failed", status: 500) }
        return .json(Array(data))
    }

    static func notFound(_ message: String) -> HTTPResponse {
        error(message, status: 404)
    }

    /// `{"error":"…"}` with `status`.
    static func error(_ message: String, status: Int) -> HTTPResponse {
        var json = JSONWriter(capacity: 32 + message.utf8.count)
        json.beginObject()
        json.string("error", message)
        json.endObject()
        return .json(json.finish(), status: status)
    }
}
