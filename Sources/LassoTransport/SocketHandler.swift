/// The owner of a ``LoopSocket``: a protocol (HTTP server or client, WebSocket, line server)
/// that the socket tells about readiness.
///
/// Threading: every method is called on the socket's loop thread, from inside a libwebsockets
/// callback or a loop command; implementations may read, write and close the socket there.
/// ``LoopSocket`` checks the thread before it calls them, so implementations need not.
/// After ``socketClosed(_:)`` no method is called again.
protocol SocketHandler: AnyObject {
    /// A connecting socket is connected (and, with TLS, its handshake is done); writes made
    /// before this moment were queued and are on their way now. Accepted plain sockets are
    /// connected from the start and never get this call; accepted TLS sockets get it when their
    /// handshake completes.
    func socketConnected(_ socket: LoopSocket)
    /// Bytes (or the end of the stream, or an error) are ready: run ``LoopSocket/readAvailable(while:_:)``
    /// (it reads until the kernel has no more), or pause reading.
    func socketReadable(_ socket: LoopSocket)
    /// Everything written so far has left for the kernel.
    func socketWritable(_ socket: LoopSocket)
    /// The descriptor is closed; ``LoopSocket/failure`` says why when it was not asked for.
    func socketClosed(_ socket: LoopSocket)
}

extension SocketHandler {
    func socketConnected(_ socket: LoopSocket) {}
    func socketWritable(_ socket: LoopSocket) {}
}
