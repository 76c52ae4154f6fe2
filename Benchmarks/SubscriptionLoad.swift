import Foundation
import LassoSimulation
import LassoTransport

/// `lasso-bench ws-load --port P --clients N [--path /ws/rpc/bench] [--kind newHeads|logs]
/// [--keys K] --samples FILE`: N WebSocket clients of lassod, each with one `eth_subscribe`,
/// recording when every event reaches every client. Started by `lasso-bench subscriptions` as a
/// child process, so that its sockets and buffers never count in lassod's RSS.
///
/// - Clients connect at most `window` at a time (upgrade and subscription confirmed before the
///   next one starts), so lassod's accept queue never overflows into SYN retries.
/// - `--kind logs` spreads the clients over K distinct `logs` keys (`logsParams`) that each
///   match every log of the simulated chain.
/// - Prints `subscribed <ok> failed <n> closed <n> in <s> s` once every client has its answer,
///   then records each `eth_subscription` frame as a `Sample` (client, block, log index,
///   `CLOCK_MONOTONIC` at the read that completed it) until a line arrives on stdin (or stdin
///   closes); then writes the samples to FILE and prints `done samples <n> closed <n> pings <n>`.
///
/// One epoll thread; sockets stay blocking for `send` (small frames into an empty loopback
/// buffer) and are read with `MSG_DONTWAIT` when epoll says so, as in `LoadClient`.
enum SubscriptionLoad {
    /// One event received by one client; written to the samples file as is (same executable
    /// on both sides, so the layout matches).
    struct Sample {
        var block: UInt64
        var nanoseconds: UInt64
        var client: UInt32
        /// The log's `logIndex` for `logs`; 0 for `newHeads`.
        var logIndex: UInt32
    }

    private enum Phase { case upgrading, subscribing, subscribed, closed }

    private final class Client {
        let fd: Int32
        var phase = Phase.upgrading
        let input = IOBuffer(capacity: 4_096)
        /// A message whose first frames arrived without FIN.
        var partial: [UInt8] = []
        init(fd: Int32) { self.fd = fd }
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    private static let stdinToken = UInt64.max
    /// Clients connecting or waiting for their subscription's answer at once.
    private static let window = 256

    static func run(_ words: [String]) throws {
        let arguments = try BenchArguments(words, options: ["port", "path", "clients", "kind", "keys", "samples"])
        guard let port = arguments.string("port").flatMap({ Int($0) }), let samplesPath = arguments.string("samples") else {
            throw BenchArguments.Invalid(description: "usage: lasso-bench ws-load --port P --clients N --samples FILE "
                                         + "[--path /ws/rpc/bench] [--kind newHeads|logs] [--keys K]")
        }
        let path = arguments.string("path") ?? "/ws/rpc/bench"
        let count = try arguments.int("clients", default: 1_000)
        let logs = arguments.string("kind") == "logs"
        let keys = try arguments.int("keys", default: 100)
        let limit = OpenFileLimit.raise(to: count + 64)
        guard limit >= count + 16 else {
            throw Failed(description: "open-file limit \(limit) is too low for \(count) clients (raise `ulimit -Hn`)")
        }

        let epoll = try Epoll(capacity: 1_024)
        try epoll.add(0, events: Epoll.readable, token: stdinToken)
        let upgrade = WebSocketClientFrames.upgradeRequest(path: path, port: port)
        var clients: [Client] = []
        clients.reserveCapacity(count)
        var samples: [Sample] = []
        samples.reserveCapacity(count * 64)
        var settling = 0, subscribed = 0, failed = 0, closed = 0, pings = 0
        var firstError: String?
        var announced = false
        let started = ContinuousClock.now

        /// Ends a client: its socket is closed (which also leaves the epoll set).
        func end(_ client: Client) {
            guard client.phase != .closed else { return }
            if client.phase != .subscribed { settling -= 1; failed += 1 }
            client.phase = .closed
            closed += 1
            Glibc.close(client.fd)
        }

        func handle(message: UnsafeRawBufferPointer, of index: Int, at now: UInt64) throws {
            let client = clients[index]
            if contains(message, "\"method\":\"eth_subscription\"") {
                let block = hexValue(after: logs ? "\"blockNumber\":\"0x" : "\"number\":\"0x", in: message)
                let logIndex = logs ? hexValue(after: "\"logIndex\":\"0x", in: message) : 0
                guard let block, let logIndex else { return }
                samples.append(Sample(block: block, nanoseconds: now, client: UInt32(index), logIndex: UInt32(logIndex)))
            } else if client.phase == .subscribing {
                settling -= 1
                if contains(message, "\"error\"") {
                    failed += 1
                    firstError = firstError ?? String(decoding: message, as: UTF8.self)
                    client.phase = .closed
                    closed += 1
                    Glibc.close(client.fd)
                } else {
                    subscribed += 1
                    client.phase = .subscribed
                }
            }
        }

        func read(_ index: Int) throws {
            let client = clients[index]
            guard client.phase != .closed else { return }
            let space = client.input.writable(minimum: 4_096)
            let received = recv(client.fd, space.baseAddress, space.count, Int32(MSG_DONTWAIT))
            if received < 0, errno == EAGAIN || errno == EINTR { return }
            guard received > 0 else { return end(client) }
            let now = MonotonicClock.nanoseconds()
            client.input.commit(received)
            if client.phase == .upgrading {
                guard case .complete(let head) = HTTPHead.parse(client.input.readable) else { return }
                guard HTTPHead.statusCode(client.input.readable) == 101 else {
                    firstError = firstError ?? String(decoding: client.input.readable.prefix(200), as: UTF8.self)
                    return end(client)
                }
                client.input.consume(head.headLength)
                client.phase = .subscribing
                try PosixSocket.sendAll(client.fd, WebSocketClientFrames.masked(WebSocketClientFrames.text,
                                                                                subscribeRequest(index, logs: logs, keys: keys)))
            }
            while client.phase != .closed, let header = WebSocketClientFrames.header(client.input.readable) {
                let frame = client.input.readable
                let payload = UnsafeRawBufferPointer(rebasing: frame[header.headerLength..<header.headerLength + header.payloadLength])
                switch header.opcode {
                case WebSocketClientFrames.ping:
                    pings += 1
                    try PosixSocket.sendAll(client.fd, WebSocketClientFrames.masked(WebSocketClientFrames.pong, Array(payload)))
                case WebSocketClientFrames.close:
                    client.input.consume(header.headerLength + header.payloadLength)
                    return end(client)
                case WebSocketClientFrames.text, WebSocketClientFrames.continuation:
                    if header.fin, client.partial.isEmpty {
                        try handle(message: payload, of: index, at: now)
                    } else {
                        client.partial += payload
                        if header.fin {
                            let message = client.partial
                            client.partial = []
                            try message.withUnsafeBytes { try handle(message: $0, of: index, at: now) }
                        }
                    }
                default:
                    break
                }
                if client.phase != .closed { client.input.consume(header.headerLength + header.payloadLength) }
            }
        }

        while true {
            while clients.count < count, settling < window {
                let fd = try PosixSocket.connect(port: port)
                try PosixSocket.sendAll(fd, upgrade)
                try epoll.add(fd, events: Epoll.readable, token: UInt64(clients.count))
                clients.append(Client(fd: fd))
                settling += 1
            }
            if !announced, clients.count == count, settling == 0 {
                announced = true
                Console.out("subscribed \(subscribed) failed \(failed) closed \(closed) in "
                            + String(format: "%.1f", LoadHarness.seconds(ContinuousClock.now - started)) + " s"
                            + (firstError.map { " first error: \($0.prefix(300))" } ?? ""))
            }
            let ready = epoll.wait(timeoutMilliseconds: 1_000)
            if ready < 0, errno == EINTR { continue }
            guard ready >= 0 else { throw PosixSocket.Failure(call: "epoll_wait", code: errno) }
            var stop = false
            for slot in 0..<ready {
                let token = epoll.event(at: slot).token
                if token == stdinToken {
                    stop = true
                } else {
                    try read(Int(token))
                }
            }
            if stop { break }
        }

        try write(samples, to: samplesPath)
        Console.out("done samples \(samples.count) closed \(closed) pings \(pings)")
        for client in clients where client.phase != .closed { Glibc.close(client.fd) }
    }

    /// Client `index`'s `eth_subscribe`, its id being `index`.
    static func subscribeRequest(_ index: Int, logs: Bool, keys: Int) -> [UInt8] {
        let params = logs ? logsParams(key: index % max(1, keys)) : #"["newHeads"]"#
        return Array(#"{"jsonrpc":"2.0","id":\#(index),"method":"eth_subscribe","params":\#(params)}"#.utf8)
    }

    /// The `logs` subscription of key `key`: every emitter of the simulated chain plus one
    /// address of its own that never emits, and both event signatures the chain uses. Each key
    /// is therefore distinct after lassod's canonicalisation (sorted, deduplicated addresses),
    /// and each matches every log of every block (2 to 4 per block).
    static func logsParams(key: Int) -> String {
        let own = "0x" + String(repeating: "0", count: 32) + String(format: "%08x", key + 1)
        let addresses = (SimulatedChain.logEmitters + [own]).map { "\"\($0)\"" }.joined(separator: ",")
        return #"["logs",{"address":[\#(addresses)],"topics":[["\#(SimulatedChain.transferTopic)","\#(SimulatedChain.approvalTopic)"]]}]"#
    }

    private static func write(_ samples: [Sample], to path: String) throws {
        let data = samples.withUnsafeBytes { Data($0) }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Reads a samples file written by `ws-load`.
    static func readSamples(_ path: String) throws -> [Sample] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let count = data.count / MemoryLayout<Sample>.stride
        return [Sample](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    UnsafeMutableRawPointer(buffer.baseAddress)?.copyMemory(from: base, byteCount: count * MemoryLayout<Sample>.stride)
                }
            }
            initialized = count
        }
    }

    private static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
        offset(of: needle, in: bytes) != nil
    }

    /// Where `needle` first occurs in `bytes` (memchr for its first byte, then a compare: Swift's
    /// Glibc does not export the GNU `memmem`).
    private static func offset(of needle: StaticString, in bytes: UnsafeRawBufferPointer) -> Int? {
        let length = needle.utf8CodeUnitCount
        guard let base = bytes.baseAddress, length > 0 else { return nil }
        let first = Int32(needle.utf8Start.pointee)
        var start = 0
        while bytes.count - start >= length, let found = memchr(base + start, first, bytes.count - start - length + 1) {
            let at = base.distance(to: UnsafeRawPointer(found))
            if memcmp(base + at, needle.utf8Start, length) == 0 { return at }
            start = at + 1
        }
        return nil
    }

    /// The hex digits right after `prefix` (which ends in `0x`), as a number.
    private static func hexValue(after prefix: StaticString, in bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard let start = offset(of: prefix, in: bytes) else { return nil }
        var value: UInt64 = 0
        var index = start + prefix.utf8CodeUnitCount
        var digits = 0
        while index < bytes.count, digits < 16 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return digits > 0 ? value : nil
            }
            value = value << 4 | UInt64(digit)
            digits += 1
            index += 1
        }
        return digits > 0 ? value : nil
    }
}
