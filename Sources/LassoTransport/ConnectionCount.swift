import Synchronization

/// How many connections an ``HTTPServer`` holds open now, HTTP and WebSocket apart, kept by its
/// loops as they accept, upgrade and close connections. Reading it costs two atomic loads and
/// never visits a loop, so a handler running on one loop (`/metrics`) can report the whole
/// server. One count may outlive a server and serve its successor (a restarted listener).
///
/// ```swift
/// let count = ConnectionCount()
/// var configuration = HTTPServer.Configuration(port: 0)
/// configuration.connectionCount = count
/// let open = count.http + count.webSockets   // 0 until clients connect
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class ConnectionCount: Sendable {
    private let openHTTP = Atomic<Int>(0)
    private let openWebSockets = Atomic<Int>(0)

    public init() {}

    /// HTTP connections open now (a WebSocket counts here until its handshake completes).
    public var http: Int { openHTTP.load(ordering: .relaxed) }

    /// WebSocket connections open now.
    public var webSockets: Int { openWebSockets.load(ordering: .relaxed) }

    /// Applies one loop's change since it last reported.
    func add(http: Int, webSockets: Int) {
        if http != 0 { openHTTP.add(http, ordering: .relaxed) }
        if webSockets != 0 { openWebSockets.add(webSockets, ordering: .relaxed) }
    }
}
