import CLassoShim
import CLibWebSockets

/// Watches a pooled upstream connection while it idles between requests, so its slot stops
/// offering it for reuse the moment lws closes it (keep-alive expiry, server hang-up, or lws
/// moving the socket to the next request).
///
/// Threading: loop thread only.
final class IdleConnection: LoopSession {
    var id: UInt = 0
    private let core: LoopCore
    private let slot: UpstreamConnectionPool.Slot
    private let wsi: OpaquePointer

    init(core: LoopCore, slot: UpstreamConnectionPool.Slot, wsi: OpaquePointer) {
        self.core = core
        self.slot = slot
        self.wsi = wsi
    }

    func handle(wsi: OpaquePointer, reason: lws_callback_reasons, input: UnsafeMutableRawPointer?, length: Int) -> Int32 {
        switch reason {
        case LWS_CALLBACK_CLOSED_CLIENT_HTTP, LWS_CALLBACK_WSI_DESTROY, LWS_CALLBACK_CLIENT_CONNECTION_ERROR,
             LWS_CALLBACK_CLIENT_HTTP_DROP_PROTOCOL:
            forget()
            return 0
        case LWS_CALLBACK_RECEIVE_CLIENT_HTTP, LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
            // Nothing is expected on an idle connection: drop it.
            forget()
            return -1
        default:
            return lws_callback_http_dummy(wsi, reason, nil, input, length)
        }
    }

    private func forget() {
        if slot.warm == wsi { slot.warm = nil }
        lws_set_opaque_user_data(wsi, nil)
        core.unregister(id)
    }
}
