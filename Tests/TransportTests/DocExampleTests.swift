import Foundation
import Testing
import TestSupport
@testable import LassoTransport

// Every ```swift example in the doc comments of Sources/LassoTransport, compiled and run here as
// it stands there, each followed by what it claims. The last test checks that each example's
// lines stand in this file in the same order (`docExampleProblems`), so a doc example cannot
// drift from code that compiles.

/// `HTTPRouter`'s example names a function that renders the metrics page.
private func metrics() -> String { "requests_total 0\n" }

/// A unique socket path in the temporary directory.
private func temporarySocketPath() -> String {
    NSTemporaryDirectory() + "lasso-doc-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
}

/// `LineServer`'s example, serving while `body` runs.
private func lineServerExample(loop: EventLoop, path: String, while body: () async -> Void) async throws {
    let server = try LineServer(loop: loop, path: path, refusal: { Array("error: \($0)".utf8) }) { line, reply in
        reply.send(Array("echo: ".utf8) + line)
    }
    await body()
    server.stop()
}

@Suite struct DocExampleTests {
    @Test func chunkedDecoder() throws {
        var decoder = ChunkedDecoder(limit: 1024)
        var body: [UInt8] = []
        let input = Array("5\r\nhello\r\n0\r\n\r\n".utf8)
        let used = try input.withUnsafeBytes { try decoder.decode($0, into: &body) }   // (consumed: 15, done: true), body "hello"
        #expect(used.consumed == 15 && used.done)
        #expect(body == Array("hello".utf8))
    }

    @Test func eventLoop() async throws {
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in responder.respond(.json(request.body)) }
        let loop = try EventLoop()
        let server = try HTTPServer(loop: loop, configuration: .init(port: 0), router: router)   // port 0: any free one, see server.port
        // … serve …
        let response = try await HTTPClient(loop: loop).post("http://127.0.0.1:\(server.port)/rpc", body: Array("[1]".utf8))
        #expect(response.body == Array("[1]".utf8))
        loop.stop()
        await #expect(throws: HTTPClientError.loopStopped) {
            try await HTTPClient(loop: loop).post("http://127.0.0.1:\(server.port)/rpc", body: [])
        }
    }

    @Test func eventLoopGroup() async throws {
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in responder.respond(.json(request.body)) }
        let group = try EventLoopGroup(count: 2)
        let server = try await HTTPServer.start(group: group, configuration: .init(port: 0), router: router)
        let client = HTTPClient(group: group)
        // …
        for index in 0..<4 {
            let response = try await client.post("http://127.0.0.1:\(server.port)/rpc", body: Array("[\(index)]".utf8))
            #expect(response.body == Array("[\(index)]".utf8))
        }
        #expect(group.loops.count == 2)
        group.stop()
    }

    /// `HTTPClient`'s example, against an upstream on loopback `port`.
    func httpClientExample(loop: EventLoop, port: Int, json: String) async throws -> HTTPClientResponse? {
        let client = HTTPClient(loop: loop)
        guard let url = UpstreamURL("http://127.0.0.1:\(port)/rpc") else { return nil }   // https:// too; an API key in the path stays out of errors
        let response = try await client.post(url, body: Array(json.utf8))   // a 2xx response, or throws an HTTPClientError
        client.shutdown()
        return response
    }

    @Test func httpClient() async throws {
        let fixture = try ServerFixture()   // POST /rpc echoes the body
        let json = #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#
        let response = try #require(try await httpClientExample(loop: fixture.loop, port: fixture.port, json: json))
        #expect(response.status == 200 && response.body == Array(json.utf8))
    }

    @Test func httpDate() {
        var date = HTTPDate()
        let value = date.current()   // "Mon, 07 Dec 2026 10:00:00 GMT", as bytes; formatted at most once a second
        #expect(value.count == 29 && String(decoding: value.suffix(4), as: UTF8.self) == " GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func httpFields() throws {
        let section = Array("Host: a\r\nX-Id:  7 \r\n".utf8)
        let fields = try section.withUnsafeBytes { try HTTPFields.parse($0, limit: 100) }
        let host = fields["host"]   // "a"
        let id = fields["x-id"]     // "7": looked up by lower-case name; values are trimmed
        #expect(host == "a" && id == "7")
    }

    @Test func httpHeadScanner() {
        var scanner = HTTPHeadScanner()
        let part = Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8), whole = part + Array("\r\n".utf8)
        let first = part.withUnsafeBytes { scanner.scan($0) }    // .incomplete(firstLineLength: 14)
        let second = whole.withUnsafeBytes { scanner.scan($0) }  // .complete(headLength: 27)
        #expect(first == .incomplete(firstLineLength: 14))
        #expect(second == .complete(headLength: 27))
    }

    @Test func httpRequestHead() throws {
        let bytes = Array("POST /rpc?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n".utf8)
        let head = try bytes.withUnsafeBytes { try HTTPRequestHead.parse($0) }
        // head.method .post, head.path "/rpc", head.query "x=1", head.framing .length(2), head.keepAlive true
        #expect(head.method == .post && head.path == "/rpc" && head.query == "x=1")
        #expect(head.framing == .length(2) && head.keepAlive)
    }

    @Test func httpResponseHead() throws {
        let bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".utf8)
        let head = try bytes.withUnsafeBytes { try HTTPResponseHead.parse($0) }
        // head.status 200, head.framing .length(5), head.keepAlive true
        #expect(head.status == 200 && head.framing == .length(5) && head.keepAlive)
    }

    @Test func httpRouter() {
        var router = HTTPRouter()
        router.add(.post, prefix: "/rpc/") { request, responder in responder.respond(.json(request.body)) }
        router.add(.get, "/metrics") { _, responder in responder.respond(.text(metrics())) }
        let match = router.match(.put, "/metrics")   // .methodNotAllowed(allowed: [.get]): 405
        guard case .methodNotAllowed(let allowed) = match else { Issue.record("\(match)"); return }
        #expect(allowed == [.get])
        guard case .handler = router.match(.post, "/rpc/ethereum") else { Issue.record("no prefix route"); return }
        guard case .notFound = router.match(.get, "/nothing") else { Issue.record("a route for /nothing"); return }
    }

    @Test func httpServer() async throws {
        let loop = try EventLoop()
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in responder.respond(.json(#"{"ok":true}"#)) }
        let server = try HTTPServer(loop: loop, configuration: .init(port: 0), router: router)   // port 0: any free one, see server.port
        let response = try await HTTPClient(loop: loop).post("http://127.0.0.1:\(server.port)/rpc", body: Array("{}".utf8))
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok":true}"#)
        loop.stop()
    }

    @Test func lineServerAndClient() async throws {
        let loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
        let path = temporarySocketPath()
        defer { unlink(path) }
        var received: Result<[UInt8], LineClient.Failure>?
        try await lineServerExample(loop: loop, path: path) {
            let reply = await LineClient(loop: loop).exchange(Array("{\"cmd\":\"tree\"}\n".utf8), path: path, timeout: .seconds(10))
            // .success(the reply line, without its newline), or why not: .unreachable, .closedWithoutReply, .timedOut, …
            received = reply
        }
        #expect(received == .success(Array(#"echo: {"cmd":"tree"}"#.utf8)))
        let afterStop = await LineClient(loop: loop).exchange(Array("{}\n".utf8), path: path, timeout: .seconds(10))
        guard case .failure(.unreachable) = afterStop else { Issue.record("\(afterStop)"); return }
        loop.stop()
    }

    @Test func outputQueue() {
        var queue = OutputQueue()
        queue.append([1, 2, 3])
        queue.consume(2)
        let unsent = queue.count   // 1: [3] is left
        #expect(unsent == 1)
        #expect(queue.withFirstTwoRegions { first, second in Array(first) == [3] && second == nil })
    }

    @Test func connectionCount() {
        let count = ConnectionCount()
        var configuration = HTTPServer.Configuration(port: 0)
        configuration.connectionCount = count
        let open = count.http + count.webSockets   // 0 until clients connect
        #expect(open == 0 && configuration.connectionCount === count)
    }

    @Test func reconnectBackoff() {
        let backoff = ReconnectBackoff(initial: .milliseconds(500), multiplier: 2, maximum: .seconds(30), jitter: 0.2)
        let first = backoff.delay(attempt: 0, random: 0.7)    // .zero: immediate
        let second = backoff.delay(attempt: 1, random: 0.5)   // 0.5 s (random 0.5: no jitter)
        let fourth = backoff.delay(attempt: 3, random: 0.5)   // 2 s
        let late = backoff.delay(attempt: 20, random: 0.99)   // ≤ 30 s
        #expect(first == .zero && second == .milliseconds(500) && fourth == .seconds(2))
        #expect(late <= .seconds(30) && late > .seconds(29))
    }

    @Test func socketAddress() {
        let v4 = SocketAddress(ip: "127.0.0.1", port: 4000)     // 127.0.0.1:4000
        let v6 = SocketAddress(ip: "::1", port: 4000)           // [::1]:4000
        let name = SocketAddress(ip: "localhost", port: 4000)   // nil: names are resolved elsewhere
        let unix = SocketAddress(unixPath: "/run/lassod.sock")
        #expect(v4?.description == "127.0.0.1:4000" && v6?.description == "[::1]:4000")
        #expect(name == nil && unix?.description == "/run/lassod.sock")
    }

    @Test func webSocketFrameHeader() {
        // A masked text frame "hi" from a client:
        let frame: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2]
        let decoded = frame.withUnsafeBytes { WebSocketFrameHeader.decode($0, expectMasked: true, maxPayload: 1024) }
        // .frame(WebSocketFrameHeader(fin: true, opcode: .text, mask: (1, 2, 3, 4), payloadLength: 2), headerLength: 6)
        #expect(decoded == .frame(WebSocketFrameHeader(fin: true, opcode: .text, mask: (1, 2, 3, 4), payloadLength: 2), headerLength: 6))
        let fromServer = frame.withUnsafeBytes { WebSocketFrameHeader.decode($0, expectMasked: false, maxPayload: 1024) }
        #expect(fromServer == .violation(.protocolError))
    }

    @Test func webSocketHandshake() {
        let accept = WebSocketHandshake.acceptValue(for: "dGhlIHNhbXBsZSBub25jZQ==")   // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", RFC 6455's example
        #expect(accept == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func webSocketReader() {
        let buffer: [UInt8] = [0x81, 0x82, 1, 2, 3, 4, 0x68 ^ 1, 0x69 ^ 2, 0x81]   // a frame "hi" and the start of the next
        var messages: [WebSocketMessage] = []
        func handle(_ message: WebSocketMessage) { messages.append(message) }
        var reader = WebSocketReader(expectMasked: true, maxMessageBytes: 1 << 20)
        let used = buffer.withUnsafeBytes { bytes in
            reader.read(bytes) { event in
                if case .message(let message) = event { handle(message) }
                return true   // keep going
            }
        }   // whole frames only: the rest waits for more bytes
        #expect(used == 8 && messages == [.text("hi")])
    }

    @Test func webSocketClient() async throws {
        let upstream = try EchoWebSocketServer()
        let (loop, messages) = (upstream.fixture.loop, Recorder<WebSocketMessage>())
        @Sendable func handle(_ message: WebSocketMessage) { messages.record(message) }
        let url = try #require(UpstreamURL("ws://127.0.0.1:\(upstream.port)/ws"))
        let client = WebSocketClient(loop: loop, url: url) { event in   // url: an UpstreamURL, ws:// or wss://
            if case .message(let message) = event { handle(message) }
        }
        client.start()
        let connection = try #require(await waitFor { upstream.openedConnection() })
        upstream.server.send(connection, "hello")
        #expect(await messages.first(where: { $0 == .text("hello") }) != nil)
        client.close()
    }

    @Test func staticFiles() async throws {
        let directory = NSTemporaryDirectory() + "lasso-doc-static-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "<h1>lassod</h1>".write(toFile: directory + "/index.html", atomically: true, encoding: .utf8)
        let fixture = try ServerFixture(routes: { router in
            router.add(.get, prefix: "/dashboard/", StaticFiles.handler(directory: directory, urlPrefix: "/dashboard/"))
        })
        let port = fixture.port
        let page = try #require(await offPool { RawSocket.get(port: port, "/dashboard/") })   // index.html for a directory
        #expect(page.status == 200 && page.text == "<h1>lassod</h1>")
        #expect(await offPool { RawSocket.get(port: port, "/dashboard/missing.css") }?.status == 404)
    }

    @Test func everyDocExampleStandsInThisFile() throws {
        let examples = try docExamples(under: "Sources/LassoTransport")
        #expect(examples.count >= 20)
        let problems = try docExampleProblems(examples)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
