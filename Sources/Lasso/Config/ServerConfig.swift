import Foundation

/// `server:` — where lassod listens.
public struct ServerConfig: Sendable, Equatable {
    /// Listen address for HTTP and WebSocket clients. Default `127.0.0.1`.
    public var host: String
    /// Listen port. Default 4000.
    public var port: Int
    /// Path of the admin Unix socket used by `lassod ctl`. Default `lassod.sock`.
    public var adminSocket: String
    /// Largest request body accepted; bigger ones get HTTP 413. Default 1 MiB.
    public var maxBodyBytes: Int
    /// Bytes a client WebSocket may have waiting to be sent; a client that falls further behind
    /// is disconnected (1008) rather than slowing anyone else. Default 4 MiB.
    public var webSocketMaxQueuedBytes: Int
    /// Which browser origins may call the RPC and read-only API routes (`server.cors`).
    public var cors: CORSConfig
    /// Event loops (threads, each with its own libwebsockets context) that share the clients
    /// and the upstream connections. Default: the number of cores.
    public var eventLoops: Int
    /// Open client connections (HTTP and WebSocket) lassod holds at most, split evenly between
    /// the event loops (each takes its share, rounded up): a loop at its share stops accepting
    /// until one of its connections closes, and new clients wait in the kernel's backlog.
    /// Default: `defaultConnectionsPerLoop` per event loop, at most `defaultConnectionsCeiling`.
    public var maxConnections: Int
    /// The bearer token the dashboard's actions need (`admin_token`, usually `${ENV_VAR}`); nil
    /// (absent or empty) leaves the dashboard read-only: every action gets 403. It is a secret:
    /// scrubbed from log text like provider keys, never served, never printed.
    public var adminToken: String?
    /// The region this node serves (`region`, overridden by `LASSO_REGION`); nil when neither
    /// names one. When set it labels request log lines, metrics, `/api/health`, `status` and
    /// the dashboard, and benchmark snapshots are kept per region (see `Region`).
    public var region: String?

    /// The shortest `admin_token` accepted: a guessable token would open the actions to anyone
    /// who can reach the port.
    public static let minimumAdminTokenLength = 16

    /// The default `max_connections` per event loop: beyond about this many descriptors, one
    /// poll round of libwebsockets 4.1 (it walks every descriptor on each wake) costs more
    /// than a loop should spend.
    public static let defaultConnectionsPerLoop = 10_000

    /// The default `max_connections` never exceeds this, so the open-file limit lassod asks for
    /// by default (65,536) still leaves room for upstream connections however many loops there are.
    public static let defaultConnectionsCeiling = 60_000

    /// The largest `max_connections` accepted. Each loop's libwebsockets context keeps a lookup
    /// table of 8 bytes per descriptor the process may open, so the limit costs memory per loop.
    public static let maximumConnections = 1_000_000

    /// Each event loop's share of `maxConnections`, rounded up.
    public var maxConnectionsPerLoop: Int {
        let loops = max(1, eventLoops)
        return (maxConnections + loops - 1) / loops
    }

    /// The default `event_loops`: one per core.
    public static var defaultEventLoops: Int { min(64, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

    /// Creates a server section; the defaults are those of an absent `server:`.
    public init(host: String = "127.0.0.1", port: Int = 4000, adminSocket: String = "lassod.sock",
                maxBodyBytes: Int = 1_048_576, webSocketMaxQueuedBytes: Int = 4 << 20, cors: CORSConfig = .init(),
                eventLoops: Int = ServerConfig.defaultEventLoops, maxConnections: Int? = nil, adminToken: String? = nil,
                region: String? = nil) {
        self.host = host
        self.port = port
        self.adminSocket = adminSocket
        self.maxBodyBytes = maxBodyBytes
        self.webSocketMaxQueuedBytes = webSocketMaxQueuedBytes
        self.cors = cors
        self.eventLoops = eventLoops
        self.maxConnections = maxConnections ?? min(Self.defaultConnectionsPerLoop * max(1, eventLoops),
                                                    Self.defaultConnectionsCeiling)
        self.adminToken = adminToken
        self.region = region
    }

    static let keys = ["host", "port", "admin_socket", "max_body_bytes", "websocket_max_queued_bytes", "cors", "event_loops",
                       "max_connections", "admin_token", "region"]

    init(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) {
        let defaults = ServerConfig()
        let cors = fields.values["cors"].flatMap {
            decoder.fields(of: $0, path: fields.path("cors"), allowed: CORSConfig.keys)
        }
        self.init(host: decoder.string(fields, "host") ?? defaults.host,
                  port: decoder.int(fields, "port", in: 1...65535) ?? defaults.port,
                  adminSocket: Self.adminSocket(fields, &decoder) ?? defaults.adminSocket,
                  maxBodyBytes: decoder.int(fields, "max_body_bytes", in: 1...Int(Int32.max)) ?? defaults.maxBodyBytes,
                  webSocketMaxQueuedBytes: decoder.int(fields, "websocket_max_queued_bytes", in: 1...Int(Int32.max))
                      ?? defaults.webSocketMaxQueuedBytes,
                  cors: cors.map { CORSConfig($0, &decoder) } ?? defaults.cors,
                  eventLoops: decoder.int(fields, "event_loops", in: 1...64) ?? defaults.eventLoops,
                  maxConnections: decoder.int(fields, "max_connections", in: 1...Self.maximumConnections),
                  adminToken: Self.adminToken(fields, &decoder),
                  region: decoder.string(fields, "region"))
    }

    /// `admin_token`: empty (an unset variable's default) means none; a short one is an error.
    /// The message never quotes the value.
    private static func adminToken(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) -> String? {
        guard let token = decoder.string(fields, "admin_token", nonEmpty: false), !token.isEmpty else { return nil }
        guard token.count >= minimumAdminTokenLength else {
            decoder.report(fields.path("admin_token"), "must be at least \(minimumAdminTokenLength) characters",
                           line: fields.values["admin_token"]?.line)
            return nil
        }
        return token
    }

    /// `admin_socket`, when it can name a Unix socket (`AdminSocketPath.problem(with:)`): a bad
    /// path is a config error with its line, found by `check-config`, not a failure after start.
    private static func adminSocket(_ fields: ConfigFields, _ decoder: inout ConfigDecoder) -> String? {
        guard let path = decoder.string(fields, "admin_socket") else { return nil }
        if let problem = AdminSocketPath.problem(with: path) {
            decoder.report(fields.path("admin_socket"), problem, line: fields.values["admin_socket"]?.line)
            return nil
        }
        return path
    }
}
