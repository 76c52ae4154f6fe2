import Foundation
import Lasso
import LassoTransport
import Synchronization

extension Battle {
    /// Carries out one `SubscriptionWorkload`: its clients' WebSockets to lassod, subscribed
    /// from the start to the end of the run, recording every notification as it arrives (parsed
    /// on the loop thread into a few fields, not kept as text).
    final class Subscribers: Sendable {
        /// One client socket and what it received.
        final class Client: Sendable {
            struct Received {
                var wantsLogs = true
                var headsID: String?
                var logsID: String?
                var heads: [Observations.StreamEvent] = []
                var logs: [Observations.StreamEvent] = []
                var disconnects = 0
                /// Why an `eth_subscribe` was refused, if one was.
                var refusals: [String] = []
            }

            let index: Int
            let received = Mutex(Received())
            let socket = Mutex<WebSocketClient?>(nil)

            init(index: Int) {
                self.index = index
            }

            var isSubscribed: Bool {
                received.withLock { $0.headsID != nil && ($0.logsID != nil || !$0.wantsLogs) }
            }
        }

        let workload: SubscriptionWorkload
        let clients: [Client]
        private let collector: Collector

        init(workload: SubscriptionWorkload, loop: EventLoop, port: Int, collector: Collector) throws {
            self.workload = workload
            self.collector = collector
            guard let url = UpstreamURL("ws://127.0.0.1:\(port)/ws/rpc/\(workload.chain)") else {
                throw Runner.Invalid(description: "no WebSocket URL for chain \(workload.chain)")
            }
            clients = (0..<workload.clients).map(Client.init)
            for client in clients {
                let socket = WebSocketClient(loop: loop, url: url) { [collector, logs = workload.logs] event in
                    Self.handle(event, client: client, logs: logs, collector: collector)
                }
                client.socket.withLock { $0 = socket }
                client.received.withLock { $0.wantsLogs = workload.logs }
            }
        }

        /// Connects every client; each subscribes as soon as its socket is up.
        func start() {
            for client in clients { client.socket.withLock { $0 }?.start() }
        }

        /// Waits (polling every 10 ms, at most `withinMs`) until every client's subscriptions
        /// are confirmed; whether they all were.
        func waitUntilSubscribed(withinMs: Double) async -> Bool {
            let deadline = collector.elapsedMs() + withinMs
            while collector.elapsedMs() < deadline {
                if clients.allSatisfy(\.isSubscribed) { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return clients.allSatisfy(\.isSubscribed)
        }

        /// Waits (polling, at most `withinMs`) until `caughtUp` holds for every client's
        /// received heads and logs; whether it did.
        func waitUntil(withinMs: Double,
                       _ caughtUp: (_ heads: [Observations.StreamEvent], _ logs: [Observations.StreamEvent]) -> Bool) async -> Bool {
            let deadline = collector.elapsedMs() + withinMs
            func all() -> Bool {
                clients.allSatisfy { client in client.received.withLock { caughtUp($0.heads, $0.logs) } }
            }
            while collector.elapsedMs() < deadline {
                if all() { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return all()
        }

        func stop() {
            for client in clients {
                let socket = client.socket.withLock { socket -> WebSocketClient? in
                    defer { socket = nil }
                    return socket
                }
                socket?.close()
            }
        }

        /// Every client's streams, in client order.
        func streams() -> [Observations.Stream] {
            clients.flatMap { client -> [Observations.Stream] in
                let received = client.received.withLock { $0 }
                var streams = [Observations.Stream(chain: workload.chain, client: client.index, kind: .newHeads,
                                                   events: received.heads, disconnects: received.disconnects)]
                if workload.logs {
                    streams.append(Observations.Stream(chain: workload.chain, client: client.index, kind: .logs,
                                                       events: received.logs, disconnects: received.disconnects))
                }
                return streams
            }
        }

        /// Why any subscription was refused, once per reason.
        func refusals() -> [String] {
            Array(Set(clients.flatMap { $0.received.withLock { $0.refusals } })).sorted()
        }

        // MARK: - The loop thread

        private static func handle(_ event: WebSocketClientEvent, client: Client, logs: Bool, collector: Collector) {
            switch event {
            case .connected:
                // A reconnect's subscriptions are new ones: the stream will show what was lost.
                client.received.withLock { received in
                    received.headsID = nil
                    received.logsID = nil
                }
                let socket = client.socket.withLock { $0 }
                socket?.send(#"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
                if logs {
                    socket?.send(#"{"jsonrpc":"2.0","id":2,"method":"eth_subscribe","params":"#
                                 + SubscriptionWorkload.transfersParams + "}")
                }
            case .message(let message):
                record(message.bytes, client: client, atMs: collector.elapsedMs())
            case .disconnected:
                client.received.withLock { $0.disconnects += 1 }
            case .reconnecting, .closed:
                break
            }
        }

        private static func record(_ bytes: [UInt8], client: Client, atMs: Double) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else { return }
            if let id = object["id"] as? NSNumber {
                client.received.withLock { received in
                    if let subscription = object["result"] as? String {
                        if id.intValue == 1 { received.headsID = subscription } else { received.logsID = subscription }
                    } else if let error = object["error"] as? [String: Any] {
                        received.refusals.append("\(error["code"] ?? "?") \(error["message"] ?? "")")
                    }
                }
                return
            }
            guard let params = object["params"] as? [String: Any], let subscription = params["subscription"] as? String,
                  let result = params["result"] as? [String: Any] else { return }
            func quantity(_ key: String) -> UInt64? {
                (result[key] as? String).flatMap { $0.hasPrefix("0x") ? UInt64($0.dropFirst(2), radix: 16) : nil }
            }
            client.received.withLock { received in
                if subscription == received.headsID, let number = quantity("number"), let hash = result["hash"] as? String {
                    received.heads.append(.init(atMs: atMs, block: number, hash: hash,
                                                parentHash: result["parentHash"] as? String))
                } else if subscription == received.logsID, let number = quantity("blockNumber"),
                          let hash = result["blockHash"] as? String, let index = quantity("logIndex") {
                    received.logs.append(.init(atMs: atMs, block: number, hash: hash, logIndex: index))
                }
            }
        }
    }
}
