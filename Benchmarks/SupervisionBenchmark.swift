import Foundation
import Supervision
import Synchronization

/// `lasso-bench supervision`: the cost of the runtime's primitives, printed as one JSON object.
///
/// - call round trip (p50/p99) through one server, from one caller;
/// - casts per second through one mailbox;
/// - 100,000 workers started under a DynamicSupervisor: time, and RSS growth per worker;
/// - restart latency: a worker's crash to its replacement's `initialize` running.
///
/// `Benchmarks/otp/supervision_bench.escript` measures the same five things on Erlang/OTP, step
/// for step; `--vs-otp` runs both and prints them side by side (`OTPComparison`).
enum SupervisionBenchmark {
    struct Echo: GenServer {
        enum Call: Sendable { case echo(Int) }
        enum Cast: Sendable { case count }
        typealias Reply = Int
        var received = 0
        mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws -> Int {
            if case .echo(let value) = request { return value == -1 ? received : value }
            return 0
        }
        mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws { received += 1 }
    }

    struct Idle: GenServer {
        enum Cast: Sendable { case crash }
        struct Crash: Error {}
        mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws { throw Crash() }
    }

    /// The restarted child: its `initialize` tells the benchmark when it ran, as the Erlang
    /// victim's `init/1` does.
    struct Victim: GenServer {
        typealias Cast = Idle.Cast
        let started: @Sendable (ServerRef<Victim>) -> Void
        mutating func initialize(context: ServerContext<Self>) async throws { started(context.ref) }
        mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws { throw Idle.Crash() }
    }

    /// The figures in print order, as `name: value` (the Erlang script prints the same names).
    static let figureNames = ["call_p50_us", "call_p99_us", "casts_per_s", "spawn_100k_s", "bytes_per_worker",
                              "restart_p50_us", "restart_p99_us"]

    static func run(_ arguments: BenchArguments) async throws {
        if arguments.flag("vs-otp") || arguments.string("runs") != nil {
            try await OTPComparison.run(arguments)
        } else {
            try await measureAndPrint(only: arguments.string("only"))
        }
    }

    /// One run in this process: the figures as one JSON line. `only` (`spawn`, `call`, `cast`
    /// or `restart`) runs one measurement alone, for a profiler.
    static func measureAndPrint(only: String? = nil) async throws {
        let runtime = Runtime()
        // The measuring task runs on the runtime's executor, as the Erlang side's measuring
        // process runs on a BEAM scheduler: a caller that is itself a process.
        try await Task(executorPreference: runtime.executor) {
            try await measure(runtime, only: only)
        }.value
    }

    private static func measure(_ runtime: Runtime, only: String?) async throws {
        var figures: [(String, Double)] = []
        let wanted = { (name: String) in only == nil || only == name }
        guard only.map({ ["spawn", "call", "cast", "restart"].contains($0) }) ?? true else {
            throw BenchmarkFailure("--only takes spawn, call, cast or restart")
        }
        // Workers first, on both sides: resident memory grows only while the heap is fresh; later,
        // the freed mailbox of the cast run would be reused and hide their cost.
        if wanted("spawn") {
            let (spawnSeconds, bytesPerWorker) = try await spawnWorkers(runtime)
            figures += [("spawn_100k_s", spawnSeconds), ("bytes_per_worker", bytesPerWorker)]
        }
        if wanted("call") {
            let (callP50, callP99) = try await callLatency(runtime)
            figures += [("call_p50_us", callP50), ("call_p99_us", callP99)]
        }
        if wanted("cast") { figures.append(("casts_per_s", try await castThroughput(runtime))) }
        if wanted("restart") {
            let (restartP50, restartP99) = try await restartLatency(runtime)
            figures += [("restart_p50_us", restartP50), ("restart_p99_us", restartP99)]
        }
        figures.sort { figureNames.firstIndex(of: $0.0) ?? 0 < figureNames.firstIndex(of: $1.0) ?? 0 }
        Console.out("{" + figures.map { "\"\($0.0)\":\(format($0.1))" }.joined(separator: ",") + "}")
    }

    private static func callLatency(_ runtime: Runtime) async throws -> (Double, Double) {
        let server = try await ServerRef.start(label: "echo", runtime: runtime) { Echo() }
        let clock = ContinuousClock()
        for value in 0..<20_000 { _ = try await server.call(.echo(value)) }
        var samples: [Double] = []
        samples.reserveCapacity(200_000)
        for value in 0..<200_000 {
            let start = clock.now
            _ = try await server.call(.echo(value))
            samples.append(microseconds(clock.now - start))
        }
        server.stop()
        return (percentile(samples, 0.50), percentile(samples, 0.99))
    }

    private static func castThroughput(_ runtime: Runtime) async throws -> Double {
        let server = try await ServerRef.start(label: "sink", runtime: runtime) { Echo() }
        let count = 2_000_000
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<count { server.cast(.count) }
        let received = try await server.call(.echo(-1), timeout: .seconds(120))
        let elapsed = clock.now - start
        server.stop()
        guard received == count else { throw BenchmarkFailure("sink saw \(received) of \(count) casts") }
        return Double(count) / seconds(elapsed)
    }

    private static func spawnWorkers(_ runtime: Runtime) async throws -> (Double, Double) {
        let supervisor = try await DynamicSupervisor.start(name: "bench", runtime: runtime)
        let spec = ChildSpec(id: "idle", restart: .temporary) { runtime in
            try await ServerRef.start(label: "idle", runtime: runtime) { Idle() }.process
        }
        let workers = 100_000
        let rssBefore = residentBytes()
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<workers { try await supervisor.startChild(spec) }
        let elapsed = clock.now - start
        let rssAfter = residentBytes()
        await supervisor.stop()
        return (seconds(elapsed), Double(rssAfter - rssBefore) / Double(workers))
    }

    /// 20,000 rounds of: crash the child, wait until its replacement's `initialize` has run; the
    /// first 1,000 are warm-up. A fresh supervisor (intensity 1000 in 1 s, as on the OTP side)
    /// every 200 rounds keeps the restart window small on both sides: OTP counts whole seconds
    /// and walks its window on each restart.
    private static func restartLatency(_ runtime: Runtime) async throws -> (Double, Double) {
        let clock = ContinuousClock()
        let waiting = Mutex<UnsafeContinuation<(ServerRef<Victim>, ContinuousClock.Instant), Never>?>(nil)
        let first = Mutex<ServerRef<Victim>?>(nil)
        let spec = ChildSpec(id: "victim") { runtime in
            try await ServerRef.start(label: "victim", runtime: runtime) {
                Victim { ref in
                    let now = clock.now
                    if let continuation = waiting.withLock({ $0.take() }) {
                        continuation.resume(returning: (ref, now))
                    } else {
                        first.withLock { $0 = ref }
                    }
                }
            }.process
        }
        var samples: [Double] = []
        samples.reserveCapacity(20_000)
        for block in 0..<100 {
            let supervisor = try await Supervisor.start(
                name: "restarts", intensity: RestartIntensity(maxRestarts: 1_000, period: .seconds(1)),
                children: [spec], runtime: runtime)
            guard var victim = first.withLock({ $0.take() }) else {
                throw BenchmarkFailure("no victim to crash in block \(block)")
            }
            for _ in 0..<200 {
                let start = clock.now
                let (replacement, end) = await withUnsafeContinuation { continuation in
                    waiting.withLock { $0 = continuation }
                    victim.cast(.crash)
                }
                samples.append(microseconds(end - start))
                victim = replacement
            }
            await supervisor.stop()
        }
        let timed = Array(samples.dropFirst(1_000))
        return (percentile(timed, 0.50), percentile(timed, 0.99))
    }

    // MARK: - Helpers

    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * fraction))]
}

func microseconds(_ duration: Duration) -> Double { seconds(duration) * 1_000_000 }

func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) / 1e18
}

func format(_ value: Double) -> String {
    value >= 100 ? String(Int(value.rounded())) : String(format: "%.2f", value)
}
