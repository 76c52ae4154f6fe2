import Foundation
import LassoTransport
import Synchronization

/// The other side of a fuzz round: an upstream that answers the ``HTTPClient`` with random
/// responses — valid, malformed, truncated, oversized, dripped, reset — and a WebSocket
/// provider that sends random frames. Every client request must complete exactly once.
enum HostileUpstream {
    /// Starts an upstream, sends it a batch of requests, and checks each completes exactly once
    /// within its deadline (plus a margin). Returns how many were sent and what went wrong.
    static func round(client: HTTPClient, loop: EventLoop, random: inout SplitMix64) -> (sent: Int, violations: [String]) {
        let upstreamSeed = random.next()
        guard let listener = FuzzListener(script: { connection, index in
            var random = SplitMix64(seed: upstreamSeed &+ UInt64(index))
            respond(connection, &random)
        }) else { return (0, ["could not start a hostile upstream"]) }
        defer { listener.stop() }
        guard let url = UpstreamURL("http://127.0.0.1:\(listener.port)/rpc") else { return (0, ["bad URL"]) }
        let count = 10 + random.below(30)
        let completions = Mutex<[Int: Int]>([:])
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            let idempotent = random.chance(1, in: 2)
            client.post(url, body: Array(#"{"id":\#(index)}"#.utf8), timeout: .milliseconds(500), idempotent: idempotent) { _ in
                let first = completions.withLock { counts -> Bool in
                    counts[index, default: 0] += 1
                    return counts[index] == 1
                }
                if first { done.leave() }
            }
        }
        var violations: [String] = []
        if done.wait(timeout: .now() + .seconds(5)) == .timedOut {
            let finished = completions.withLock { $0.count }
            violations.append("\(count - finished) of \(count) upstream requests never completed")
        }
        let twice = completions.withLock { $0.filter { $0.value > 1 }.count }
        if twice > 0 { violations.append("\(twice) upstream requests completed more than once") }
        violations += webSocketRound(loop: loop, random: &random)
        return (count, violations)
    }

    /// One connection's behaviour: read requests and answer each in a random way.
    private static func respond(_ connection: FuzzSocket, _ random: inout SplitMix64) {
        for _ in 0..<(1 + random.below(4)) {
            let head = connection.read(until: Array("\r\n\r\n".utf8), limit: 1 << 16)
            guard !head.isEmpty else { return }
            _ = connection.receive(max: 4096)  // the small body, if it is not in the head's read
            let body = #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#
            let response: String
            switch random.below(12) {
            case 0, 1, 2: response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            case 3: response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n"
            case 4: response = "HTTP/1.1 \(random.below(1000)) X\r\nContent-Length: 0\r\n\r\n"
            case 5: response = "HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n\(body)"
            case 6: response = String((0..<random.below(300)).map { _ in Character(UnicodeScalar(UInt8(32 + random.below(95)))) })
            case 7: response = "HTTP/1.1 100 Continue\r\n\r\n" + "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            case 8: response = "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n"
            case 9: response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)EXTRA"
            case 10:
                connection.reset()
                return
            default: response = "HTTP/1.1 200 OK\r\n" + String(repeating: "X: y\r\n", count: 20_000)
            }
            let bytes = Array(response.utf8)
            if random.chance(1, in: 8) {
                for byte in bytes.prefix(200) {
                    guard connection.send([byte]) else { return }
                    Thread.block(for: .milliseconds(2))
                }
                return
            }
            guard connection.send(bytes) else { return }
            if random.chance(1, in: 4) { return }
        }
    }

    /// A WebSocket client against a provider sending random frames: it must end in an event,
    /// never take the loop down.
    private static func webSocketRound(loop: EventLoop, random: inout SplitMix64) -> [String] {
        let seed = random.next()
        guard let listener = FuzzListener(script: { connection, _ in
            var random = SplitMix64(seed: seed)
            let head = connection.read(until: Array("\r\n\r\n".utf8), limit: 1 << 16)
            guard let keyLine = String(decoding: head, as: UTF8.self).split(separator: "\r\n")
                .first(where: { $0.lowercased().hasPrefix("sec-websocket-key:") }) else { return }
            let key = keyLine.split(separator: ":", maxSplits: 1)[1].trimmingCharacters(in: .whitespaces)
            if random.chance(1, in: 6) {
                connection.send(Array("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n".utf8))
                return
            }
            connection.send(Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   + "Sec-WebSocket-Accept: \(WebSocketHandshake.acceptValue(for: key))\r\n\r\n").utf8))
            var frames: [UInt8] = []
            for _ in 0..<random.below(10) {
                let opcode = UInt8([0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x5][random.below(7)])
                let payload = (0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                frames += HostileClient.frame(opcode: opcode, payload: payload, fin: random.chance(4, in: 5),
                                              masked: random.chance(1, in: 8), rsv: 0)
            }
            HostileClient.sendSplit(connection, frames, &random)
            _ = connection.drain(limit: 1 << 16)
        }) else { return ["could not start a hostile WebSocket provider"] }
        defer { listener.stop() }
        guard let url = UpstreamURL("ws://127.0.0.1:\(listener.port)/") else { return [] }
        let ended = DispatchSemaphore(value: 0)
        let reported = Atomic<Bool>(false)
        var configuration = WebSocketClient.Configuration()
        configuration.backoff = ReconnectBackoff(initial: .seconds(60), maximum: .seconds(60))
        configuration.connectTimeout = .seconds(1)
        let socket = WebSocketClient(loop: loop, url: url, configuration: configuration) { event in
            if case .disconnected = event, !reported.exchange(true, ordering: .relaxed) { ended.signal() }
        }
        socket.start()
        _ = ended.wait(timeout: .now() + .seconds(1))
        socket.close()
        return []
    }
}
