import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
/// What one client can do to everyone else: pipelining, splitting, dripping, hoarding
/// connections. After each, other clients are served and the server is still there.
@Suite("HTTP server under abuse")
struct HTTPServerAbuseTests {
    private static func body(_ id: Int) -> String { #"{"jsonrpc":"2.0","id":\#(id),"method":"eth_blockNumber"}"# }

    @Test(arguments: [2, 3, 50])
    func pipelinedPostsInOneWriteAreAllAnsweredInOrder(count: Int) throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send((0..<count).map { postRequest("/rpc", Self.body($0)) }.joined())
        // Another connection is served while this one's requests are queued.
        #expect(fixture.stillServes())
        for id in 0..<count {
            #expect(socket.readResponse()?.text == Self.body(id))
        }
        #expect(fixture.stillServes())
    }

    @Test func pipelinedRequestsMixGetsPostsAndAsynchronousAnswers() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        var expected: [String] = []
        var stream = ""
        for id in 0..<30 {
            switch id % 3 {
            case 0:
                stream += postRequest("/rpc", Self.body(id))
                expected.append(Self.body(id))
            case 1:
                stream += getRequest("/api/status?n=\(id)")
                expected.append(#"{"status":"ok","query":"n=\#(id)"}"#)
            default:
                // Answered from another thread later: ordering must hold across it.
                stream += postRequest("/async/x", Self.body(id))
                expected.append(Self.body(id))
            }
        }
        socket.send(stream)
        for text in expected { #expect(socket.readResponse()?.text == text) }
    }

    @Test func aRequestStreamSplitAtEveryByteBoundaryIsReadTheSame() throws {
        let fixture = try ServerFixture()
        let stream = Array((postRequest("/rpc", Self.body(1)) + getRequest("/api/status") + postRequest("/rpc", Self.body(2))).utf8)
        for split in 1..<stream.count {
            let socket = try #require(RawSocket(port: fixture.port))
            socket.send(Array(stream[..<split]))
            socket.send(Array(stream[split...]))
            #expect(socket.readResponse()?.text == Self.body(1), "split at \(split)")
            #expect(socket.readResponse()?.status == 200, "split at \(split)")
            #expect(socket.readResponse()?.text == Self.body(2), "split at \(split)")
        }
    }

    @Test func aRequestDrippedOneByteAtATimeIsAnswered() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        var one: Int32 = 1
        setsockopt(socket.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        for byte in Array(postRequest("/rpc", Self.body(9)).utf8) { socket.send([byte]) }
        #expect(socket.readResponse()?.text == Self.body(9))
    }

    @Test func slowAndSilentClientsAreClosedAtTheirDeadlines() throws {
        let fixture = try ServerFixture(configure: {
            $0.slowClientTimeout = .milliseconds(500)
            $0.keepAliveTimeout = .milliseconds(500)
        })
        let silent = try #require(RawSocket(port: fixture.port))
        let slowHead = try #require(RawSocket(port: fixture.port))
        slowHead.send("POST /rpc HTTP/1.1\r\nHost: x\r\n")
        let slowBody = try #require(RawSocket(port: fixture.port))
        slowBody.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        // A body dripped a byte at a time does not extend its deadline.
        let dripper = Thread {
            for _ in 0..<20 {
                guard slowBody.send("x") else { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        dripper.start()
        #expect(silent.waitForClose())
        #expect(slowHead.readResponse()?.status == 408)
        #expect(slowBody.readResponse()?.status == 408)
        #expect(fixture.stillServes())
    }

    @Test func atTheConnectionLimitNewClientsWaitInTheBacklogUntilOneCloses() throws {
        let fixture = try ServerFixture(configure: { $0.maxConnections = 4 })
        var held = (0..<4).compactMap { _ in RawSocket(port: fixture.port) }
        for socket in held { socket.send(postRequest("/rpc", "{}")); _ = socket.readResponse() }
        // The fifth connects (kernel backlog) but is not served until a slot frees.
        let waiting = try #require(RawSocket(port: fixture.port))
        waiting.send(postRequest("/rpc", Self.body(5)))
        #expect(fixture.server.statistics().openHTTPConnections == 4)
        held.removeFirst()
        #expect(waiting.readResponse()?.text == Self.body(5))
    }

    @Test func clientsThatVanishMidRequestLeaveNothingBehind() throws {
        let fixture = try ServerFixture()
        for round in 0..<50 {
            let socket = try #require(RawSocket(port: fixture.port))
            switch round % 4 {
            case 0: socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"a\"")
            case 1: socket.send("GET /api/st")
            case 2: socket.send(postRequest("/async/x", "{}"))
            default: socket.send(postRequest("/rpc", "{}") + postRequest("/rpc", "{}"))
            }
            socket.reset()
        }
        #expect(fixture.stillServes())
        let drained = waitForBlocking(within: .seconds(5)) { fixture.server.statistics().openHTTPConnections == 0 }
        #expect(drained)
    }
}
}
