import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

@Suite("HTTP client")
struct HTTPClientTests {
    @Test func postAndReuse() async throws {
        // The upstream keeps an idle connection for a minute, not 5 s: the reuse checked here must
        // not depend on how soon a loaded machine resumes the test between two requests.
        let upstream = try ServerFixture(configure: { $0.keepAliveTimeout = .seconds(60) })
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        for i in 0..<20 {
            let response = try await client.post("http://127.0.0.1:\(upstream.port)/rpc?key=secret", body: Array(#"{"id":\#(i)}"#.utf8))
            #expect(response.status == 200)
            #expect(response.body == Array(#"{"id":\#(i)}"#.utf8))
        }
        // Sequential requests reuse one keep-alive connection.
        #expect(upstream.server.statistics().acceptedHTTPConnections == 1)
        // By name too (connect by IP, Host = name): still one connection for many requests.
        for i in 0..<10 {
            let viaName = try await client.post("http://localhost:\(upstream.port)/rpc", body: Array(#"{"n":\#(i)}"#.utf8))
            #expect(viaName.body == Array(#"{"n":\#(i)}"#.utf8))
        }
        #expect(upstream.server.statistics().acceptedHTTPConnections == 2)
    }

    @Test func requestsToOneUpstreamRunInParallel() async throws {
        // The upstream answers nobody until `parallel` requests are waiting at once: only a
        // client with that many connections to one upstream can finish.
        let parallel = 8
        let waiting = Mutex<[HTTPResponder]>([])
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/gate") { request, responder in
                let release = waiting.withLock { list -> [HTTPResponder] in
                    list.append(responder)
                    return list.count == parallel ? list : []
                }
                for held in release { held.respond(.json("{}")) }
            }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.connectionsPerUpstream = parallel
        let client = HTTPClient(loop: loop, configuration: configuration)
        let url = try #require(UpstreamURL("http://127.0.0.1:\(upstream.port)/gate"))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<parallel {
                group.addTask { try await client.post(url, body: Array("{}".utf8), timeout: .seconds(20)).status }
            }
            for try await status in group { #expect(status == 200) }
        }
    }

    @Test func callbackVariantCompletesOnLoopThread() async throws {
        let upstream = try ServerFixture()
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        let url = try #require(UpstreamURL("http://127.0.0.1:\(upstream.port)/rpc"))
        let onLoop = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            loop.execute {
                client.post(url, body: Array("{}".utf8)) { _ in continuation.resume(returning: loop.inEventLoop) }
            }
        }
        #expect(onLoop)
    }

    @Test func refusedConnection() async throws {
        let port = closedPort()
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.connectionRefused(address: "127.0.0.1:\(port)")) {
            _ = try await client.post("http://127.0.0.1:\(port)/x", body: [], timeout: .seconds(10))
        }
    }

    @Test func concurrentLookupsOfOneHostAllComplete() async throws {
        let resolver = DNSResolver(ttl: .seconds(30))
        let answers = await withTaskGroup(of: String?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        resolver.resolve("localhost") { continuation.resume(returning: $0) }
                    }
                }
            }
            var all: [String?] = []
            for await answer in group { all.append(answer) }
            return all
        }
        #expect(answers.count == 50)
        #expect(Set(answers).count == 1 && answers.first??.isEmpty == false)
        #expect(resolver.cached("localhost") == answers.first ?? nil)
    }

    @Test func dnsFailure() async throws {
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.dnsFailure(host: "no-such-host.invalid")) {
            _ = try await client.post("http://no-such-host.invalid/x", body: [], timeout: .seconds(20))
        }
    }

    @Test func timeoutIsPerRequest() async throws {
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/never") { _, _ in }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.timeout(address: "127.0.0.1:\(upstream.port)")) {
            _ = try await client.post("http://127.0.0.1:\(upstream.port)/never", body: [], timeout: .milliseconds(300))
        }
        // The pool slot is free again and the upstream still reachable.
        let response = try await client.post("http://127.0.0.1:\(upstream.port)/rpc", body: Array("{}".utf8))
        #expect(response.status == 200)
    }

    @Test func nonSuccessStatusKeepsBody() async throws {
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/fail") { _, responder in responder.respond(.json(#"{"error":"rate"}"#, status: 429)) }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.badStatus(status: 429, body: Array(#"{"error":"rate"}"#.utf8))) {
            _ = try await client.post("http://127.0.0.1:\(upstream.port)/fail", body: [])
        }
    }

    @Test func retryAfterOfAnErrorStatusIsKept() async throws {
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/limited") { _, responder in
                responder.respond(HTTPResponse(status: 429, headers: [(name: "Retry-After", value: "7")],
                                               body: Array("slow down".utf8)))
            }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.badStatus(status: 429, body: Array("slow down".utf8), retryAfter: "7")) {
            _ = try await client.post("http://127.0.0.1:\(upstream.port)/limited", body: [])
        }
    }

    @Test func redirectsAreReportedNotFollowed() async throws {
        // Following would resend the request, headers included, to whatever host the upstream names.
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/moved") { _, responder in
                responder.respond(HTTPResponse(status: 301, headers: [(name: "location", value: "http://127.0.0.1:1/elsewhere")],
                                               body: Array("moved".utf8)))
            }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.badStatus(status: 301, body: Array("moved".utf8))) {
            _ = try await client.post("http://127.0.0.1:\(upstream.port)/moved", body: Array("{}".utf8), timeout: .seconds(5))
        }
    }

    @Test func anUpstreamSlowerThanFiveSecondsIsWaitedForUntilTheRequestsOwnDeadline() async throws {
        // libwebsockets guards the wait for a response with its own 5 s default; the request's
        // deadline (here 15 s) is what must decide.
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/slow") { request, responder in
                DispatchQueue.global().asyncAfter(deadline: .now() + 6.5) { responder.respond(.json(request.body)) }
            }
        }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        let response = try await client.post("http://127.0.0.1:\(upstream.port)/slow", body: Array("{}".utf8), timeout: .seconds(15))
        #expect(response.status == 200 && response.body == Array("{}".utf8))
    }

    @Test func truncatedBody() async throws {
        let server = try #require(ScriptedServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\""))
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.truncatedBody(address: "127.0.0.1:\(server.port)")) {
            _ = try await client.post("http://127.0.0.1:\(server.port)/x", body: [], timeout: .seconds(10))
        }
        server.stop()
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100),
        "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + String(repeating: "x", count: 100),
    ])
    func responseOverTheLimitFails(response: String) async throws {
        // Announced (Content-Length) or not (read until close), a body past the cap is refused
        // instead of buffered.
        let server = try #require(ScriptedServer.answering(response))
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.maxResponseBytes = 64
        let client = HTTPClient(loop: loop, configuration: configuration)
        await #expect(throws: HTTPClientError.responseTooLarge(address: "127.0.0.1:\(server.port)", limit: 64)) {
            _ = try await client.post("http://127.0.0.1:\(server.port)/x", body: [], timeout: .seconds(10))
        }
        server.stop()
    }

    @Test func responseAtTheLimitIsAccepted() async throws {
        let server = try #require(ScriptedServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
            + String(repeating: "x", count: 64)))
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.maxResponseBytes = 64
        let client = HTTPClient(loop: loop, configuration: configuration)
        let response = try await client.post("http://127.0.0.1:\(server.port)/x", body: [], timeout: .seconds(10))
        #expect(response.body.count == 64)
        server.stop()
    }

    @Test func closedBeforeResponse() async throws {
        let server = try #require(ScriptedServer.answering(""))
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.connectionClosed(address: "127.0.0.1:\(server.port)")) {
            _ = try await client.post("http://127.0.0.1:\(server.port)/x", body: [], timeout: .seconds(10))
        }
        server.stop()
    }

    @Test func httpsWithCustomCA() async throws {
        let certificates = try #require(TestCertificates.shared)
        let upstream = try ServerFixture(configure: {
            $0.tls = TLSCredentials(certificatePath: certificates.certificatePath, privateKeyPath: certificates.keyPath)
            $0.keepAliveTimeout = .seconds(60)  // the one session must outlive a slow resumption between requests
        })
        let loop = try EventLoop()
        defer { loop.stop() }
        var configuration = HTTPClient.Configuration()
        configuration.caFilePath = certificates.caPath
        let trusting = HTTPClient(loop: loop, configuration: configuration)
        for i in 0..<5 {
            let response = try await trusting.post("https://localhost:\(upstream.port)/rpc", body: Array(#"{"id":\#(i)}"#.utf8))
            #expect(response.body == Array(#"{"id":\#(i)}"#.utf8))
        }
        // One TLS session serves all five.
        #expect(upstream.server.statistics().acceptedHTTPConnections == 1)
        // Verification is on: the system store does not know the test CA.
        let untrusting = HTTPClient(loop: loop)
        await #expect(throws: HTTPClientError.tlsFailure(address: "localhost:\(upstream.port)")) {
            _ = try await untrusting.post("https://localhost:\(upstream.port)/rpc", body: [], timeout: .seconds(10))
        }
        #expect(upstream.stillServesTLS(caPath: certificates.caPath, loop: loop))
    }

    @Test func stoppingTheLoopFailsPendingRequests() async throws {
        let upstream = try ServerFixture(configure: { _ in }) { router in
            router.add(.post, "/never") { _, _ in }
        }
        let loop = try EventLoop()
        let client = HTTPClient(loop: loop)
        let url = try #require(UpstreamURL("http://127.0.0.1:\(upstream.port)/never"))
        let outcome = Mutex<Result<HTTPClientResponse, HTTPClientError>?>(nil)
        client.post(url, body: [], timeout: .seconds(30)) { result in outcome.withLock { $0 = result } }
        // Submitted after the first from the same thread, so when it is answered the first one
        // is in flight.
        _ = try? await client.post("http://127.0.0.1:\(upstream.port)/rpc", body: [], timeout: .seconds(10))
        loop.stop()
        let failure = outcome.withLock { result -> HTTPClientError? in
            if case .failure(let error) = result { return error }
            return nil
        }
        #expect(failure == .loopStopped)
        await #expect(throws: HTTPClientError.loopStopped) {
            _ = try await client.post("http://127.0.0.1:\(upstream.port)/rpc", body: [])
        }
    }

    @Test func urlParsingKeepsSecretsOutOfDescriptions() throws {
        let url = try #require(UpstreamURL("https://user:pw@eth.example.org/v2/SECRET?key=K"))
        #expect(url.host == "eth.example.org")
        #expect(url.port == 443)
        #expect(url.pathAndQuery == "/v2/SECRET?key=K")
        #expect(url.description == "eth.example.org:443")
        #expect(!HTTPClientError.timeout(address: url.description).description.contains("SECRET"))
        #expect(UpstreamURL("wss://[::1]:8546/ws")?.description == "[::1]:8546")
        #expect(UpstreamURL("ftp://x") == nil)
        #expect(UpstreamURL("http://:80/") == nil)
    }
}

/// A loopback port nothing listens on (bound once to learn a free number, then closed).
func closedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension ServerFixture {
    /// True when an HTTPS request through a CA-trusting client is answered.
    func stillServesTLS(caPath: String, loop: EventLoop) -> Bool {
        var configuration = HTTPClient.Configuration()
        configuration.caFilePath = caPath
        let client = HTTPClient(loop: loop, configuration: configuration)
        let url = UpstreamURL("https://localhost:\(port)/rpc")
        let result = Mutex<Bool>(false)
        let done = DispatchSemaphore(value: 0)
        guard let url else { return false }
        client.post(url, body: Array("{}".utf8)) { outcome in
            result.withLock { $0 = (try? outcome.get())?.body == Array("{}".utf8) }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }
}
