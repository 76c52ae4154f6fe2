import Foundation
import TestSupport

/// A dashboard page as the tests see it: a WebSocket on `/ws/dashboard` whose pushed messages
/// are decoded as JSON objects. Reads block (10 s timeout), so they run off the cooperative pool.
final class DashboardClient: @unchecked Sendable {
    let socket: RawSocket

    init?(port: Int) {
        guard let socket = RawSocket(port: port), socket.upgrade(path: "/ws/dashboard") else { return nil }
        self.socket = socket
    }

    /// The next pushed message, decoded; nil on EOF, timeout or a message that is not an object.
    func next() async throws -> [String: Any]? {
        let socket = self.socket
        let bytes = await offPool { socket.readMessage()?.payload }
        guard let bytes else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    }

    /// The next raw message text; nil on EOF or timeout.
    func nextText() async throws -> String? {
        let socket = self.socket
        return await offPool { socket.readMessage().map { String(decoding: $0.payload, as: UTF8.self) } }
    }

    /// Reads state pushes until one satisfies `condition` (at most `limit` messages); returns it.
    func state(limit: Int = 200, where condition: ([String: Any]) -> Bool) async throws -> [String: Any]? {
        for _ in 0..<limit {
            guard let message = try await next() else { return nil }
            if message["type"] as? String == "state", condition(message) { return message }
        }
        return nil
    }

    func close() { socket.reset() }
}

/// Reading pushed states.
enum DashboardMessage {
    static func chain(_ state: [String: Any], _ key: String = "ethereum") -> [String: Any]? {
        (state["chains"] as? [[String: Any]])?.first { $0["chain"] as? String == key }
    }

    static func providers(_ state: [String: Any]) -> [[String: Any]] {
        ((chain(state)?["status"] as? [String: Any])?["providers"] as? [[String: Any]]) ?? []
    }

    static func matrixCalls(_ state: [String: Any], method: String) -> Int {
        ((chain(state)?["matrix"] as? [[String: Any]]) ?? []).filter { $0["method"] as? String == method }
            .reduce(0) { $0 + ($1["calls"] as? Int ?? 0) }
    }

    /// The tree node at a path of names below the root, e.g. `["ChainsSupervisor", "ChainSupervisor(ethereum)"]`.
    static func treeNode(_ state: [String: Any], _ path: [String]) -> [String: Any]? {
        var node = state["tree"] as? [String: Any]
        for name in path {
            node = (node?["children"] as? [[String: Any]])?.first { $0["name"] as? String == name }
        }
        return node
    }
}
