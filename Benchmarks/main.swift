import Foundation

// lasso-bench: the project's benchmarks, one per subcommand, each printing its figures.
// Run in release: `swift run -c release lasso-bench <name>`.

let benchmarks: [String: () async throws -> Void] = [
    "supervision": SupervisionBenchmark.run,
    "transport": TransportBenchmark.run,
    "proxy": ProxyBenchmark.run,
]

// Helpers the benchmarks start as child processes; usable by hand, not part of `all`.
let tools: [String: ([String]) throws -> Void] = [
    "upstream": NodeUpstream.run,
]

let name = CommandLine.arguments.dropFirst().first ?? "help"
if name == "all" {
    for key in benchmarks.keys.sorted() { try await benchmarks[key]?() }
} else if let benchmark = benchmarks[name] {
    try await benchmark()
} else if let tool = tools[name] {
    // A child inherits the signal mask of the thread that spawned it, and Foundation's
    // Process spawns from pool threads that block nearly every signal: unblocked, SIGTERM
    // from the benchmark ends the tool instead of being held pending forever.
    var none = sigset_t()
    sigemptyset(&none)
    pthread_sigmask(SIG_SETMASK, &none, nil)
    do {
        try tool(Array(CommandLine.arguments.dropFirst(2)))
    } catch {
        Console.error("lasso-bench \(name): \(error)")
        exit(1)
    }
} else {
    print("usage: lasso-bench <\((benchmarks.keys.sorted() + ["all"]).joined(separator: "|"))>")
    print("       lasso-bench upstream --port P [--threads N] | --self-check")
    exit(name == "help" ? 0 : 2)
}
