/// The JSON-RPC `error` object of an upstream response, as far as classification reads it.
public struct UpstreamRPCError: Equatable, Sendable {
    /// `error.code`.
    public var code: Int
    /// `error.message`; only its first `ErrorClassification.maxMessageBytes` bytes are read.
    public var message: String
    /// `error.data` when it is a string (revert data is a hex string), else `nil`.
    public var data: String?

    /// An error object with `code`, `message` and optional string `data`.
    public init(code: Int, message: String, data: String? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }
}
