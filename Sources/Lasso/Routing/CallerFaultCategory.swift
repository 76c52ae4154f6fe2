/// Why an upstream error is the request's own doing (or cannot be attributed to the provider):
/// it goes back to the client at once, byte-for-byte, and never counts against a breaker.
/// Raw values are the labels used in metrics and logs.
public enum CallerFaultCategory: String, Equatable, Sendable, CaseIterable {
    /// The EVM reverted (`execution reverted`, code 3, revert data, out of gas, invalid opcode).
    case executionReverted = "execution_reverted"
    /// The transaction was rejected by the node's rules (insufficient funds, nonce, fee cap).
    case transactionRejected = "transaction_rejected"
    /// -32602 or a parameter decoding message.
    case invalidParams = "invalid_params"
    /// -32600: the provider found the request itself invalid.
    case invalidRequest = "invalid_request"
    /// -32700: the provider could not parse what the client sent.
    case parseError = "parse_error"
    /// An application error we cannot attribute (typically -32000 with an unknown message).
    /// Returned as sent: retrying an unknown error elsewhere mostly reproduces it, and could
    /// repeat a side effect.
    case unclassified
}
