import LassoTransport
/// How an attempt reaches one channel, resolved when the chain's state is published: the
/// provider's parsed URL for HTTP, its connected socket for a WebSocket.
public enum UpstreamRoute: Sendable {
    /// Through the `HTTPClientPool`'s current client, to this URL (parsed once per chain start).
    case http(UpstreamURL)
    /// Through the provider's connected upstream WebSocket.
    case webSocket(any UpstreamWebSocket)
}
