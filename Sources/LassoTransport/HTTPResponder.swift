/// The way back to the client for one request. Sendable and callable from any thread, once.
///
/// Called on the loop thread (inside the handler, or from another loop callback such as an
/// HTTP-client completion) the response is written directly; from any other thread it travels
/// through the loop's command queue. A response for a connection that has closed, or a second
/// response for the same request, is dropped.
public struct HTTPResponder: Sendable {
    let server: HTTPServerState
    let connection: UInt
    let serial: UInt64

    /// Sends `response` to the client.
    public func respond(_ response: HTTPResponse) {
        let server = self.server, connection = self.connection, serial = self.serial
        if server.core.isOnLoop {
            server.deliver(response, connection: connection, serial: serial)
        } else {
            _ = server.core.submit { server.deliver(response, connection: connection, serial: serial) }
        }
    }
}
