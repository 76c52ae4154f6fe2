import Synchronization
import Lasso
import LassoSimulation
import LassoTransport
import Supervision

/// An upstream whose answers wait for the test: it answers every request as a simulated
/// provider would, but holds its replies to one method until the test releases them. What a
/// drain test needs to know, without measuring time, that requests were still in flight.
///
/// ```swift
/// let upstream = try HeldRepliesUpstream(holding: "eth_chainId")   // url for lassod's config
/// // … requests reach it: upstream.heldCount == 2
/// upstream.releaseOldest()   // the first one is answered
/// upstream.releaseAll()      // the rest, and every later one at once
/// ```
final class HeldRepliesUpstream: Sendable {
    /// The provider whose logic answers (and counts) the requests.
    let provider: SimulatedProvider
    private let loop: EventLoop
    private let server: HTTPServer
    private let state: Held

    /// Shared with the route handler.
    final class Held: Sendable {
        struct State {
            var releasedAll = false
            var replies: [@Sendable () -> Void] = []
        }
        let state = Mutex(State())
    }

    /// lassod's `url:` for this upstream.
    var url: String { "http://127.0.0.1:\(server.port)/" }

    /// Replies waiting for the test.
    var heldCount: Int { state.state.withLock { $0.replies.count } }

    init(holding method: String) throws {
        let loop = try EventLoop()
        let provider = SimulatedProvider(id: "held", chain: SimulatedChain(chainID: 1, blockIntervalMs: 12_000))
        let state = Held()
        var router = HTTPRouter()
        router.add(.post, prefix: "/") { request, responder in
            guard case .respond(let reply) = provider.handleHTTP(body: request.body,
                                                                  now: SystemClock.shared.now()) else { return }
            let response = HTTPResponse(status: reply.status, headers: reply.headers.map { (name: $0.key, value: $0.value) },
                                        body: reply.body)
            let answer: @Sendable () -> Void = { responder.respond(response) }
            guard case .request(let head) = JSONRPCScanner.scanBody(request.body), head.method == method else {
                answer()
                return
            }
            let held = state.state.withLock { state in
                if !state.releasedAll { state.replies.append(answer) }
                return !state.releasedAll
            }
            if !held { answer() }
        }
        server = try HTTPServer(loop: loop, configuration: .init(host: "127.0.0.1", port: 0), router: router)
        self.loop = loop
        self.provider = provider
        self.state = state
    }

    /// Answers the request held longest.
    func releaseOldest() {
        let answer = state.state.withLock { $0.replies.isEmpty ? nil : $0.replies.removeFirst() }
        answer?()
    }

    /// Answers every held request, and from now on every request at once.
    func releaseAll() {
        let answers = state.state.withLock { state in
            state.releasedAll = true
            defer { state.replies = [] }
            return state.replies
        }
        for answer in answers { answer() }
    }

    func stop() {
        server.stop()
        loop.stop()
    }
}
