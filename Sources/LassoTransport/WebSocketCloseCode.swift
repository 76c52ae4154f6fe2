/// A WebSocket close status code (RFC 6455 §7.4).
public struct WebSocketCloseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The numeric code sent in the close frame.
    public var rawValue: UInt16
    /// Any code, including application codes 4000–4999.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// 1000: the purpose of the connection is fulfilled.
    public static let normal = WebSocketCloseCode(rawValue: 1000)
    /// 1001: the endpoint is going away (server shutdown, client navigating away).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: protocol error (malformed frames).
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1005: the close frame carried no code.
    public static let noStatus = WebSocketCloseCode(rawValue: 1005)
    /// 1006: the connection dropped without a close frame (never sent on the wire).
    public static let abnormal = WebSocketCloseCode(rawValue: 1006)
    /// 1007: a text message was not valid UTF-8.
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    /// 1008: policy violation; used when a consumer falls too far behind.
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message exceeded the size cap.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// 1011: the server hit an unexpected condition.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)

    /// 1012: the server is restarting; reconnect.
    public static let serviceRestart = WebSocketCloseCode(rawValue: 1012)

    /// True for codes a close frame may carry (RFC 6455 §7.4): 1000–1003, 1007–1014 and
    /// 3000–4999. 1004–1006 and 1015 are reserved for reporting, never sent.
    static func isValidOnTheWire(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1014, 3000...4999: true
        default: false
        }
    }

    /// The number, e.g. `1008`.
    public var description: String { String(rawValue) }
}
