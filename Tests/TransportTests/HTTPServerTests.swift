import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
@Suite("HTTP server")
struct HTTPServerTests {
    @Test func postEchoAndKeepAlive() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        for i in 0..<20 {
            socket.send(postRequest("/rpc", #"{"jsonrpc":"2.0","id":\#(i),"method":"eth_blockNumber"}"#))
            let response = try #require(socket.readResponse())
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(response.text == #"{"jsonrpc":"2.0","id":\#(i),"method":"eth_blockNumber"}"#)
        }
    }

    @Test func getWithQueryAndHeaders() throws {
        let seen = Mutex<[String: String]>([:])
        let fixture = try ServerFixture(routes: { router in
            router.add(.get, "/api/headers") { request, responder in
                seen.withLock { $0 = request.headers }
                responder.respond(.json(#"{"a":"\#(request.queryValue("a") ?? "")"}"#))
            }
        })
        let response = try #require(fixture.roundTrip(
            "GET /api/headers?a=1&b=2 HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\nX-Api-Key: k1\r\n\r\n"))
        #expect(response.status == 200)
        #expect(response.text == #"{"a":"1"}"#)
        let headers = seen.withLock { $0 }
        #expect(headers["user-agent"] == "t")
        #expect(headers["x-api-key"] == "k1")
        #expect(headers["host"] == "127.0.0.1")
        let status = try #require(fixture.roundTrip(getRequest("/api/status?x=y")))
        #expect(status.text == #"{"status":"ok","query":"x=y"}"#)
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let fixture = try ServerFixture(configure: { $0.keepAliveTimeout = .seconds(1) })
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send(postRequest("/rpc", "{}"))
        #expect(socket.readResponse()?.status == 200)
        #expect(socket.waitForClose())
    }

    @Test func asyncReplyFromAnotherThread() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        for i in 0..<10 {
            socket.send(postRequest("/async/x", #"{"id":\#(i)}"#))
            #expect(socket.readResponse()?.text == #"{"id":\#(i)}"#)
        }
    }

    @Test func unknownRouteAndWrongMethod() throws {
        let fixture = try ServerFixture(configure: { $0.errorResponse = { status, message, _ in
            .json(#"{"error":"\#(message)","status":\#(status)}"#, status: status)
        } })
        let missing = try #require(fixture.roundTrip(getRequest("/nope")))
        #expect(missing.status == 404)
        #expect(missing.text == #"{"error":"not found","status":404}"#)
        let wrong = try #require(fixture.roundTrip(getRequest("/rpc")))
        #expect(wrong.status == 405)
        #expect(wrong.headers["allow"] == "POST")
        #expect(fixture.stillServes())
    }

    @Test func oversizedBodyGets413FromTheErrorResponse() throws {
        let fixture = try ServerFixture(configure: {
            $0.maxBodyBytes = 1000
            $0.errorResponse = { status, message, request in
                .json(#"{"error":"\#(message)","path":"\#(request?.path ?? "?")"}"#, status: status)
            }
        })
        let socket = try #require(RawSocket(port: fixture.port))
        let big = String(repeating: "x", count: 5000)
        socket.send(postRequest("/rpc", big))
        let response = try #require(socket.readResponse())
        #expect(response.status == 413)
        #expect(response.text == #"{"error":"request body too large","path":"/rpc"}"#)
        #expect(socket.waitForClose())
        // Exactly at the limit is fine.
        #expect(fixture.roundTrip(postRequest("/rpc", String(repeating: "y", count: 1000)))?.status == 200)
        #expect(fixture.stillServes())
    }

    @Test func defaultBodyLimitIsOneMebibyte() throws {
        let fixture = try ServerFixture()
        let ok = String(repeating: "a", count: 1 << 20)
        #expect(fixture.roundTrip(postRequest("/rpc", ok))?.body.count == 1 << 20)
        #expect(fixture.roundTrip(postRequest("/rpc", ok + "b"))?.status == 413)
    }

    @Test func malformedRequestLine() throws {
        let fixture = try ServerFixture(configure: { $0.slowClientTimeout = .seconds(1) })
        for garbage in ["GARBAGE\r\n\r\n", "POST\r\n\r\n", "\u{1}\u{2}\u{3} / HTTP/9.9\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n"] {
            let socket = try #require(RawSocket(port: fixture.port))
            socket.send(garbage)
            // Either an error status or a closed connection; never a hang, never a crash.
            if let response = socket.readResponse() { #expect(response.status >= 400) }
            #expect(fixture.stillServes())
        }
    }

    @Test func aPostWithoutContentLengthHasAnEmptyBody() throws {
        // RFC 9112 §6.3: a request with neither Content-Length nor Transfer-Encoding has no body.
        let fixture = try ServerFixture()
        let response = try #require(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(fixture.stillServes())
    }

    @Test func contentLengthLargerThanBodyTimesOut() throws {
        let fixture = try ServerFixture(configure: { $0.slowClientTimeout = .seconds(2) })
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"id\":1}")
        #expect(socket.waitForClose())
        #expect(fixture.stillServes())
    }

    @Test func contentLengthSmallerThanBody() throws {
        // The leftover bytes start a head that never ends: cut after 1 s, not the default 5 s.
        let fixture = try ServerFixture(configure: { $0.slowClientTimeout = .seconds(1) })
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{\"id\":1}")
        let first = try #require(socket.readResponse())
        #expect(first.text == "{\"i")
        // The leftover bytes are a malformed next request: error or close, server unharmed.
        if let second = socket.readResponse() { #expect(second.status >= 400) }
        #expect(fixture.stillServes())
    }

    @Test func invalidUTF8BodyIsPassedThroughAsBytes() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        let body: [UInt8] = [0x7B, 0xFF, 0xFE, 0xC0, 0x7D]
        socket.send(Array("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n".utf8) + body)
        #expect(socket.readResponse()?.body == body)
        #expect(fixture.stillServes())
    }

    @Test func clientDisconnectsMidBodyAndMidResponse() throws {
        let fixture = try ServerFixture()
        for _ in 0..<20 {
            let socket = try #require(RawSocket(port: fixture.port))
            socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"partial\":")
            socket.reset()
        }
        let big = String(repeating: "z", count: 900_000)
        for _ in 0..<5 {
            let socket = try #require(RawSocket(port: fixture.port))
            socket.send(postRequest("/rpc", big))
            _ = socket.receive(max: 100)
            socket.reset()
        }
        #expect(fixture.stillServes())
    }

    @Test func slowlorisIsClosedWhileOthersAreServed() throws {
        let fixture = try ServerFixture(configure: { $0.slowClientTimeout = .seconds(2) })
        let slow = try #require(RawSocket(port: fixture.port, timeoutSeconds: 15))
        slow.send("GET /api/status HTTP/1.1\r\n")
        let pieces = ["Host: x\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "X-C: 3\r\n", "X-D: 4\r\n", "X-E: 5\r\n"]
        let sent = Recorder<String>()
        let closed = DispatchSemaphore(value: 0)
        let trickleDone = DispatchSemaphore(value: 0)
        Thread {
            // One header line per second: each byte is progress, none completes the head.
            for piece in pieces {
                guard slow.send(piece) else { break }
                sent.record(piece)
                if closed.wait(timeout: .now() + 1) == .success { break }
            }
            trickleDone.signal()
        }.start()
        for _ in 0..<5 { #expect(fixture.stillServes()) }
        #expect(slow.waitForClose())
        let sentBeforeClose = sent.all.count
        closed.signal()
        trickleDone.wait()
        // Progress does not extend the deadline: the server closed while the client was still
        // trickling, not after its last line.
        #expect(sentBeforeClose < pieces.count, "closed after \(sentBeforeClose) of \(pieces.count) lines")
    }

    @Test func thousandConnectionsOpenedAndDropped() throws {
        let fixture = try ServerFixture()
        var sockets: [RawSocket] = []
        for _ in 0..<1000 {
            if let socket = RawSocket(port: fixture.port) { sockets.append(socket) }
        }
        #expect(sockets.count == 1000)
        for (index, socket) in sockets.enumerated() where index % 2 == 0 { socket.reset() }
        sockets.removeAll()
        #expect(fixture.stillServes())
    }

    @Test func serverStopLeavesTheLoopServing() throws {
        let fixture = try ServerFixture()
        fixture.server.stop()
        // Stopping from inside a handler (on the loop thread) is deferred, not a crash.
        let stopping = Mutex<HTTPServer?>(nil)
        var router = HTTPRouter()
        router.add(.get, "/stop") { _, responder in
            responder.respond(.text("bye"))
            stopping.withLock { $0 }?.stop()
        }
        let server = try HTTPServer(loop: fixture.loop, configuration: .init(host: "127.0.0.1", port: 0), router: router)
        stopping.withLock { $0 = server }
        let socket = try #require(RawSocket(port: server.port))
        socket.send(getRequest("/stop"))
        #expect(socket.readResponse()?.text == "bye")
        var echo = HTTPRouter()
        echo.add(.get, "/ok") { _, responder in responder.respond(.text("ok")) }
        let third = try HTTPServer(loop: fixture.loop, configuration: .init(host: "127.0.0.1", port: 0), router: echo)
        let client = try #require(RawSocket(port: third.port))
        client.send(getRequest("/ok"))
        #expect(client.readResponse()?.text == "ok")
    }

    @Test func aStoppedServerReleasesItsPortAtOnceForTheNextServer() throws {
        let fixture = try ServerFixture()
        // A connection left open: lws would keep the old listener alive for it.
        let lingering = try #require(RawSocket(port: fixture.port))
        lingering.send(getRequest("/api/status"))
        #expect(lingering.readResponse()?.status == 200)
        fixture.server.stop()
        #expect(RawSocket(port: fixture.port) == nil, "nothing listens once stop returns")

        var router = HTTPRouter()
        router.add(.get, "/next") { _, responder in responder.respond(.text("next")) }
        let next = try HTTPServer(loop: fixture.loop, configuration: .init(host: "127.0.0.1", port: fixture.port),
                                  router: router)
        let socket = try #require(RawSocket(port: next.port))
        socket.send(getRequest("/next"))
        #expect(socket.readResponse()?.text == "next", "the new server, not the old listener, answers")
        next.stop()
    }
}
}

extension TransportTests {
@Suite("HTTP server capacity and files")
struct HTTPServerCapacityTests {
    @Test func staticFiles() throws {
        let directory = NSTemporaryDirectory() + "lasso-static-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory + "/css", withIntermediateDirectories: true)
        try "<h1>lasso</h1>".write(toFile: directory + "/index.html", atomically: true, encoding: .utf8)
        try "body{}".write(toFile: directory + "/css/app.css", atomically: true, encoding: .utf8)
        try "secret".write(toFile: NSTemporaryDirectory() + "lasso-outside-\(getpid()).txt", atomically: true, encoding: .utf8)
        let fixture = try ServerFixture(configure: { _ in }) { router in
            router.add(.get, prefix: "/dashboard/", StaticFiles.handler(directory: directory, urlPrefix: "/dashboard/"))
        }
        let index = try #require(fixture.roundTrip(getRequest("/dashboard/")))
        #expect(index.status == 200)
        #expect(index.headers["content-type"] == "text/html; charset=utf-8")
        #expect(index.text == "<h1>lasso</h1>")
        #expect(fixture.roundTrip(getRequest("/dashboard/css/app.css"))?.text == "body{}")
        #expect(fixture.roundTrip(getRequest("/dashboard/missing.js"))?.status == 404)
        let escape = fixture.roundTrip(getRequest("/dashboard/../lasso-outside-\(getpid()).txt"))
        #expect(escape?.text != "secret")
    }

    @Test func aSecondStopWaitsForTheDestroyTheFirstScheduled() throws {
        // Two stops in one loop turn (a `drain` deadline and a `stop`, say): each caller hears
        // of it only once the listening socket is closed.
        let loop = try EventLoop()
        defer { loop.stop() }
        let state = HTTPServerState(core: loop.core, configuration: .init(host: "127.0.0.1", port: 0),
                                    router: HTTPRouter(), webSocket: nil, tls: nil)
        let address = try #require(SocketAddress(ip: "127.0.0.1", port: 0))
        guard case .success(let port)? = loop.performAndWait({ state.start(address) }) else {
            Issue.record("the server did not start")
            return
        }
        let order = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        _ = loop.performAndWait {
            state.stop { order.withLock { $0.append("first") } }
            state.stop {
                order.withLock { $0.append(RawSocket(port: port) == nil ? "second, port closed" : "second, port open") }
                done.signal()
            }
        }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(order.withLock { $0 } == ["first", "second, port closed"])
    }
}
}
