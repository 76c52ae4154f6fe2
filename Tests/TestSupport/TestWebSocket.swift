import Foundation
import Synchronization
import LassoTransport

/// A client WebSocket for end-to-end tests, on the transport's own `WebSocketClient`: records
/// every message and disconnect, and waits for them (`waitFor`) instead of sleeping.
public final class TestWebSocket: Sendable {
    public struct Recorded: Sendable {
        public var connected = false
        public var messages: [String] = []
        public var disconnects: [WebSocketClientDisconnect] = []
    }

    public struct Timeout: Error, CustomStringConvertible {
        public var description: String
    }

    public let client: WebSocketClient
    private let log: Log

    /// What the client's event callback writes to.
    private final class Log: Sendable {
        let state = Mutex(Recorded())
    }

    /// Connects to `ws://127.0.0.1:<port><path>`.
    public init(loop: EventLoop, port: Int, path: String) throws {
        guard let url = UpstreamURL("ws://127.0.0.1:\(port)\(path)") else { throw Timeout(description: "bad url") }
        let log = Log()
        client = WebSocketClient(loop: loop, url: url) { event in
            log.state.withLock { state in
                switch event {
                case .connected: state.connected = true
                case .message(let message): state.messages.append(message.text)
                case .disconnected(let reason):
                    state.connected = false
                    state.disconnects.append(reason)
                case .reconnecting, .closed: break
                }
            }
        }
        self.log = log
        client.start()
    }

    public var messages: [String] { log.state.withLock { $0.messages } }
    public var disconnects: [WebSocketClientDisconnect] { log.state.withLock { $0.disconnects } }

    public func send(_ text: String) { client.send(text) }

    public func close() { client.close() }

    /// Waits (`waitFor`, 10 s unless told) until `condition` returns a value for what was
    /// recorded; throws `Timeout` naming `what` otherwise.
    @discardableResult
    public func wait<T>(_ what: String, timeout: Duration = .seconds(10), _ condition: (Recorded) -> T?) async throws -> T {
        guard let value = await waitFor(within: timeout, { log.state.withLock { condition($0) } }) else {
            throw Timeout(description: "timed out waiting for \(what)")
        }
        return value
    }

    public func connected() async throws {
        try await wait("connection") { $0.connected ? true : nil }
    }

    /// The first message (by arrival) for which `predicate` holds.
    public func message(_ what: String, where predicate: @escaping (String) -> Bool) async throws -> String {
        try await wait(what) { $0.messages.first(where: predicate) }
    }

    /// The reply to the request with id `id` (as JSON text, e.g. `1` or `"a"`).
    public func reply(id: String) async throws -> String {
        try await message("reply \(id)") { $0.contains(#""id":\#(id),"#) }
    }

    /// Sends an `eth_subscribe` and returns the subscription id from its reply.
    public func subscribe(id: Int, params: String) async throws -> String {
        send(#"{"jsonrpc":"2.0","id":\#(id),"method":"eth_subscribe","params":\#(params)}"#)
        let answer = try await reply(id: String(id))
        guard let object = Self.object(answer), let subscription = object["result"] as? String else {
            throw Timeout(description: "no subscription in \(answer)")
        }
        return subscription
    }

    /// Notifications for subscription `id`, in arrival order.
    public func notifications(for id: String) -> [[String: Any]] {
        Self.notifications(for: id, in: messages)
    }

    public static func notifications(for id: String, in messages: [String]) -> [[String: Any]] {
        messages.compactMap { text in
            guard let object = Self.object(text), object["method"] as? String == "eth_subscription",
                  let params = object["params"] as? [String: Any], params["subscription"] as? String == id,
                  let result = params["result"] as? [String: Any] else { return nil }
            return result
        }
    }

    /// Waits for at least `count` notifications of subscription `id`.
    @discardableResult
    public func notifications(for id: String, atLeast count: Int) async throws -> [[String: Any]] {
        try await wait("\(count) notifications of \(id)", timeout: .seconds(15)) { recorded in
            let found = Self.notifications(for: id, in: recorded.messages)
            return found.count >= count ? found : nil
        }
    }

    public static func object(_ text: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    }

    /// The block number of a newHeads result or a log.
    public static func blockNumber(_ result: [String: Any]) -> UInt64? {
        guard let hex = (result["number"] ?? result["blockNumber"]) as? String else { return nil }
        return UInt64(hex.dropFirst(2), radix: 16)
    }
}
