/// The simulated provider's verdict on one request body: what the serving layer must do.
public enum SimulatedReply: Sendable, Equatable {
    /// Send this response (after its delay).
    case respond(SimulatedResponse)
    /// Close the connection without a response; `graceful` sends a WebSocket close frame
    /// (1001) first, otherwise the socket is dropped.
    case closeConnection(graceful: Bool)
    /// Never answer; keep the connection open until the client gives up.
    case noReply

    /// The response, when there is one.
    public var response: SimulatedResponse? {
        if case .respond(let response) = self { return response }
        return nil
    }
}
