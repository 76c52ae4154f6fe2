import Foundation

// lasso-bench: the project's benchmarks, one per subcommand, each printing its figures.
// Run in release: `swift run -c release lasso-bench <name>`.

let benchmarks: [String: () async throws -> Void] = [
    "supervision": SupervisionBenchmark.run,
    "transport": TransportBenchmark.run,
    "proxy": ProxyBenchmark.run,
]

let name = CommandLine.arguments.dropFirst().first ?? "help"
if name == "all" {
    for key in benchmarks.keys.sorted() { try await benchmarks[key]?() }
} else if let benchmark = benchmarks[name] {
    try await benchmark()
} else {
    print("usage: lasso-bench <\((benchmarks.keys.sorted() + ["all"]).joined(separator: "|"))>")
    exit(name == "help" ? 0 : 2)
}
