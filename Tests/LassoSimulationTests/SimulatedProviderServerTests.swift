import Foundation
import Testing
import Lasso
import LassoTransport
import Supervision
import TestSupport
@testable import LassoSimulation

/// A JSON-RPC WebSocket client to a simulated provider over a raw socket, so a test sees every
/// frame, and whether the connection ended with a close frame or without one. Its reads block a
/// thread of their own (`RawSocket`'s async flavours), never the cooperative pool: the suites run
/// in parallel, and the simulator's delayed replies need the pool's threads.
private final class ProviderSocket: @unchecked Sendable {
    // @unchecked: used by one test at a time, like the RawSocket it wraps.
    let raw: RawSocket
    /// Notifications read while waiting for replies, in order.
    private(set) var notifications: [[String: Any]] = []
    private var nextID = 1

    init(port: Int) async throws {
        raw = try #require(RawSocket(port: port))
        try #require(await raw.upgrade(path: "/"))
    }

    /// Sends a request and returns its reply; notifications read meanwhile are kept.
    func call(_ method: String, _ params: String = "[]") async throws -> [String: Any] {
        let id = nextID
        nextID += 1
        raw.send(RawSocket.frame(opcode: 0x1, payload: Array(#"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#.utf8)))
        while true {
            let message = try #require(await next(), "no reply to \(method)")
            if message["id"] as? Int == id { return message }
            notifications.append(message)
        }
    }

    /// The next notification (or one already read); nil when the connection ends first.
    func notification() async -> [String: Any]? {
        if !notifications.isEmpty { return notifications.removeFirst() }
        return await next()
    }

    /// The next text message; nil at a close frame, the end of the stream, or the timeout.
    private func next() async -> [String: Any]? {
        while let frame = await raw.readFrame() {
            switch frame.opcode {
            case 0x1: return (try? JSONSerialization.jsonObject(with: Data(frame.payload))) as? [String: Any]
            case 0x8: return nil
            default: continue
            }
        }
        return nil
    }

    /// Reads until the connection ends: the text frames seen, and whether a close frame came.
    func readToEnd() async -> (messages: Int, closeFrame: Bool, ended: Bool) {
        var messages = 0
        while let frame = await raw.readFrame() {
            if frame.opcode == 0x8 { return (messages, true, await raw.waitForClose()) }
            messages += 1
        }
        return (messages, false, await endsWithoutAByte(raw))
    }
}

/// True when the next read finds the connection ended (closed or reset) with no byte before.
private func endsWithoutAByte(_ socket: RawSocket) async -> Bool {
    await offPool {
        let bytes = socket.receive()
        return bytes == [] || (bytes == nil && errno == ECONNRESET)
    }
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
        self.chain = chain ?? SimulatedChain(chainID: 1, blockIntervalMs: 100, start: SystemClock.shared.now(),
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
    /// A latency no test waits out: a reply held this long is still held when the test ends,
    /// however slowly the machine runs.
    static let forever: UInt64 = 600_000

    @Test func killingTheProviderDropsEveryOpenConnectionWithoutAGoodbye() async throws {
        let served = try Served()
        let webSocket = try await ProviderSocket(port: served.server.port)
        _ = try await webSocket.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(await webSocket.notification()) != nil, "events flow before the kill")
        let http = try #require(RawSocket(port: served.server.port))
        #expect(served.post(http, "eth_chainId"))
        #expect(await http.readResponse()?.status == 200)
        served.provider.behavior = .slowHTTP(latencyMs: Self.forever)
        #expect(served.post(http, "eth_chainId"))
        // Killed only once the provider holds the request: one read after the kill gets the
        // 503 a killed provider gives new requests, not the dropped in-flight reply tested here.
        #expect(await waitFor { served.provider.requestCounts["eth_chainId"] == 2 })

        served.provider.behavior = .killed
        let ending = await webSocket.readToEnd()
        #expect(!ending.closeFrame && ending.ended, "the WebSocket ends with no close frame")
        #expect(await endsWithoutAByte(http), "the reply in flight is never sent; the connection just ends")
        #expect(served.server.subscriptionCount == 0)

        let whileKilled = try await ProviderSocket(port: served.server.port)
        let refused = await whileKilled.readToEnd()
        #expect(!refused.closeFrame && refused.ended && refused.messages == 0, "a new WebSocket is dropped the same way")

        served.provider.behavior = .healthy
        let revived = try await ProviderSocket(port: served.server.port)
        _ = try await revived.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(await revived.notification()) != nil, "a revived provider serves again")
    }

    @Test func downClosesOpenWebSocketsWith1001() async throws {
        let served = try Served()
        let webSocket = try await ProviderSocket(port: served.server.port)
        _ = try await webSocket.call("eth_chainId")
        served.provider.behavior = .down
        #expect(await webSocket.raw.readCloseCode() == 1001)
    }

    @Test func aStalledProviderKeepsItsSocketButSendsNoEvent() async throws {
        let stalled = try Served()
        let witness = try Served("witness", chain: stalled.chain)
        let socket = try await ProviderSocket(port: stalled.server.port)
        _ = try await socket.call("eth_subscribe", #"["newHeads"]"#)
        let clock = try await ProviderSocket(port: witness.server.port)
        _ = try await clock.call("eth_subscribe", #"["newHeads"]"#)
        #expect(result(await socket.notification()) != nil)

        stalled.provider.behavior = .stalledSubscription
        // Whatever was pushed before the switch arrives before this reply.
        _ = try await socket.call("eth_chainId")
        var last: UInt64 = 0
        while !socket.notifications.isEmpty, let event = await socket.notification() {
            last = quantity(result(event)?["number"]) ?? last
        }
        // The healthy witness on the same chain tells when three more blocks were made.
        var seen: UInt64 = 0
        while seen < last + 3, let event = await clock.notification() { seen = quantity(result(event)?["number"]) ?? seen }
        #expect(seen >= last + 3)
        let head = try #require(quantity(try await socket.call("eth_blockNumber")["result"]))
        #expect(head >= last + 3, "the stalled provider still answers, and its chain moved on")
        #expect(socket.notifications.isEmpty, "but no event came")

        stalled.provider.behavior = .healthy
        let resumed = try #require(quantity(result(await socket.notification())?["number"]))
        #expect(resumed > last + 3, "what was due while stalled is lost, not replayed")
    }

    @Test func aLaggingProviderAnswersAndPushesNBlocksBehind() async throws {
        let lagging = try Served()
        let witness = try Served("witness", chain: lagging.chain)
        lagging.provider.behavior = .lagging(blocks: 3)
        let socket = try await ProviderSocket(port: lagging.server.port)
        let clock = try await ProviderSocket(port: witness.server.port)
        let before = try #require(quantity(try await clock.call("eth_blockNumber")["result"]))
        let reported = try #require(quantity(try await socket.call("eth_blockNumber")["result"]))
        let after = try #require(quantity(try await clock.call("eth_blockNumber")["result"]))
        #expect(before - 3 <= reported && reported <= after - 3)

        _ = try await socket.call("eth_subscribe", #"["newHeads"]"#)
        let first = try #require(quantity(result(await socket.notification())?["number"]))
        let chainHead = try #require(quantity(try await clock.call("eth_blockNumber")["result"]))
        #expect(chainHead >= first + 3, "block b is announced once the chain is at b + 3")
    }

    @Test func aForkReachesOpenSubscriptionsAsAReorg() async throws {
        let served = try Served()
        let socket = try await ProviderSocket(port: served.server.port)
        let heads = try #require(try await socket.call("eth_subscribe", #"["newHeads"]"#)["result"] as? String)
        let logs = try #require(try await socket.call("eth_subscribe", #"["logs"]"#)["result"] as? String)
        var announced: UInt64 = 0
        while announced == 0, let event = await socket.notification() {
            if (event["params"] as? [String: Any])?["subscription"] as? String == heads { announced = quantity(result(event)?["number"]) ?? 0 }
        }
        let fork = SimulatedFork(fromBlock: announced, salt: 5)
        let branch = served.chain.forked(fork)
        served.provider.fork = fork

        var retracted: Set<UInt64> = [], newHead: [String: Any]?
        while newHead == nil, let event = await socket.notification() {
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
        let block = try await socket.call("eth_getBlockByNumber", #"["\#(SimulatedHex.quantity(announced))",false]"#)
        #expect((block["result"] as? [String: Any])?["hash"] as? String == branch.blockHash(announced), "requests see the branch too")
    }

    /// By order of events, not elapsed time: with a latency no test waits out, the HTTP reply is
    /// still missing when the WebSocket reply to a later request has come; with a short one, the
    /// held reply does come, whole.
    @Test func slowHTTPDelaysHTTPOnly() async throws {
        let served = try Served()
        served.provider.behavior = .slowHTTP(latencyMs: Self.forever)
        let held = try #require(RawSocket(port: served.server.port))
        #expect(served.post(held, "eth_chainId"))
        #expect(await waitFor { served.provider.requestCounts["eth_chainId"] == 1 }, "the provider holds the HTTP request")
        let webSocket = try await ProviderSocket(port: served.server.port)
        #expect(try await webSocket.call("eth_chainId")["result"] as? String == "0x1")
        #expect(held.nothingPending(), "WebSocket answered while HTTP was still waiting")

        served.provider.behavior = .slowHTTP(latencyMs: 200)
        let http = try #require(RawSocket(port: served.server.port))
        #expect(served.post(http, "eth_chainId"))
        #expect(await http.readResponse()?.text == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#, "HTTP answers once the latency passed")
    }
}
