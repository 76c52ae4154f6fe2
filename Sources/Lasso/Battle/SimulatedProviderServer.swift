import Dispatch
import Supervision

/// Serves one `SimulatedProvider` over HTTP on lassod's own transport: the upstream that tests,
/// `lassod demo` and the battle framework point lassod at.
///
/// Every POST, whatever its path, is a JSON-RPC body for the provider. Its verdict is carried
/// out: a response after its delay; `noReply` leaves the request hanging until the client gives
/// up; a closed connection (`down`, `killed`) is answered 503 with the connection closed, since
/// an already accepted HTTP connection cannot be refused.
public final class SimulatedProviderServer: Sendable {
    public let provider: SimulatedProvider
    let server: HTTPServer

    /// The port bound (`port: 0` picks a free one).
    public var port: Int { server.port }

    public init(provider: SimulatedProvider, loop: EventLoop, host: String = "127.0.0.1", port: Int = 0,
                clock: any RuntimeClock = SystemClock.shared) throws {
        self.provider = provider
        var router = HTTPRouter()
        router.add(.post, prefix: "/") { request, responder in
            let now = MonotonicInstant(milliseconds: clock.now().nanoseconds / 1_000_000)
            switch provider.handleHTTP(body: request.body, now: now) {
            case .respond(let reply):
                let response = HTTPResponse(status: reply.status,
                                            headers: reply.headers.map { (name: $0.key, value: $0.value) },
                                            body: reply.body)
                if reply.delayMs == 0 {
                    responder.respond(response)
                } else {
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(clamping: reply.delayMs))) {
                        responder.respond(response)
                    }
                }
            case .closeConnection:
                responder.respond(HTTPResponse(status: 503, body: [], closeConnection: true))
            case .noReply:
                break
            }
        }
        server = try HTTPServer(loop: loop, configuration: .init(host: host, port: port), router: router)
    }

    /// `http://host:port/` for the config.
    public var url: String { "http://127.0.0.1:\(port)/" }

    public func stop() { server.stop() }
}
