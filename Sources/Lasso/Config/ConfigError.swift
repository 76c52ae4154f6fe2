/// Every problem found while loading a config, so one run of `lassod check-config` shows them all.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in file order (by line; file-level problems first).
    public var issues: [ConfigIssue]

    /// Creates an error from its issues.
    public init(issues: [ConfigIssue]) {
        self.issues = issues
    }

    /// One issue per line.
    public var description: String { issues.map(\.description).joined(separator: "\n") }
}
