/// A YAML document that libyaml could not parse, or that uses a feature lassod refuses.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in libyaml's words or ours.
    public var message: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem.
    public var column: Int

    /// Creates an error.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// `message (line L, column C)`.
    public var description: String { "\(message) (line \(line), column \(column))" }
}
