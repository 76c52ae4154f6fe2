import LassoTransport
import Synchronization

/// Ends a `WSConnection`'s upstream `WebSocketClient` when its owner is done with it, closing
/// it only at a moment the client is settled: open, or waiting before a reconnect.
///
/// Why not just call `close()`: a close that lands while the client is still connecting can
/// leave the half-made connection behind (the transport gives up its handle and libwebsockets
/// may complete the handshake anyway; found with restart storms, issue #9 item 9: 148 upstream
/// sockets where there had been 6, all alive). Chains stopped right after they started — a
/// `restart-chain` storm, a reload — stop their connections exactly then. So:
///
/// - Released while the last event said `connected`: closed at once.
/// - Released while connecting, or waiting to retry (which turns into connecting without an
///   event): closed from inside the client's next `connected` or `reconnecting` event, which
///   run on the loop thread while the client is in a state a close ends cleanly. A connect
///   attempt ends in one of them within the client's connect timeout.
///
/// `release()` is idempotent and safe from any thread; the owner calls it whenever it stops,
/// and a monitor on the owner calls it too, so a kill (which skips `terminate`) does not leave
/// the socket behind. The client and this object refer to each other until `closed`, which
/// breaks the cycle.
final class UpstreamWebSocketLifetime: Sendable {
    private enum Phase {
        case connecting
        case open
        /// Waiting before a reconnect, or already connecting again: events do not say which.
        case retrying
        case closed
    }

    private struct State {
        var phase = Phase.connecting
        var released = false
        var client: WebSocketClient?
    }

    private let state = Mutex(State())

    /// Takes charge of `client`; call before starting it.
    func adopt(_ client: WebSocketClient) {
        state.withLock { $0.client = client }
    }

    /// Feeds one event of the client; called from its event callback, on the loop thread.
    func observe(_ event: WebSocketClientEvent) {
        let closeNow: WebSocketClient? = state.withLock { state in
            switch event {
            case .connected: state.phase = .open
            case .disconnected, .reconnecting: state.phase = .retrying
            case .closed:
                state.phase = .closed
                state.client = nil
                return nil
            case .message: return nil
            }
            // `disconnected` comes while the client still winds the old connection down; the
            // `reconnecting` that always follows it is the moment to close.
            guard state.released, event == .connected || Self.isReconnecting(event) else { return nil }
            return state.client
        }
        closeNow?.close()
    }

    /// The owner is done: close now if the client is open, else at its next settled moment.
    func release() {
        let closeNow: WebSocketClient? = state.withLock { state in
            guard !state.released else { return nil }
            state.released = true
            return state.phase == .open ? state.client : nil
        }
        closeNow?.close()
    }

    private static func isReconnecting(_ event: WebSocketClientEvent) -> Bool {
        if case .reconnecting = event { return true }
        return false
    }
}
