/// One problem found in a config file: where it is and what is wrong.
///
/// Messages never contain a provider URL's path or query, nor a value that came from an
/// environment variable: both may hold API keys.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// The key path, e.g. `chains.ethereum.providers[1].url`; empty for file-level problems.
    public var path: String
    /// What is wrong, e.g. `not an http(s) URL`.
    public var message: String
    /// 1-based line, when the problem has a place in the file.
    public var line: Int?
    /// 1-based column, given for YAML syntax errors.
    public var column: Int?

    /// Creates an issue.
    public init(path: String, message: String, line: Int?, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    /// `path: message (line L)`, the form `lassod check-config` prints.
    public var description: String {
        let place: String
        switch (line, column) {
        case let (line?, column?): place = " (line \(line), column \(column))"
        case let (line?, nil): place = " (line \(line))"
        default: place = ""
        }
        return path.isEmpty ? "\(message)\(place)" : "\(path): \(message)\(place)"
    }
}
