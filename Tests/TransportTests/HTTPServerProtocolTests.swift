import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

extension TransportTests {
/// HTTP/1.1 as RFC 9110/9112 has it: what a careful client may send and must get back, and what
/// a careless or hostile one must not get away with.
@Suite("HTTP server protocol")
struct HTTPServerProtocolTests {
    @Test func itBindsExactlyTheConfiguredAddress() throws {
        let fixture = try ServerFixture()
        // Linux routes all of 127/8 to the loopback interface: a server bound to every
        // interface would answer on 127.0.0.2 too.
        #expect(RawSocket(port: fixture.port, host: "127.0.0.2") == nil)
        #expect(fixture.stillServes())
        // The listening socket as the kernel lists it: local address, remote 0:0, state 0A
        // (LISTEN). The table is read in pieces while other tests open and close sockets, and a
        // read can miss a line: read again. It can hold tens of thousands of lines on a busy
        // host, so it is searched as bytes, not split into strings.
        let hexPort = String(format: "%04X", fixture.port)
        func listening(on address: String) -> Data { Data("\(address):\(hexPort) 00000000:0000 0A ".utf8) }
        let found = waitForBlocking {
            FileManager.default.contents(atPath: "/proc/net/tcp")?.range(of: listening(on: "0100007F")) != nil
        }
        #expect(found, "listening on 127.0.0.1")
        let table = FileManager.default.contents(atPath: "/proc/net/tcp") ?? Data()
        #expect(table.range(of: listening(on: "00000000")) == nil, "not on every interface")
    }

    @Test func anIPv6AddressIsBoundExactlyToo() throws {
        let fixture = try ServerFixture(configure: { $0.host = "::1" })
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(fixture.port).bigEndian)
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        #expect(connected == 0)
        #expect(RawSocket(port: fixture.port) == nil, "not on IPv4")
    }

    @Test func aHostThatIsNotLocalFailsTheStartWithTheReason() throws {
        let loop = try EventLoop()
        defer { loop.stop() }
        #expect(throws: EventLoopError.self) {
            _ = try HTTPServer(loop: loop, configuration: .init(host: "192.0.2.1", port: 0), router: HTTPRouter())
        }
    }

    @Test func headIsAnsweredByTheGetRouteWithoutItsBody() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send("HEAD /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try #require(socket.readResponse(toHead: true))
        #expect(head.status == 200)
        #expect(head.headers["content-length"] == String(#"{"status":"ok","query":""}"#.utf8.count))
        // No body bytes follow: the next response on the connection starts right away.
        socket.send(getRequest("/api/status"))
        let next = try #require(socket.readResponse())
        #expect(next.status == 200 && next.text == #"{"status":"ok","query":""}"#)
    }

    @Test func methodNotAllowedNamesTheAllowedMethods() throws {
        let fixture = try ServerFixture()
        let response = try #require(fixture.roundTrip("DELETE /api/status HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(response.status == 405)
        #expect(response.headers["allow"] == "GET, HEAD")
    }

    @Test func noContentCarriesNoContentLength() throws {
        let fixture = try ServerFixture(routes: { router in
            router.add(.post, "/notify") { _, responder in responder.respond(HTTPResponse(status: 204, body: [])) }
        })
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send(postRequest("/notify", "{}"))
        let response = try #require(socket.readResponse())
        #expect(response.status == 204)
        #expect(response.headers["content-length"] == nil)
        #expect(response.headers["content-type"] == nil)
        socket.send(postRequest("/rpc", "{}"))
        #expect(socket.readResponse()?.text == "{}", "the connection goes on")
    }

    @Test func http11WithoutHostIsABadRequest() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send("GET /api/status HTTP/1.1\r\n\r\n")
        #expect(socket.readResponse()?.status == 400)
        #expect(socket.waitForClose())
        // HTTP/1.0 needs no Host.
        #expect(fixture.roundTrip("GET /api/status HTTP/1.0\r\n\r\n")?.status == 200)
        #expect(fixture.roundTrip("GET /api/status HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")?.status == 400)
    }

    @Test func otherVersionsAreRefusedWith505() throws {
        let fixture = try ServerFixture()
        let response = try #require(fixture.roundTrip("GET /api/status HTTP/2.0\r\nHost: x\r\n\r\n"))
        #expect(response.status == 505)
        #expect(response.head.hasPrefix("HTTP/1.1 505 "))
        #expect(fixture.roundTrip("GET /api/status HTTP/1.0\r\n\r\n")?.head.hasPrefix("HTTP/1.1 200 ") == true)
    }

    @Test func http10KeepsTheConnectionOnlyWhenAsked() throws {
        let fixture = try ServerFixture()
        let closing = try #require(RawSocket(port: fixture.port))
        closing.send("GET /api/status HTTP/1.0\r\n\r\n")
        #expect(closing.readResponse()?.headers["connection"] == "close")
        #expect(closing.waitForClose())
        let kept = try #require(RawSocket(port: fixture.port))
        kept.send("GET /api/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(kept.readResponse()?.headers["connection"] == "keep-alive")
        kept.send("GET /api/status HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(kept.readResponse()?.status == 200)
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        let body = #"{"id":5}"#
        socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = try #require(socket.readResponse())
        #expect(interim.status == 100)
        socket.send(body)
        #expect(socket.readResponse()?.text == body)
        // Too large: the final status instead of 100, and the body is never asked for.
        let small = try ServerFixture(configure: { $0.maxBodyBytes = 10 })
        let refused = try #require(RawSocket(port: small.port))
        refused.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
        #expect(refused.readResponse()?.status == 413)
        #expect(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: something-else\r\n\r\n{}")?.status == 417)
    }

    @Test func anOverlongRequestLineIs414AndOverlongHeadersAre431() throws {
        let fixture = try ServerFixture()
        let longPath = "/" + String(repeating: "a", count: 9000)
        #expect(fixture.roundTrip("GET \(longPath) HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 414)
        // Even before the line ends: the server does not wait for more of it.
        let dripping = try #require(RawSocket(port: fixture.port))
        dripping.send("GET /" + String(repeating: "b", count: 10_000))
        #expect(dripping.readResponse()?.status == 414)
        let bigHeader = "X-Big: " + String(repeating: "c", count: 17_000)
        #expect(fixture.roundTrip("GET /api/status HTTP/1.1\r\nHost: x\r\n\(bigHeader)\r\n\r\n")?.status == 431)
        let many = (0..<150).map { "X-H\($0): v\r\n" }.joined()
        #expect(fixture.roundTrip("GET /api/status HTTP/1.1\r\nHost: x\r\n\(many)\r\n")?.status == 431)
        #expect(fixture.stillServes())
    }

    @Test func unknownMethodsConnectAndTraceAre501AndClosed() throws {
        let fixture = try ServerFixture()
        for line in ["CONNECT example.org:443 HTTP/1.1", "TRACE / HTTP/1.1", "BREW /pot HTTP/1.1"] {
            let socket = try #require(RawSocket(port: fixture.port))
            socket.send("\(line)\r\nHost: x\r\n\r\n")
            #expect(socket.readResponse()?.status == 501, "\(line)")
            #expect(socket.waitForClose(), "\(line): not held open")
        }
        #expect(fixture.server.statistics().openHTTPConnections <= 1)
    }

    @Test func bothContentLengthAndChunkedIsRefusedAndNothingIsSmuggled() throws {
        let hits = Mutex(0)
        let fixture = try ServerFixture(routes: { router in
            router.add(.get, "/smuggled") { _, responder in
                hits.withLock { $0 += 1 }
                responder.respond(.text("smuggled"))
            }
        })
        let socket = try #require(RawSocket(port: fixture.port))
        let smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
        socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled)
        #expect(socket.readResponse()?.status == 400)
        #expect(socket.waitForClose())
        #expect(hits.withLock { $0 } == 0)
        // Nor through an obfuscated coding or a space before the colon.
        #expect(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n")?.status == 501)
        #expect(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello")?.status == 400)
        #expect(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!")?.status == 400)
        #expect(fixture.roundTrip("GET /api/status HTTP/1.1\r\nHost: x\r\n folded: line\r\n\r\n")?.status == 400)
        #expect(hits.withLock { $0 } == 0)
    }

    @Test func chunkedRequestBodiesAreReadAndBounded() throws {
        let fixture = try ServerFixture(configure: { $0.maxBodyBytes = 64 })
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send("POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"id\r\n5\r\n\":12}\r\n0\r\nTrailer: t\r\n\r\n")
        #expect(socket.readResponse()?.text == #"{"id":12}"#)
        socket.send(postRequest("/rpc", "{}"))
        #expect(socket.readResponse()?.text == "{}", "the connection goes on after a chunked body")
        let big = try #require(RawSocket(port: fixture.port))
        big.send("POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n" + String(repeating: "z", count: 65) + "\r\n0\r\n\r\n")
        #expect(big.readResponse()?.status == 413)
        #expect(fixture.roundTrip("POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")?.status == 400)
    }

    @Test func aFiveMebibyteBodyGetsIts413NotAReset() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        let size = 5 << 20
        let head = "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n"
        // The client keeps writing its body while the server has already answered: the server
        // must go on reading (and discarding) so that the 413 is not destroyed by a reset.
        let writer = Thread {
            socket.send(head)
            _ = socket.send([UInt8](repeating: 0x61, count: size))
        }
        writer.start()
        let response = try #require(socket.readResponse())
        #expect(response.status == 413)
        #expect(response.headers["connection"] == "close")
        #expect(socket.waitForClose())
        #expect(fixture.stillServes())
    }

    @Test func aHalfClosedClientStillGetsItsResponses() throws {
        let fixture = try ServerFixture()
        let socket = try #require(RawSocket(port: fixture.port))
        socket.send(postRequest("/rpc", #"{"id":1}"#) + postRequest("/async/x", #"{"id":2}"#) + getRequest("/api/status"))
        socket.shutdownWrite()
        #expect(socket.readResponse()?.text == #"{"id":1}"#)
        #expect(socket.readResponse()?.text == #"{"id":2}"#)
        #expect(socket.readResponse()?.status == 200)
        #expect(socket.waitForClose())
    }

    @Test func pathsAreDecodedAndNormalised() throws {
        let seen = Mutex<[String]>([])
        let fixture = try ServerFixture(routes: { router in
            router.add(.get, prefix: "/files/") { request, responder in
                seen.withLock { $0.append(request.path) }
                responder.respond(.text("ok"))
            }
        })
        #expect(fixture.roundTrip(getRequest("/files/a%20b/./c/../d?q=1"))?.status == 200)
        #expect(fixture.roundTrip(getRequest("/x/../files/e"))?.status == 200)
        #expect(fixture.roundTrip(getRequest("/files/%zz"))?.status == 400)
        #expect(fixture.roundTrip(getRequest("/files/%00"))?.status == 400)
        #expect(fixture.roundTrip("GET http://example.org/files/abs HTTP/1.1\r\nHost: x\r\n\r\n")?.status == 200)
        #expect(seen.withLock { $0 } == ["/files/a b/d", "/files/e", "/files/abs"])
    }
}
}
