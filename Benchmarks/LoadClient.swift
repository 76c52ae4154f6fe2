import Foundation

/// `lasso-bench load --port P [--path /] [--connections 32] --requests N [--report 10000,100000]`:
/// sends exactly N `eth_blockNumber` POSTs over C keep-alive connections (one request in flight
/// per connection, like wrk) and prints `reached <n>` the moment the n-th answer of each report
/// mark arrives, then `done <n> requests, <errors> errors, <seconds> s`.
///
/// It exists because wrk runs for a duration, not a request count, and the memory benchmark
/// must read lassod's RSS after exactly 10k and exactly 1M requests on the same connections.
/// It runs as a child process, so its own memory never counts in the RSS being measured.
///
/// One epoll thread; sockets stay blocking for `send` (a 150-byte request into an empty
/// loopback socket buffer does not block) and are read with `MSG_DONTWAIT` when epoll says so.
enum LoadClient {
    private final class Connection {
        let fd: Int32
        let input = IOBuffer(capacity: 4_096)
        init(fd: Int32) { self.fd = fd }
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func run(_ words: [String]) throws {
        let arguments = try BenchArguments(words, options: ["port", "path", "connections", "requests", "report"])
        guard let portText = arguments.string("port"), let port = Int(portText) else {
            throw BenchArguments.Invalid(description: "usage: lasso-bench load --port P [--path /] [--connections 32] "
                                         + "--requests N [--report n1,n2,…]")
        }
        let path = arguments.string("path") ?? "/"
        let total = try arguments.int("requests", default: 10_000)
        let connectionCount = min(try arguments.int("connections", default: 32), total)
        var marks = (arguments.string("report") ?? "").split(separator: ",").compactMap { Int($0) }.filter { $0 <= total }
        marks.sort()
        let request = Array(("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
                             + "Content-Length: \(LoadHarness.requestBody.utf8.count)\r\n\r\n\(LoadHarness.requestBody)").utf8)

        let epoll = try Epoll(capacity: connectionCount)
        var connections: [Connection] = []
        for slot in 0..<connectionCount {
            let fd = try PosixSocket.connect(port: port)
            try epoll.add(fd, events: Epoll.readable, token: UInt64(slot))
            connections.append(Connection(fd: fd))
        }

        let started = ContinuousClock.now
        var issued = 0, completed = 0, errors = 0, nextMark = 0
        for connection in connections {
            try PosixSocket.sendAll(connection.fd, request)
            issued += 1
        }
        while completed < total {
            let count = epoll.wait(timeoutMilliseconds: 10_000)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw Failed(description: "no answer for 10 s after \(completed) of \(total)") }
            for index in 0..<count {
                let connection = connections[Int(epoll.event(at: index).token)]
                let space = connection.input.writable(minimum: 4_096)
                let received = recv(connection.fd, space.baseAddress, space.count, Int32(MSG_DONTWAIT))
                if received < 0, errno == EAGAIN || errno == EINTR { continue }
                guard received > 0 else { throw Failed(description: "the server closed a connection after \(completed) answers") }
                connection.input.commit(received)
                while case .complete(let head) = HTTPHead.parse(connection.input.readable),
                      connection.input.readableCount >= head.messageLength {
                    if HTTPHead.statusCode(connection.input.readable) != 200 { errors += 1 }
                    connection.input.consume(head.messageLength)
                    completed += 1
                    while nextMark < marks.count, completed >= marks[nextMark] {
                        Console.out("reached \(marks[nextMark])")
                        nextMark += 1
                    }
                    if issued < total {
                        try PosixSocket.sendAll(connection.fd, request)
                        issued += 1
                    }
                }
            }
        }
        let seconds = LoadHarness.seconds(ContinuousClock.now - started)
        Console.out("done \(completed) requests, \(errors) errors, \(String(format: "%.1f", seconds)) s, "
                    + "\(String(format: "%.0f", Double(completed) / seconds)) req/s")
        for connection in connections { close(connection.fd) }
    }
}
