import Dispatch
import LassoTransport

/// A loop plus a server with echo-style routes (`POST /rpc` echoes the body, `GET /api/status`
/// the query, `POST /async/…` echoes from another thread), stopped when the fixture goes.
public final class ServerFixture {
    public let loop: EventLoop
    public let server: HTTPServer

    public init(configure: (inout HTTPServer.Configuration) -> Void = { _ in },
                webSocket: WebSocketServerHandlers? = nil,
                routes: (inout HTTPRouter) -> Void = { _ in }) throws {
        loop = try EventLoop()
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in
            responder.respond(.json(request.body))
        }
        router.add(.get, "/api/status") { request, responder in
            responder.respond(.json(#"{"status":"ok","query":"\#(request.query)"}"#))
        }
        router.add(.post, prefix: "/async/") { request, responder in
            DispatchQueue.global().async { responder.respond(.json(request.body)) }
        }
        routes(&router)
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        server = try HTTPServer(loop: loop, configuration: configuration, router: router, webSocket: webSocket)
    }

    public var port: Int { server.port }

    deinit { loop.stop() }

    /// One fresh connection, one request, one response.
    public func roundTrip(_ request: String) -> RawResponse? {
        guard let socket = RawSocket(port: port) else { return nil }
        socket.send(request)
        return socket.readResponse()
    }

    /// True when a normal request on a new connection is answered: the server survived.
    public func stillServes() -> Bool {
        roundTrip(postRequest("/rpc", #"{"id":1}"#))?.text == #"{"id":1}"#
    }
}
