/// Why a request line was refused before reaching the tree: not JSON, no or unknown `cmd`,
/// wrong arguments. `description` is the error reply's text and says what a valid request is.
public struct AdminRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error reply's text.
    public let description: String

    /// An error with this text.
    public init(_ description: String) {
        self.description = description
    }
}
