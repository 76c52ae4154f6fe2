import CLassoShim
import CLibWebSockets

/// The keep-alive connections to one upstream: `size` client-only vhosts, each holding at most
/// one connection that lws reuses for successive requests (lws serialises requests per
/// connection, so parallelism needs several vhosts).
///
/// Threading: loop thread only.
final class UpstreamConnectionPool {
    /// One pool position: its vhost and how many requests currently use it.
    final class Slot {
        let vhost: OpaquePointer
        var inFlight = 0
        /// A request on this slot was killed (timeout, error): its connection may still be on
        /// lws's reuse list while it closes, and a new request would queue behind it and fail.
        /// A poisoned slot takes no new requests and is destroyed once idle.
        var poisoned = false
        /// The slot's kept-alive connection while it idles between requests (compared, never
        /// dereferenced): the next request can join it by name without lws resolving anything.
        var warm: OpaquePointer?
        init(vhost: OpaquePointer) { self.vhost = vhost }
    }

    private unowned let state: HTTPClientState
    private let size: Int
    private var slots: [Slot] = []

    init(state: HTTPClientState, size: Int) {
        self.state = state
        self.size = max(1, size)
    }

    /// The least busy slot, creating vhosts lazily up to `size`; nil if lws refuses a vhost.
    func acquire(context: OpaquePointer) -> Slot? {
        let best = slots.filter { !$0.poisoned }.min(by: { $0.inFlight < $1.inFlight })
        if let best, best.inFlight == 0 || slots.filter({ !$0.poisoned }).count >= size {
            best.inFlight += 1
            return best
        }
        guard let vhost = makeVhost(context: context) else { return best.map { $0.inFlight += 1; return $0 } }
        let slot = Slot(vhost: vhost)
        slot.inFlight = 1
        slots.append(slot)
        return slot
    }

    /// A request on `slot` finished; `broken` when its connection was killed.
    func release(_ slot: Slot, broken: Bool) {
        slot.inFlight -= 1
        if broken { slot.poisoned = true }
        guard slot.poisoned, slot.inFlight == 0, let context = state.core.context else { return }
        slots.removeAll { $0 === slot }
        // Closes the dying connection instead of leaving it on the reuse list. From a timer, not
        // here: this may run inside a callback of a wsi on that vhost, which the destroy frees.
        let vhost = slot.vhost
        state.core.timers.schedule(in: context, after: 0) { lws_vhost_destroy(vhost) }
    }

    /// Closes every idle slot's connection now; a slot still in use takes no new request and
    /// is destroyed when its last one completes.
    func close() {
        guard let context = state.core.context else { return }
        for slot in slots {
            slot.poisoned = true
            guard slot.inFlight == 0 else { continue }
            let vhost = slot.vhost
            state.core.timers.schedule(in: context, after: 0) { lws_vhost_destroy(vhost) }
        }
        slots.removeAll { $0.inFlight == 0 }
    }

    private func makeVhost(context: OpaquePointer) -> OpaquePointer? {
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(state.core.protocols)
        info.options = UInt64(LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT)
        info.vhost_name = state.cStrings.make("lasso-client-\(state.core.uniqueNumber())")
        // lws's own response timeout must not fire before the request's deadline does.
        info.timeout_secs = UInt32(min(86_400, max(5, state.configuration.defaultTimeout.isFinite ? state.configuration.defaultTimeout * 4 : 86_400)))
        info.connect_timeout_secs = info.timeout_secs
        if let ca = state.configuration.caFilePath { info.client_ssl_ca_filepath = state.cStrings.make(ca) }
        return lws_create_vhost(context, &info)
    }
}
