import Synchronization

/// The runtime's event stream: every subscriber sees every event, in the order it was emitted.
///
/// Observers run synchronously inside the emitting supervisor, so they must be quick and must
/// not call back into supervisors (use `stream()` for anything slow). With no subscribers,
/// emitting costs one uncontended lock.
public final class SupervisionEvents: Sendable {
    private struct State {
        var observers: [UInt64: @Sendable (SupervisionEvent) -> Void] = [:]
        var nextID: UInt64 = 0
    }
    private let state = Mutex(State())
    private let clock: any RuntimeClock

    init(clock: any RuntimeClock) { self.clock = clock }

    /// Registers `observer` for every later event; returns a token for `removeObserver`.
    @discardableResult
    public func observe(_ observer: @escaping @Sendable (SupervisionEvent) -> Void) -> UInt64 {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.observers[id] = observer
            return id
        }
    }

    public func removeObserver(_ token: UInt64) {
        _ = state.withLock { $0.observers.removeValue(forKey: token) }
    }

    /// An async stream of later events, keeping the newest `bufferLimit` if the reader lags.
    public func stream(bufferLimit: Int = 10_000) -> AsyncStream<SupervisionEvent> {
        let (stream, continuation) = AsyncStream<SupervisionEvent>.makeStream(bufferingPolicy: .bufferingNewest(bufferLimit))
        let token = observe { continuation.yield($0) }
        continuation.onTermination = { [weak self] _ in self?.removeObserver(token) }
        return stream
    }

    func emit(_ kind: SupervisionEvent.Kind, supervisor: String, child: String? = nil,
              pid: PID? = nil, reason: ExitReason? = nil) {
        let observers = state.withLock { state in
            state.observers.isEmpty ? [] : state.observers.sorted { $0.key < $1.key }.map(\.value)
        }
        guard !observers.isEmpty else { return }
        let event = SupervisionEvent(kind: kind, supervisor: supervisor, child: child, pid: pid,
                                     reason: reason?.description,
                                     atNanoseconds: clock.now().nanoseconds)
        for observer in observers { observer(event) }
    }
}
