import Lasso
import Synchronization

/// One simulated upstream provider: a `SimulatedRPCHandler` for its chain plus a behavior that
/// can be switched at any time from any thread (a test, `lassod ctl`, the battle framework)
/// while the serving layer keeps calling it.
///
/// Each call reads the behavior once, so a request is handled entirely under one behavior.
/// Switching is immediate for new requests; what happens to open connections is the serving
/// layer's job, told through `onBehaviorChange` (close them when the new behavior's
/// `closesOpenConnections` is true).
///
/// ```swift
/// let provider = SimulatedProvider(id: "sim_ethereum_1", chain: chain)
/// provider.behavior = .lagging(blocks: 3)
/// provider.handleHTTP(body: request, now: clockNow)
/// ```
public final class SimulatedProvider: Sendable {
    /// The provider id, as `config/chains.yml` would name it.
    public let id: String
    /// The request logic for this provider's chain.
    public let handler: SimulatedRPCHandler
    private let state: Mutex<State>
    private let onBehaviorChange: (@Sendable (SimulatedProviderBehavior) -> Void)?

    private struct State {
        var behavior: SimulatedProviderBehavior
        /// Seeds each WebSocket connection's subscription ids differently.
        var connections: UInt64 = 0
        /// Requests received per method, whatever the behavior did with them.
        var requestCounts: [String: Int] = [:]
    }

    /// Creates a provider of `chain`. `onBehaviorChange` is called, outside any lock, after each
    /// switch, with the new behavior.
    public init(id: String, chain: SimulatedChain, behavior: SimulatedProviderBehavior = .healthy,
                limits: SimulatedRPCHandler.Limits = .init(),
                onBehaviorChange: (@Sendable (SimulatedProviderBehavior) -> Void)? = nil) {
        self.id = id
        self.handler = SimulatedRPCHandler(chain: chain, limits: limits)
        self.state = Mutex(State(behavior: behavior))
        self.onBehaviorChange = onBehaviorChange
    }

    /// The chain served.
    public var chain: SimulatedChain { handler.chain }

    /// The current behavior; setting it takes effect for the next request.
    public var behavior: SimulatedProviderBehavior {
        get { state.withLock { $0.behavior } }
        set {
            state.withLock { $0.behavior = newValue }
            onBehaviorChange?(newValue)
        }
    }

    /// The head this provider reports at `now`.
    public func head(at now: MonotonicInstant) -> UInt64 {
        handler.providerHead(at: now, behavior: behavior)
    }

    /// Answers one HTTP request body under the current behavior.
    public func handleHTTP(body: [UInt8], now: MonotonicInstant) -> SimulatedReply {
        handler.handleHTTP(body: body, behavior: receive(body), now: now)
    }

    /// How many requests of each method this provider has been handed (batch elements counted
    /// one by one, notifications included, invalid requests not), whether it answered them or
    /// not: what an end-to-end test checks to prove a write was sent once, or that a provider
    /// taken out of rotation saw no traffic.
    public var requestCounts: [String: Int] {
        state.withLock { $0.requestCounts }
    }

    /// Forgets the request counts.
    public func resetRequestCounts() {
        state.withLock { $0.requestCounts = [:] }
    }

    /// Counts the requests of `body` and returns the behavior to handle it under, in one lock.
    private func receive(_ body: [UInt8]) -> SimulatedProviderBehavior {
        var methods: [String] = []
        switch JSONRPCScanner.scanBody(body) {
        case .request(let request):
            methods.append(request.method)
        case .batch(let elements):
            for element in elements {
                if case .request(let request) = JSONRPCScanner.scanRequest(body, in: element) { methods.append(request.method) }
            }
        case .invalid, .parseError:
            break
        }
        return state.withLock { state in
            for method in methods { state.requestCounts[method, default: 0] += 1 }
            return state.behavior
        }
    }

    /// A subscription table for a new WebSocket connection, or nil when the provider refuses
    /// connections (down, killed).
    public func acceptWebSocket() -> SimulatedSubscriptions? {
        let (behavior, serial) = state.withLock { state -> (SimulatedProviderBehavior, UInt64) in
            state.connections += 1
            return (state.behavior, state.connections)
        }
        guard behavior.acceptsConnections else { return nil }
        return handler.makeSubscriptions(connectionSeed: serial)
    }

    /// Answers one WebSocket message of the connection whose table is `subscriptions`.
    public func handleWebSocket(message: [UInt8], now: MonotonicInstant,
                                subscriptions: inout SimulatedSubscriptions) -> SimulatedReply {
        handler.handleWebSocket(message: message, behavior: receive(message), now: now, subscriptions: &subscriptions)
    }

    /// The subscription events owed to one connection at `now`.
    public func tick(_ subscriptions: inout SimulatedSubscriptions, now: MonotonicInstant) -> [SimulatedNotification] {
        subscriptions.tick(behavior: behavior, now: now)
    }
}
