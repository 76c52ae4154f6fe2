/// Reads typed values out of a `YAMLNode` tree while collecting every problem it meets.
///
/// Readers never stop at the first error: a bad value records a `ConfigIssue` and the reader
/// returns nil, so the caller uses the default and carries on, and `check-config` can list all
/// problems in one run. Each scalar passes through `EnvironmentSubstitution` first. Error texts
/// quote a value only when it did not come from the environment and is not a URL.
struct ConfigDecoder {
    /// Variables for `${NAME}` references.
    let environment: [String: String]
    /// Problems found so far.
    private(set) var issues: [ConfigIssue] = []

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// Records a problem.
    mutating func report(_ path: String, _ message: String, line: Int?) {
        issues.append(ConfigIssue(path: path, message: message, line: line))
    }

    /// The keys of `node` when it is a mapping whose keys are scalars, each known and unique.
    mutating func fields(of node: YAMLNode, path: String, allowed: [String]) -> ConfigFields? {
        guard let pairs = node.mapping else {
            if node.scalar?.isNull == true { return ConfigFields(path: path, line: node.line, values: [:]) }
            report(path.isEmpty ? "(top level)" : path, "expected a mapping, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var fields = ConfigFields(path: path, line: node.line, values: [:])
        var seen: Set<String> = []
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                report(path.isEmpty ? "(top level)" : path, "keys must be plain names, found \(pair.key.kindDescription)",
                       line: pair.key.line)
                continue
            }
            guard seen.insert(key).inserted else {
                report(fields.path(key), "duplicate key", line: pair.key.line)
                continue
            }
            guard allowed.contains(key) else {
                let hint = Self.closest(to: key, in: allowed).map { " (did you mean \($0)?)" } ?? ""
                report(fields.path(key), "unknown key\(hint)", line: pair.key.line)
                continue
            }
            if pair.value.scalar?.isNull != true { fields.values[key] = pair.value }
        }
        return fields
    }

    /// Records "required key is missing" when `key` is absent; true when present.
    mutating func require(_ fields: ConfigFields, _ key: String) -> Bool {
        if fields.values[key] != nil { return true }
        report(fields.path(key), "required key is missing", line: fields.line)
        return false
    }

    /// The substituted text of a scalar, and whether it may be quoted in messages.
    mutating func text(_ fields: ConfigFields, _ key: String) -> (text: String, quotable: Bool, line: Int)? {
        guard let node = fields.values[key] else { return nil }
        guard let scalar = node.scalar else {
            report(fields.path(key), "expected a single value, found \(node.kindDescription)", line: node.line)
            return nil
        }
        do {
            let result = try EnvironmentSubstitution.apply(to: scalar.text, environment: environment)
            return (result.text, !result.substituted, node.line)
        } catch {
            report(fields.path(key), error.description, line: node.line)
            return nil
        }
    }

    /// A string value; `nonEmpty` rejects "".
    mutating func string(_ fields: ConfigFields, _ key: String, nonEmpty: Bool = true) -> String? {
        guard let value = text(fields, key) else { return nil }
        if nonEmpty && value.text.isEmpty {
            report(fields.path(key), "must not be empty", line: value.line)
            return nil
        }
        return value.text
    }

    /// A list of strings, each substituted and passed through `check`, which returns the value
    /// to keep or a problem to report for that element (`key[index]: problem`). A single value
    /// in place of a list is an error, so `[a]` and `a` cannot be confused.
    mutating func strings(_ fields: ConfigFields, _ key: String,
                          _ check: (String) -> Result<String, ConfigValueProblem>) -> [String]? {
        guard let node = fields.values[key] else { return nil }
        guard let elements = node.sequence else {
            report(fields.path(key), "expected a list, found \(node.kindDescription)", line: node.line)
            return nil
        }
        var values: [String] = []
        var valid = true
        for (index, element) in elements.enumerated() {
            let path = "\(fields.path(key))[\(index)]"
            guard let scalar = element.scalar else {
                report(path, "expected a single value, found \(element.kindDescription)", line: element.line)
                valid = false
                continue
            }
            do {
                let substituted = try EnvironmentSubstitution.apply(to: scalar.text, environment: environment)
                switch check(substituted.text) {
                case .success(let value): values.append(value)
                case .failure(let problem):
                    let quoted = substituted.substituted ? "" : ", found '\(substituted.text)'"
                    report(path, problem.message + quoted, line: element.line)
                    valid = false
                }
            } catch {
                report(path, error.description, line: element.line)
                valid = false
            }
        }
        return valid ? values : nil
    }

    /// An integer within `range`; `60_000` style separators are accepted.
    mutating func int(_ fields: ConfigFields, _ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = text(fields, key) else { return nil }
        let digits = value.text.hasPrefix("_") ? value.text : value.text.replacing("_", with: "")
        guard let number = Int(digits) else {
            report(fields.path(key), "expected an integer\(Self.found(value))", line: value.line)
            return nil
        }
        guard range.contains(number) else {
            report(fields.path(key), "must be \(Self.describe(range))\(Self.found(value))", line: value.line)
            return nil
        }
        return number
    }

    /// A duration the file gives as whole milliseconds within `range` (the `…_ms` keys): the
    /// file's unit ends here, so the program holds a `Duration` and never a count of milliseconds.
    mutating func milliseconds(_ fields: ConfigFields, _ key: String, in range: ClosedRange<Int>) -> Duration? {
        int(fields, key, in: range).map { .milliseconds($0) }
    }

    /// A duration the file gives as whole seconds within `range`.
    mutating func seconds(_ fields: ConfigFields, _ key: String, in range: ClosedRange<Int>) -> Duration? {
        int(fields, key, in: range).map { .seconds($0) }
    }

    /// A finite number within `range`.
    mutating func double(_ fields: ConfigFields, _ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = text(fields, key) else { return nil }
        guard let number = Double(value.text), number.isFinite else {
            report(fields.path(key), "expected a number\(Self.found(value))", line: value.line)
            return nil
        }
        guard range.contains(number) else {
            report(fields.path(key), "must be between \(range.lowerBound) and \(range.upperBound)\(Self.found(value))",
                   line: value.line)
            return nil
        }
        return number
    }

    /// `true` or `false`.
    mutating func bool(_ fields: ConfigFields, _ key: String) -> Bool? {
        guard let value = text(fields, key) else { return nil }
        switch value.text {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default:
            report(fields.path(key), "expected true or false\(Self.found(value))", line: value.line)
            return nil
        }
    }

    /// One of a fixed set of names, parsed by `make`.
    mutating func choice<T>(_ fields: ConfigFields, _ key: String, expected: [String], _ make: (String) -> T?) -> T? {
        guard let value = text(fields, key) else { return nil }
        guard let parsed = make(value.text) else {
            let quoted = value.quotable ? " '\(value.text)'" : ""
            report(fields.path(key), "unknown value\(quoted) (expected \(expected.joined(separator: ", ")))", line: value.line)
            return nil
        }
        return parsed
    }

    /// A URL whose scheme is one of `schemes`; the message ("not `label` URL") never shows the URL itself.
    mutating func url(_ fields: ConfigFields, _ key: String, schemes: [String], label: String) -> String? {
        guard let value = text(fields, key) else { return nil }
        guard let origin = URLRedaction.origin(of: value.text), schemes.contains(origin.scheme) else {
            report(fields.path(key), "not \(label) URL", line: value.line)
            return nil
        }
        if let port = origin.port, !(1...65535).contains(port) {
            report(fields.path(key), "port must be between 1 and 65535", line: value.line)
            return nil
        }
        return value.text
    }

    private static func found(_ value: (text: String, quotable: Bool, line: Int)) -> String {
        value.quotable ? ", found '\(value.text)'" : ""
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        if range.upperBound == Int.max { return range.lowerBound == 1 ? "a positive integer" : "at least \(range.lowerBound)" }
        return "between \(range.lowerBound) and \(range.upperBound)"
    }

    /// The allowed key within edit distance 2 of a misspelt one, for "did you mean" hints.
    static func closest(to key: String, in allowed: [String]) -> String? {
        allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
