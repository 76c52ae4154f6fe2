import Glibc

/// `lasso-bench upstream --self-check`: proves the benchmark upstream behaves like a node, over
/// real sockets against a loop started in this process. The Benchmarks target has no test
/// target, so this is its test; it prints one line per check and fails if any check fails.
///
/// The check that matters most: a request whose head has arrived but whose body has not gets
/// no answer until the last body byte is sent.
enum UpstreamSelfCheck {
    private struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    private struct Response {
        let status: Int
        let body: String
    }

    static func run() -> Bool {
        let port: Int
        do {
            let listener = try PosixSocket.listen(port: 0, reusePort: false)
            port = try PosixSocket.localPort(listener)
            NodeUpstream.serveInBackground(listener)
        } catch {
            print("FAIL - start the upstream: \(error)")
            return false
        }
        let checks: [(String, (Int) throws -> Void)] = [
            ("no answer before the body is complete; then the id is echoed", answersOnlyAfterTheBody),
            ("a string id with an escaped quote is echoed as is; an id nested in params is not", stringID),
            ("a number id with whitespace around it", spacedNumberID),
            ("no id: answered with id null", missingID),
            ("pipelined requests in one write are answered in order", pipelined),
            ("a 200 KB body sent in pieces is answered once, when complete", largeBody),
            ("Connection: close is answered, then the connection closes", connectionClose),
        ]
        var passed = true
        for (name, check) in checks {
            do {
                try check(port)
                print("ok   - \(name)")
            } catch {
                print("FAIL - \(name): \(error)")
                passed = false
            }
        }
        print(passed ? "upstream self-check passed" : "upstream self-check FAILED")
        return passed
    }

    private static func answersOnlyAfterTheBody(_ port: Int) throws {
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#
        let fd = try PosixSocket.connect(port: port)
        defer { close(fd) }
        let message = Array(request(body).utf8)
        let headLength = message.count - body.utf8.count
        try PosixSocket.sendAll(fd, Array(message[..<headLength]))
        if PosixSocket.waitReadable(fd, milliseconds: 300) { throw Failed(description: "answered after the head alone") }
        try PosixSocket.sendAll(fd, Array(message[headLength..<(headLength + 20)]))
        if PosixSocket.waitReadable(fd, milliseconds: 200) { throw Failed(description: "answered after part of the body") }
        try PosixSocket.sendAll(fd, Array(message[(headLength + 20)...]))
        try expect(readResponses(fd, count: 1), ids: ["1"])
    }

    private static func stringID(_ port: Int) throws {
        try roundTrip(port, #"{"jsonrpc":"2.0","method":"eth_call","params":[{"id":9,"to":"0x0"}],"id":"a\"b}"}"#,
                      id: #""a\"b}""#)
    }

    private static func spacedNumberID(_ port: Int) throws {
        try roundTrip(port, "{ \"id\" :\t42 ,\n \"jsonrpc\":\"2.0\",\"method\":\"m\"}", id: "42")
    }

    private static func missingID(_ port: Int) throws {
        try roundTrip(port, #"{"jsonrpc":"2.0","method":"eth_subscribe","params":["newHeads"]}"#, id: "null")
    }

    private static func pipelined(_ port: Int) throws {
        let fd = try PosixSocket.connect(port: port)
        defer { close(fd) }
        let lowercase = "POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 13\r\n\r\n" + #"{"id":"nine"}"#
        try PosixSocket.sendAll(fd, Array((request(#"{"id":7}"#) + request(#"{"id":"eight"}"#) + lowercase).utf8))
        try expect(readResponses(fd, count: 3), ids: ["7", #""eight""#, #""nine""#])
    }

    private static func largeBody(_ port: Int) throws {
        let filler = String(repeating: "0", count: 200_000)
        let message = Array(request(#"{"jsonrpc":"2.0","method":"eth_sendRawTransaction","params":["0x\#(filler)"],"id":77}"#).utf8)
        let fd = try PosixSocket.connect(port: port)
        defer { close(fd) }
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + 16_384)
            try PosixSocket.sendAll(fd, Array(message[offset..<end]))
            offset = end
            if offset < message.count, PosixSocket.waitReadable(fd, milliseconds: 5) {
                throw Failed(description: "answered after \(offset) of \(message.count) bytes")
            }
        }
        try expect(readResponses(fd, count: 1), ids: ["77"])
    }

    private static func connectionClose(_ port: Int) throws {
        let fd = try PosixSocket.connect(port: port)
        defer { close(fd) }
        let body = #"{"id":5}"#
        try PosixSocket.sendAll(fd, Array("POST / HTTP/1.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        try expect(readResponses(fd, count: 1), ids: ["5"])
        guard PosixSocket.waitReadable(fd, milliseconds: 1_000) else { throw Failed(description: "still open after 1 s") }
        var byte: UInt8 = 0
        guard recv(fd, &byte, 1, 0) == 0 else { throw Failed(description: "more bytes instead of the end of the stream") }
    }

    private static func roundTrip(_ port: Int, _ body: String, id: String) throws {
        let fd = try PosixSocket.connect(port: port)
        defer { close(fd) }
        try PosixSocket.sendAll(fd, Array(request(body).utf8))
        try expect(readResponses(fd, count: 1), ids: [id])
    }

    private static func request(_ body: String) -> String {
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    private static func expect(_ responses: [Response], ids: [String]) throws {
        let expected = ids.map { #"{"jsonrpc":"2.0","id":\#($0),"result":"0x1234"}"# }
        guard responses.map(\.body) == expected, responses.allSatisfy({ $0.status == 200 }) else {
            throw Failed(description: "expected \(expected), got \(responses.map { "\($0.status) \($0.body)" })")
        }
    }

    /// Reads `count` whole responses, framed by their `Content-Length` (so a wrong length fails
    /// the body comparison), within 2 s.
    private static func readResponses(_ fd: Int32, count: Int) throws -> [Response] {
        let buffer = IOBuffer(capacity: 4_096)
        var responses: [Response] = []
        while responses.count < count {
            if case .complete(let head) = HTTPHead.parse(buffer.readable), buffer.readableCount >= head.messageLength {
                let message = buffer.readable
                responses.append(Response(
                    status: HTTPHead.statusCode(message) ?? 0,
                    body: String(decoding: message[head.headLength..<head.messageLength], as: UTF8.self)))
                buffer.consume(head.messageLength)
                continue
            }
            guard PosixSocket.waitReadable(fd, milliseconds: 2_000) else {
                throw Failed(description: "no complete answer within 2 s (have \(responses.count) of \(count))")
            }
            let space = buffer.writable(minimum: 4_096)
            let received = recv(fd, space.baseAddress, space.count, 0)
            guard received > 0 else { throw Failed(description: "connection closed after \(responses.count) answer(s)") }
            buffer.commit(received)
        }
        guard buffer.isEmpty else { throw Failed(description: "\(buffer.readableCount) unexpected bytes after the answers") }
        return responses
    }
}
