import CLassoShim
import CLibWebSockets

/// Loop-thread state bound to one libwebsockets connection (wsi) or listener (vhost).
///
/// The wsi carries only a small integer in its opaque user data; ``LoopCore`` maps that integer
/// to the session. Integers instead of retained pointers mean a callback for a connection whose
/// Swift state is already gone finds nothing, rather than a dangling object.
///
/// Threading: every method is called on the loop thread only.
protocol LoopSession: AnyObject {
    /// Handles one libwebsockets callback for `wsi`; the return value goes back to lws
    /// (non-zero closes the connection).
    func handle(wsi: OpaquePointer, reason: lws_callback_reasons,
                input: UnsafeMutableRawPointer?, length: Int) -> Int32
}
