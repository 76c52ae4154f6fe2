import Foundation
import Synchronization
import Testing
import TestSupport
@testable import LassoTransport

/// Upstreams that break HTTP/1.1 or the keep-alive contract: every request still completes
/// exactly once, with a precise error, and nothing else on the loop is held up.
@Suite("HTTP client against hostile upstreams")
struct HTTPClientAbuseTests {
    private func post(_ client: HTTPClient, port: Int, timeout: Duration = .seconds(5), idempotent: Bool = false)
        async -> Result<HTTPClientResponse, HTTPClientError> {
        guard let url = UpstreamURL("http://127.0.0.1:\(port)/rpc") else { return .failure(.invalidURL) }
        do {
            return .success(try await client.post(url, body: Array("{}".utf8), timeout: timeout, idempotent: idempotent))
        } catch {
            return .failure(error)
        }
    }

    /// An upstream that reads each request and answers with `response`; with `closing`, it
    /// closes after the first answer (what delimits a response without a length).
    private func upstream(closing: Bool = false, _ response: @escaping @Sendable (Int) -> [UInt8]) throws -> ScriptedServer {
        try #require(ScriptedServer { connection, index in
            var served = 0
            while connection.readRequest() != nil {
                connection.send(response(index * 1000 + served))
                served += 1
                if closing { return }
            }
        })
    }

    @Test(arguments: [
        ("garbage status line", "HELLO THERE\r\n\r\n"),
        ("headers that never end", "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Pad: 0123456789abcdef\r\n", count: 4000)),
        ("a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("an upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
        ("a transfer coding nobody asked for", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
    ])
    func aMalformedResponseFailsAsSuch(_ name: String, _ response: String) async throws {
        let server = try upstream { _ in Array(response.utf8) }
        let loop = try EventLoop()
        defer { loop.stop() }
        let result = await post(HTTPClient(loop: loop), port: server.port)
        #expect(result == .failure(.malformedResponse(address: "127.0.0.1:\(server.port)")), "\(name)")
    }

    @Test func responsesOverTheLimitFailWhateverTheirFraming() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.maxResponseBytes = 100
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop, configuration: configuration)
        let body = String(repeating: "x", count: 101)
        for response in ["HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n\(body)",
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n\(body)\r\n0\r\n\r\n",
                         "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n\(body)"] {
            let server = try upstream(closing: response.contains("close")) { _ in Array(response.utf8) }
            #expect(await post(client, port: server.port) == .failure(.responseTooLarge(address: "127.0.0.1:\(server.port)", limit: 100)))
        }
    }

    @Test func closeDelimitedChunkedAndInterimResponsesAreRead() async throws {
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        for response in ["HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"r\":1}",
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"r\r\n4\r\n\":1}\r\n0\r\n\r\n",
                         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"r\":1}",
                         "HTTP/1.0 200 OK\r\n\r\n{\"r\":1}"] {
            let server = try upstream(closing: !response.contains("Length") && !response.contains("chunked")) { _ in Array(response.utf8) }
            #expect(await post(client, port: server.port) == .success(HTTPClientResponse(status: 200, body: Array(#"{"r":1}"#.utf8))))
        }
    }

    @Test func aDrippingUpstreamTimesOutWhileOthersAreServed() async throws {
        let dripping = try #require(ScriptedServer { connection, _ in
            _ = connection.readRequest()
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
            for _ in 0..<1000 {
                guard connection.send("x") else { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
        })
        let healthy = try upstream { _ in Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8) }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        async let slow = post(client, port: dripping.port, timeout: .seconds(1))
        for _ in 0..<20 {
            #expect(await post(client, port: healthy.port) == .success(HTTPClientResponse(status: 200, body: Array("ok".utf8))))
        }
        #expect(await slow == .failure(.timeout(address: "127.0.0.1:\(dripping.port)")))
    }

    /// The keep-alive race: the upstream answers one request, keeps the connection, and closes
    /// it without answering as the next request arrives (what an upstream's idle timeout does).
    private func racingUpstream(requestsSeen: Recorder<Int>) throws -> ScriptedServer {
        try #require(ScriptedServer { connection, index in
            guard connection.readRequest() != nil else { return }
            requestsSeen.record(index)
            if index == 0 {
                connection.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
                guard connection.readRequest() != nil else { return }
                requestsSeen.record(index)
                return  // closes without an answer
            }
            connection.send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh")
            _ = connection.readRequest()
        })
    }

    @Test func anIdempotentRequestSurvivesTheKeepAliveRaceOnce() async throws {
        let seen = Recorder<Int>()
        let server = try racingUpstream(requestsSeen: seen)
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        #expect(await post(client, port: server.port, idempotent: true) == .success(HTTPClientResponse(status: 200, body: Array("first".utf8))))
        #expect(await post(client, port: server.port, idempotent: true) == .success(HTTPClientResponse(status: 200, body: Array("fresh".utf8))))
        #expect(seen.all == [0, 0, 1], "sent on the stale connection, then once more on a fresh one")
    }

    @Test func aRequestThatMustNotRunTwiceIsNeverResent() async throws {
        let seen = Recorder<Int>()
        let server = try racingUpstream(requestsSeen: seen)
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        #expect(await post(client, port: server.port) == .success(HTTPClientResponse(status: 200, body: Array("first".utf8))))
        #expect(await post(client, port: server.port) == .failure(.connectionClosed(address: "127.0.0.1:\(server.port)")))
        #expect(seen.all == [0, 0], "the upstream saw the write exactly once")
    }

    @Test func bytesAfterAResponseRetireItsConnection() async throws {
        let server = try upstream { _ in Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA".utf8) }
        let loop = try EventLoop()
        defer { loop.stop() }
        let client = HTTPClient(loop: loop)
        for _ in 0..<3 {
            #expect(await post(client, port: server.port) == .success(HTTPClientResponse(status: 200, body: Array("ok".utf8))))
        }
        #expect(server.accepted == 3, "a connection out of step is never reused")
    }
}
