/// Replaces `${NAME}` references in config values with environment variables.
///
/// Only the exact form `${NAME}` is recognised (NAME is letters, digits and `_`, not starting
/// with a digit); a lone `$` is literal, so URLs and prices keep working. Failures name the
/// variable, never a value: substituted values are often API keys.
///
/// ```swift
/// let result = try EnvironmentSubstitution.apply(to: "https://x/v2/${KEY}", environment: ["KEY": "abc"])
/// // (text: "https://x/v2/abc", substituted: true)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum EnvironmentSubstitution {
    /// Why a substitution failed.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// `${NAME}` names a variable that is not set.
        case unset(String)
        /// `${` without a valid name and closing `}`.
        case malformed

        /// The message shown after the key path.
        public var description: String {
            switch self {
            case .unset(let name): "environment variable \(name) is not set"
            case .malformed: "malformed ${...} reference (expected ${NAME} with letters, digits and _)"
            }
        }
    }

    /// `text` with every `${NAME}` replaced, and whether any replacement happened.
    public static func apply(to text: String,
                             environment: [String: String]) throws(Failure) -> (text: String, substituted: Bool) {
        guard text.contains("${") else { return (text, false) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            output += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else { throw .malformed }
            let name = afterOpen[..<close]
            guard isValidName(name) else { throw .malformed }
            guard let value = environment[String(name)] else { throw .unset(String(name)) }
            output += value
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        output += rest
        return (output, true)
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}
