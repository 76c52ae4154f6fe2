import Foundation
import Testing
import Lasso
import LassoTransport
import Supervision
import TestSupport
@testable import LassoSimulation

/// A JSON-RPC WebSocket client to a simulated provider over a raw socket, so a test sees every
/// frame, and whether the connection ended with a close frame or without one.
private final class ProviderSocket {
    let raw: RawSocket
    /// Notifications read while waiting for replies, in order.
    private(set) var notifications: [[String: Any]] = []
    private var nextID = 1

    init(port: Int) throws {
        raw = try #require(RawSocket(port: port))
        try #require(raw.upgrade(path: "/"))
    }

    /// Sends a request and returns its reply; notifications read meanwhile are kept.
    func call(_ method: String, _ params: String = "[]") throws -> [String: Any] {
        let id = nextID
        nextID += 1
        raw.send(RawSocket.frame(opcode: 0x1, payload: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#.utf8)))
        while true {
            let message = try #require(next(), "no reply to \(method)")
            if message["id"] as? Int == id { return message }
            notifications.append(message)
        }
    }

    /// The next notification (or one already read); nil when the connection ends first.
    func notification() -> [String: Any]? {
        if !notifications.isEmpty { return notifications.removeFirst() }
        return next()
    }

    /// The next text message; nil at a close frame, the end of the stream, or the timeout.
    private func next() -> [String: Any]? {
        while let frame = raw.readFrame() {
            switch frame.opcode {
            case 0x1: return (try? JSONSerialization.jsonObject(with: Data(frame.payload))) as? [String: Any]
            case 0x8: return nil
            default: continue
            }
        }
        return nil
    }

    /// Reads until the connection ends: the text frames seen, and whether a close frame came.
    func readToEnd() -> (messages: Int, closeFrame: Bool, ended: Bool) {
        var messages = 0
        while let frame = raw.readFrame() {
            if frame.opcode == 0x8 { return (messages, true, raw.waitForClose()) }
            messages += 1
        }
        return (messages, false, endsWithoutAByte(raw))
    }
}

/// True when the next read finds the connection ended (closed or reset) with no byte before.
private func endsWithoutAByte(_ socket: RawSocket) -> Bool {
    let bytes = socket.receive()
    return bytes == [] || (bytes == nil && errno == ECONNRESET)
}

private func result(_ notification: [String: Any]?) -> [String: Any]? {
    (notification?["params"] as? [String: Any])?["result"] as? [String: Any]
}

private func quantity(_ value: Any?) -> UInt64? {
    (value as? String).flatMap { UInt64($0.dropFirst(2), radix: 16) }
}

/// A simulated provider behind its server on a loop of its own, with blocks every 100 ms.
private final class Served {
    let loop: EventLoop
    let provider: SimulatedProvider
    let server: SimulatedProviderServer
    let chain: SimulatedChain

    init(_ id: String = "alpha", chain: SimulatedChain? = nil) throws {
        self.chain = chain ?? SimulatedChain(chainID: 1, blockIntervalMs: 100, start: MonotonicInstant(SystemClock.shared.now()),
                                             headAtStart: 1_000)
        loop = try EventLoop()
        provider = SimulatedProvider(id: id, chain: self.chain)
        server = try SimulatedProviderServer(provider: provider, loop: loop)
    }

    func post(_ socket: RawSocket, _ method: String) -> Bool {
        socket.send(postRequest("/", #"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":[]}"#))
    }

    deinit {
        server.stop()
        loop.stop()
    }
}

/// Behavior switches reaching connections already open, reorgs reaching open subscriptions, and
/// the HTTP-only latency, over loopback sockets.
@Suite(.serialized) struct SimulatedProviderServerTests {
    @Test func killingTheProviderDropsEveryOpenConnectionWithoutAGoodbye() throws {
        let served = try Served()
        let webSocket = try ProviderSocket(port: served.server.port)
        _ = try webSocket.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(webSocket.notification()) != nil, "events flow before the kill")
        let http = try #require(RawSocket(port: served.server.port))
        #expect(served.post(http, "eth_chainId") && http.readResponse()?.status == 200)
        served.provider.behavior = .slowHTTP(latencyMs: 5_000)
        #expect(served.post(http, "eth_chainId"))
        // Killed only once the provider holds the request: one read after the kill gets the
        // 503 a killed provider gives new requests, not the dropped in-flight reply tested here.
        #expect(waitForBlocking(within: .seconds(5)) { served.provider.requestCounts["eth_chainId"] == 2 })

        served.provider.behavior = .killed
        let ending = webSocket.readToEnd()
        #expect(!ending.closeFrame && ending.ended, "the WebSocket ends with no close frame")
        #expect(endsWithoutAByte(http), "the reply in flight is never sent; the connection just ends")
        #expect(served.server.subscriptionCount == 0)

        let whileKilled = try ProviderSocket(port: served.server.port)
        let refused = whileKilled.readToEnd()
        #expect(!refused.closeFrame && refused.ended && refused.messages == 0, "a new WebSocket is dropped the same way")

        served.provider.behavior = .healthy
        let revived = try ProviderSocket(port: served.server.port)
        _ = try revived.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(revived.notification()) != nil, "a revived provider serves again")
    }

    @Test func downClosesOpenWebSocketsWith1001() throws {
        let served = try Served()
        let webSocket = try ProviderSocket(port: served.server.port)
        _ = try webSocket.call("eth_chainId")
        served.provider.behavior = .down
        #expect(webSocket.raw.readCloseCode() == 1001)
    }

    @Test func aStalledProviderKeepsItsSocketButSendsNoEvent() throws {
        let stalled = try Served()
        let witness = try Served("witness", chain: stalled.chain)
        let socket = try ProviderSocket(port: stalled.server.port)
        _ = try socket.call("eth_subscribe", #"["newHeads"]"#)
        let clock = try ProviderSocket(port: witness.server.port)
        _ = try clock.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(socket.notification()) != nil)

        stalled.provider.behavior = .stalledSubscription
        // Whatever was pushed before the switch arrives before this reply.
        _ = try socket.call("eth_chainId")
        var last: UInt64 = 0
        while let event = socket.notifications.isEmpty ? nil : socket.notification() { last = quantity(result(event)?["number"]) ?? last }
        // The healthy witness on the same chain tells when three more blocks were made.
        var seen: UInt64 = 0
        while seen < last + 3, let event = clock.notification() { seen = quantity(result(event)?["number"]) ?? seen }
        #expect(seen >= last + 3)
        let head = try #require(quantity(try socket.call("eth_blockNumber")["result"]))
        #expect(head >= last + 3, "the stalled provider still answers, and its chain moved on")
        #expect(socket.notifications.isEmpty, "but no event came")

        stalled.provider.behavior = .healthy
        let resumed = try #require(quantity(result(socket.notification())?["number"]))
        #expect(resumed > last + 3, "what was due while stalled is lost, not replayed")
    }

    @Test func aLaggingProviderAnswersAndPushesNBlocksBehind() throws {
        let lagging = try Served()
        let witness = try Served("witness", chain: lagging.chain)
        lagging.provider.behavior = .lagging(blocks: 3)
        let socket = try ProviderSocket(port: lagging.server.port)
        let clock = try ProviderSocket(port: witness.server.port)
        let before = try #require(quantity(try clock.call("eth_blockNumber")["result"]))
        let reported = try #require(quantity(try socket.call("eth_blockNumber")["result"]))
        let after = try #require(quantity(try clock.call("eth_blockNumber")["result"]))
        #expect(before - 3 <= reported && reported <= after - 3)

        _ = try socket.call("eth_subscribe", #"["newHeads"]"#)
        let first = try #require(quantity(result(socket.notification())?["number"]))
        let chainHead = try #require(quantity(try clock.call("eth_blockNumber")["result"]))
        #expect(chainHead >= first + 3, "block b is announced once the chain is at b + 3")
    }

    @Test func aForkReachesOpenSubscriptionsAsAReorg() throws {
        let served = try Served()
        let socket = try ProviderSocket(port: served.server.port)
        let heads = try #require(try socket.call("eth_subscribe", #"["newHeads"]"#)["result"] as? String)
        let logs = try #require(try socket.call("eth_subscribe", #"["logs"]"#)["result"] as? String)
        var announced: UInt64 = 0
        while announced == 0, let event = socket.notification() {
            if (event["params"] as? [String: Any])?["subscription"] as? String == heads { announced = quantity(result(event)?["number"]) ?? 0 }
        }
        let fork = SimulatedFork(fromBlock: announced, salt: 5)
        let branch = served.chain.forked(fork)
        served.provider.fork = fork

        var retracted: Set<UInt64> = [], newHead: [String: Any]?
        while newHead == nil, let event = socket.notification() {
            let params = event["params"] as? [String: Any], payload = result(event)
            if params?["subscription"] as? String == logs, payload?["removed"] as? Bool == true {
                let number = try #require(quantity(payload?["blockNumber"]))
                #expect(payload?["blockHash"] as? String == served.chain.blockHash(number), "a retraction names the orphaned block")
                retracted.insert(number)
            } else if params?["subscription"] as? String == heads, quantity(payload?["number"]) == announced {
                newHead = payload
            }
        }
        #expect(retracted.contains(announced), "the orphaned block's logs come back with removed: true")
        #expect(newHead?["hash"] as? String == branch.blockHash(announced), "then the same number with a new hash")
        #expect(newHead?["parentHash"] as? String == served.chain.blockHash(announced - 1))
        let block = try socket.call("eth_getBlockByNumber", #"["\#(SimulatedHex.quantity(announced))",false]"#)
        #expect((block["result"] as? [String: Any])?["hash"] as? String == branch.blockHash(announced), "requests see the branch too")
    }

    @Test func slowHTTPDelaysHTTPOnly() throws {
        let served = try Served()
        served.provider.behavior = .slowHTTP(latencyMs: 2_000)
        let http = try #require(RawSocket(port: served.server.port))
        let start = ContinuousClock.now
        #expect(served.post(http, "eth_chainId"))
        let webSocket = try ProviderSocket(port: served.server.port)
        #expect(try webSocket.call("eth_chainId")["result"] as? String == "0x1")
        let webSocketTime = ContinuousClock.now - start
        #expect(http.readResponse()?.text == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        let httpTime = ContinuousClock.now - start
        #expect(httpTime >= .milliseconds(2_000), "HTTP waits out the latency")
        #expect(webSocketTime < .milliseconds(2_000), "WebSocket answered while HTTP was still waiting")
    }
}
