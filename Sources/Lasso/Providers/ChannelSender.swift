/// The tree's transport routing: each attempt carries its channel's route as the chain's board
/// published it — HTTP channels go to the `HTTPClientPool`'s current client with the URL
/// parsed when the chain started, WebSocket channels to their provider's connected
/// `WSConnection`. Nothing is looked up per attempt.
///
/// A channel with no route fails over: an HTTP channel whose URL does not parse as
/// `connectFailed`, a WebSocket channel that is not connected as `connectionClosed`.
public final class ChannelSender: UpstreamSender {
    let http: HTTPUpstreamSender

    public init(http: HTTPUpstreamSender) {
        self.http = http
    }

    public func send(_ request: [UInt8], over channel: Channel, route: UpstreamRoute?, timeout: Duration, idempotent: Bool,
                     completion: @escaping @Sendable (UpstreamReply) -> Void) {
        switch route {
        case .http(let url)?:
            http.send(request, to: url, timeout: timeout, idempotent: idempotent, completion: completion)
        case .webSocket(let connection)?:
            connection.send(request, timeout: timeout, completion: completion)
        case nil:
            completion(.failure(channel.transport == .http ? .connectFailed : .connectionClosed))
        }
    }
}
