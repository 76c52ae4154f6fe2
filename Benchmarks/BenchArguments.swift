import Foundation

/// The options after a subcommand's name: `--name value` pairs and bare `--flag`s. Small on
/// purpose: the benchmarks take a handful of options and the package has no dependencies.
struct BenchArguments: Sendable {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    private let values: [String: String]
    private let flags: Set<String>

    /// `options` take the next word as their value, `flagNames` take none; any other `--name`
    /// is refused, so a misspelt option fails instead of silently running the defaults.
    init(_ words: some Sequence<String>, options: Set<String>, flagNames: Set<String> = []) throws {
        var values: [String: String] = [:]
        var flags: Set<String> = []
        var iterator = words.makeIterator()
        while let word = iterator.next() {
            guard word.hasPrefix("--") else { throw Invalid(description: "unexpected argument \(word)") }
            let name = String(word.dropFirst(2))
            if flagNames.contains(name) {
                flags.insert(name)
            } else if !options.contains(name) {
                let known = (options.union(flagNames)).sorted().map { "--\($0)" }.joined(separator: " ")
                throw Invalid(description: "unknown option --\(name) (known: \(known.isEmpty ? "none" : known))")
            } else if let value = iterator.next() {
                values[name] = value
            } else {
                throw Invalid(description: "--\(name) needs a value")
            }
        }
        self.values = values
        self.flags = flags
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    func string(_ name: String) -> String? { values[name] }

    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), value > 0 else {
            throw Invalid(description: "--\(name) wants a positive integer, not \(text)")
        }
        return value
    }

    /// wrk's `-d` duration: `--duration`, else `BENCH_DURATION`, else 10s (as before the option existed).
    var duration: String {
        values["duration"] ?? ProcessInfo.processInfo.environment["BENCH_DURATION"] ?? "10s"
    }
}
