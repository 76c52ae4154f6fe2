import Foundation

/// One attacker of a fuzz round: connects to the server under test and does one random hostile
/// thing, chosen and shaped by its seed.
enum HostileClient {
    static func attack(port: Int, seed: UInt64) {
        var random = SplitMix64(seed: seed)
        guard let socket = FuzzSocket(port: port, timeout: .milliseconds(600)) else { return }
        var bytes: [UInt8]
        switch random.below(9) {
        case 0: bytes = pipelined(&random)
        case 1, 2: bytes = mutate(pipelined(&random), &random)
        case 3: bytes = (0..<random.below(4096)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 4: bytes = oversized(&random)
        case 5: bytes = chunked(&random)
        case 6: bytes = webSocket(&random)
        case 7:
            drip(socket, Array(request(&random).utf8), &random)
            return
        default: bytes = mutate(webSocket(&random), &random)
        }
        sendSplit(socket, bytes, &random)
        switch random.below(4) {
        case 0:
            socket.reset()
        case 1:
            socket.shutdownWrite()
            _ = socket.drain()
        default:
            _ = socket.drain(limit: 256 << 10)
        }
    }

    // MARK: Inputs

    private static let paths = ["/rpc", "/api/status", "/async/x", "/nope", "/rpc/../api/status", "*", "/%2e%2e/rpc"]
    private static let methods = ["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "CONNECT", "TRACE", "get", "P0ST", ""]
    private static let versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.9", "HTTP/0.9", "HTTP/1", "http/1.1"]

    static func request(_ random: inout SplitMix64) -> String {
        let body = #"{"jsonrpc":"2.0","id":\#(random.below(1000)),"method":"eth_blockNumber"}"#
        let method = random.chance(3, in: 4) ? (random.chance(1, in: 2) ? "POST" : "GET") : methods[random.below(methods.count)]
        let version = random.chance(7, in: 8) ? "HTTP/1.1" : versions[random.below(versions.count)]
        var head = "\(method) \(paths[random.below(paths.count)]) \(version)\r\n"
        if random.chance(9, in: 10) { head += "Host: 127.0.0.1\r\n" }
        if random.chance(1, in: 10) { head += "Expect: 100-continue\r\n" }
        if random.chance(1, in: 10) { head += "Connection: close\r\n" }
        if method == "POST" || random.chance(1, in: 10) {
            head += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            head += "\r\n"
        }
        return head
    }

    static func pipelined(_ random: inout SplitMix64) -> [UInt8] {
        Array((0..<(1 + random.below(20))).map { _ in request(&random) }.joined().utf8)
    }

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        let insertions: [[UInt8]] = [Array("\r\n".utf8), Array("\n".utf8), Array("\r".utf8), [0], Array(" ".utf8),
                                     Array("Transfer-Encoding: chunked\r\n".utf8), Array("Content-Length: 99999999999\r\n".utf8),
                                     Array("Content-Length: -1\r\n".utf8), Array(": \r\n".utf8), Array("\r\n\r\n".utf8),
                                     Array(String(repeating: "A", count: 20_000).utf8)]
        for _ in 0..<(1 + random.below(6)) where !bytes.isEmpty {
            let position = random.below(bytes.count)
            switch random.below(4) {
            case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.insert(contentsOf: insertions[random.below(insertions.count)], at: position)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + 1 + random.below(40)))
            default:
                let end = min(bytes.count, position + 1 + random.below(200))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            }
        }
        return bytes
    }

    static func oversized(_ random: inout SplitMix64) -> [UInt8] {
        switch random.below(4) {
        case 0: return Array("GET /\(String(repeating: "a", count: 9000 + random.below(20_000))) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        case 1: return Array("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "b", count: 17_000))\r\n\r\n".utf8)
        case 2: return Array("GET / HTTP/1.1\r\nHost: x\r\n\((0..<200).map { "H\($0): v\r\n" }.joined())\r\n".utf8)
        default:
            let size = 70_000 + random.below(200_000)
            return Array("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n".utf8) + [UInt8](repeating: 0x7B, count: size)
        }
    }

    static func chunked(_ random: inout SplitMix64) -> [UInt8] {
        var text = "POST /rpc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<random.below(6) {
            let size = random.below(300)
            let declared = random.chance(1, in: 6) ? size + random.below(5) : size
            text += String(declared, radix: 16) + (random.chance(1, in: 5) ? ";ext=\(random.below(9))" : "") + "\r\n"
            text += String(repeating: "c", count: size) + "\r\n"
        }
        text += random.chance(4, in: 5) ? "0\r\n\r\n" : "0\r\nX-Trailer: \(String(repeating: "t", count: random.below(10_000)))\r\n\r\n"
        return Array(text.utf8)
    }

    static func webSocket(_ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
        for _ in 0..<random.below(12) {
            let opcode = [0x0, 0x1, 0x2, 0x8, 0x9, 0xA, 0x3, 0xB][random.below(8)]
            let length = random.chance(1, in: 8) ? 126 + random.below(70_000) : random.below(130)
            var payload = (0..<length).map { _ in UInt8(0x61 + random.below(26)) }
            if random.chance(1, in: 10), !payload.isEmpty { payload[0] = 0xFF }
            bytes += frame(opcode: UInt8(opcode), payload: payload, fin: random.chance(4, in: 5),
                           masked: random.chance(9, in: 10), rsv: random.chance(1, in: 20) ? 0x40 : 0)
        }
        return bytes
    }

    static func frame(opcode: UInt8, payload: [UInt8], fin: Bool, masked: Bool, rsv: UInt8) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | rsv | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            out.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            out += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        if masked {
            let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
            out += mask
            out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        } else {
            out += payload
        }
        return out
    }

    // MARK: Delivery

    /// Sends `bytes` in random pieces, sometimes pausing between them.
    static func sendSplit(_ socket: FuzzSocket, _ bytes: [UInt8], _ random: inout SplitMix64) {
        var offset = 0
        while offset < bytes.count {
            let piece = random.chance(1, in: 3) ? 1 + random.below(8) : 1 + random.below(max(1, bytes.count))
            let end = min(bytes.count, offset + piece)
            guard socket.send(Array(bytes[offset..<end])) else { return }
            offset = end
            if random.chance(1, in: 20) { Thread.block(for: .microseconds(random.below(3000))) }
        }
    }

    /// Sends a request a byte at a time, slowly, then gives up: a slowloris.
    static func drip(_ socket: FuzzSocket, _ bytes: [UInt8], _ random: inout SplitMix64) {
        let stop = ContinuousClock.now + .milliseconds(random.below(300))
        for byte in bytes where ContinuousClock.now < stop {
            guard socket.send([byte]) else { return }
            Thread.block(for: .microseconds(1000 + random.below(20_000)))
        }
        if random.chance(1, in: 2) { socket.reset() }
    }

    // MARK: The invariant's probes

    /// A plain request on a new connection gets its answer within a second.
    static func normalRequestIsAnswered(port: Int) -> Bool {
        guard let socket = FuzzSocket(port: port, timeout: .seconds(2)) else { return false }
        let body = #"{"id":"probe"}"#
        socket.send(Array("POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        return FuzzSocket.contains(socket.read(until: Array(body.utf8)), Array(body.utf8))
    }

    /// A WebSocket upgrade and one echoed message on a new connection.
    static func webSocketEchoWorks(port: Int) -> Bool {
        guard let socket = FuzzSocket(port: port, timeout: .seconds(2)) else { return false }
        socket.send(Array(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
                    + frame(opcode: 0x1, payload: Array("echo probe".utf8), fin: true, masked: true, rsv: 0))
        return FuzzSocket.contains(socket.read(until: Array("echo probe".utf8)), Array("echo probe".utf8))
    }
}
