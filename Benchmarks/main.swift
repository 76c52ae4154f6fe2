import Foundation

// lasso-bench: the project's benchmarks, one per subcommand, each printing its figures.
// Run in release: `swift run -c release lasso-bench <name> [--duration 10s] …`.

struct Benchmark {
    /// Options taking a value, besides `--duration` which every benchmark accepts.
    let options: Set<String>
    /// Options taking no value.
    var flags: Set<String> = []
    let run: (BenchArguments) async throws -> Void
}

let benchmarks: [String: Benchmark] = [
    "supervision": Benchmark(options: ["runs", "otp-script", "only"], flags: ["vs-otp"], run: SupervisionBenchmark.run),
    "transport": Benchmark(options: ["connections"], run: TransportBenchmark.run),
    "proxy": Benchmark(options: ["upstream-threads"], run: ProxyBenchmark.run),
    "proxy-memory": Benchmark(options: ["requests", "upstream-threads"], run: ProxyMemoryBenchmark.run),
    "history-memory": Benchmark(options: [], run: HistoryMemoryBenchmark.run),
    "dashboard": Benchmark(options: ["pages", "rounds", "samples"], run: DashboardBenchmark.run),
    "subscriptions": Benchmark(options: ["clients", "logs-clients", "logs-keys", "block-ms", "blocks", "failovers",
                                         "kill-offset-ms"],
                               flags: ["quick"], run: SubscriptionBenchmark.run),
]
// Checks rather than measurements; run by name, not part of `all`.
let checks: [String: Benchmark] = [
    "fuzz": Benchmark(options: ["seed"], run: FuzzBenchmark.run),
]
// Helpers the benchmarks start as child processes; usable by hand, not part of `all`.
let tools: [String: ([String]) throws -> Void] = [
    "upstream": NodeUpstream.run,
    "load": LoadClient.run,
    "ws-load": SubscriptionLoad.run,
]

let name = CommandLine.arguments.dropFirst().first ?? "help"
let words = Array(CommandLine.arguments.dropFirst(2))
do {
    if name == "all" {
        let options = benchmarks.values.reduce(into: Set(["duration"])) { $0.formUnion($1.options) }
        let flags = benchmarks.values.reduce(into: Set<String>()) { $0.formUnion($1.flags) }
        let arguments = try BenchArguments(words, options: options, flagNames: flags)
        for key in benchmarks.keys.sorted() { try await benchmarks[key]?.run(arguments) }
    } else if let benchmark = benchmarks[name] ?? checks[name] {
        try await benchmark.run(BenchArguments(words, options: benchmark.options.union(["duration"]),
                                               flagNames: benchmark.flags))
    } else if let tool = tools[name] {
        // A child inherits the signal mask of the thread that spawned it, and Foundation's
        // Process spawns from pool threads that block nearly every signal: unblocked, SIGTERM
        // from the benchmark ends the tool instead of being held pending forever.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        try tool(words)
    } else {
        print("usage: lasso-bench <\((benchmarks.keys.sorted() + ["all"]).joined(separator: "|"))> [--duration 10s] …")
        print("       lasso-bench supervision [--vs-otp] [--runs N] [--otp-script PATH] [--only spawn|call|cast|restart]")
        print("       lasso-bench fuzz [--duration 60s] [--seed N]")
        print("       lasso-bench upstream --port P [--threads N] | --self-check")
        print("       lasso-bench load --port P [--path /] [--connections 32] --requests N [--report n1,n2]")
        print("       lasso-bench subscriptions [--quick] [--clients 10000] [--logs-clients 1000] [--logs-keys 100] "
              + "[--block-ms 1000] [--blocks 10] [--failovers 5] [--kill-offset-ms 20]")
        print("       lasso-bench ws-load --port P --clients N --samples FILE [--path /ws/rpc/bench] [--kind newHeads|logs] [--keys K]")
        exit(name == "help" ? 0 : 2)
    }
} catch {
    Console.error("lasso-bench \(name): \(error)")
    exit(1)
}
