import Supervision
import Lasso
import Synchronization

/// One simulated upstream provider: a `SimulatedRPCHandler` for its chain plus a behavior and
/// a fork that can be switched at any time from any thread (a test, `lassod ctl`, the battle
/// framework) while the serving layer keeps calling it.
///
/// Each call reads the behavior and the fork once, so a request is handled entirely under one
/// of each. Switching is immediate for new requests; what happens to open connections is the
/// serving layer's job, told through `onBehaviorChange` and `observeBehavior` (close them when
/// the new behavior's `closesOpenConnections` is true). A new fork reaches open subscriptions at
/// their next tick, as a reorg (see `SimulatedSubscriptions`).
///
/// ```swift
/// let provider = SimulatedProvider(id: "ethereum_sim_1", chain: chain)
/// provider.behavior = .lagging(blocks: 3)
/// provider.fork = SimulatedFork(fromBlock: 103)   // this provider now follows a reorg at 103
/// let reply = provider.handleHTTP(body: request, now: clockNow)   // head 107: 3 blocks behind
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public final class SimulatedProvider: Sendable {
    /// The provider id, as `config/chains.yml` would name it.
    public let id: String
    /// The request logic for the original chain; `handler` is the one for the current fork.
    private let original: SimulatedRPCHandler
    private let state: Mutex<State>

    private struct State {
        var behavior: SimulatedProviderBehavior
        var fork: SimulatedFork?
        /// Told, outside the lock, of every behavior switch.
        var observers: [@Sendable (SimulatedProviderBehavior) -> Void] = []
        /// Seeds each WebSocket connection's subscription ids differently.
        var connections: UInt64 = 0
        /// Requests received per method, whatever the behavior did with them.
        var requestCounts: [String: Int] = [:]
        /// Told, outside the lock, of the ids of the requests each body carried.
        var requestObserver: (@Sendable (_ ids: [String]) -> Void)?
    }

    /// Creates a provider of `chain`. `onBehaviorChange` is called, outside any lock, after each
    /// switch, with the new behavior.
    public init(id: String, chain: SimulatedChain, behavior: SimulatedProviderBehavior = .healthy,
                limits: SimulatedRPCHandler.Limits = .init(),
                onBehaviorChange: (@Sendable (SimulatedProviderBehavior) -> Void)? = nil) {
        self.id = id
        self.original = SimulatedRPCHandler(chain: chain, limits: limits)
        self.state = Mutex(State(behavior: behavior, observers: onBehaviorChange.map { [$0] } ?? []))
    }

    /// The request logic for the chain as this provider sees it now (its fork, if any).
    public var handler: SimulatedRPCHandler { handler(on: fork) }

    /// The chain served, as this provider sees it now.
    public var chain: SimulatedChain { handler.chain }

    /// The current behavior; setting it takes effect for the next request, and tells the observers.
    public var behavior: SimulatedProviderBehavior {
        get { state.withLock { $0.behavior } }
        set {
            let observers = state.withLock { state in
                state.behavior = newValue
                return state.observers
            }
            for observer in observers { observer(newValue) }
        }
    }

    /// Calls `observer`, outside any lock, with the new behavior after each switch: how a
    /// serving layer applies a switch to the connections it holds open.
    public func observeBehavior(_ observer: @escaping @Sendable (SimulatedProviderBehavior) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// The branch of the chain this provider follows: nil for the original chain. Setting a
    /// fork is a reorg as this provider sees it; setting nil goes back to the original chain.
    public var fork: SimulatedFork? {
        get { state.withLock { $0.fork } }
        set { state.withLock { $0.fork = newValue } }
    }

    /// The head this provider reports at `now`.
    public func head(at now: RuntimeInstant) -> UInt64 {
        original.providerHead(at: now, behavior: behavior)
    }

    /// Answers one HTTP request body under the current behavior.
    public func handleHTTP(body: [UInt8], now: RuntimeInstant) -> SimulatedReply {
        let (behavior, fork) = receive(body)
        return handler(on: fork).handleHTTP(body: body, behavior: behavior, now: now)
    }

    private func handler(on fork: SimulatedFork?) -> SimulatedRPCHandler {
        fork == nil ? original : SimulatedRPCHandler(chain: original.chain.forked(fork), limits: original.limits)
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

    /// Calls `observer`, outside any lock, as each body arrives, with the `id` of every request
    /// in it as sent (raw JSON text: `7`, `"a"`; notifications have none), whatever the behavior
    /// does with them: how the battle framework tells which client request reached a provider
    /// and when. One observer at a time; nil stops observing.
    public func observeRequests(_ observer: (@Sendable (_ ids: [String]) -> Void)?) {
        state.withLock { $0.requestObserver = observer }
    }

    /// Counts the requests of `body` and returns the behavior and fork to handle it under, in one lock.
    private func receive(_ body: [UInt8]) -> (SimulatedProviderBehavior, SimulatedFork?) {
        var requests: [JSONRPCRequestHead] = []
        switch JSONRPCScanner.scanBody(body) {
        case .request(let request):
            requests.append(request)
        case .batch(let elements):
            for element in elements {
                if case .request(let request) = JSONRPCScanner.scanRequest(body, in: element) { requests.append(request) }
            }
        case .invalid, .parseError:
            break
        }
        let (behavior, fork, observer) = state.withLock { state in
            for request in requests { state.requestCounts[request.method, default: 0] += 1 }
            return (state.behavior, state.fork, state.requestObserver)
        }
        if let observer {
            observer(requests.compactMap { request in request.id.map { String(decoding: body[$0], as: UTF8.self) } })
        }
        return (behavior, fork)
    }

    /// A subscription table for a new WebSocket connection, or nil when the provider refuses
    /// connections (down, killed).
    public func acceptWebSocket() -> SimulatedSubscriptions? {
        let (behavior, serial) = state.withLock { state -> (SimulatedProviderBehavior, UInt64) in
            state.connections += 1
            return (state.behavior, state.connections)
        }
        guard behavior.acceptsConnections else { return nil }
        return original.makeSubscriptions(connectionSeed: serial)
    }

    /// Answers one WebSocket message of the connection whose table is `subscriptions`.
    public func handleWebSocket(message: [UInt8], now: RuntimeInstant,
                                subscriptions: inout SimulatedSubscriptions) -> SimulatedReply {
        let (behavior, fork) = receive(message)
        return handler(on: fork).handleWebSocket(message: message, behavior: behavior, now: now, subscriptions: &subscriptions)
    }

    /// The subscription events owed to one connection at `now`, on this provider's branch.
    public func tick(_ subscriptions: inout SimulatedSubscriptions, now: RuntimeInstant) -> [SimulatedNotification] {
        let (behavior, fork) = state.withLock { ($0.behavior, $0.fork) }
        return subscriptions.tick(behavior: behavior, now: now, on: handler(on: fork).chain)
    }
}
