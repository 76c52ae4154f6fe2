/// Why a request line was refused before reaching the tree: not JSON, no or unknown `cmd`,
/// wrong arguments. `description` is the error reply's text and says what a valid request is.
public struct AdminRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
