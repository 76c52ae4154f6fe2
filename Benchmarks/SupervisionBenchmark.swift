import Foundation
import Supervision
import Synchronization

/// `lasso-bench supervision`: the cost of the runtime's primitives, printed as one JSON object.
///
/// - call round trip (p50/p99) through one server, from one caller;
/// - casts per second through one mailbox;
/// - 100,000 workers started under a DynamicSupervisor: time, and RSS growth per worker;
/// - restart latency: a worker's crash to its replacement running.
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

    static func run() async throws {
        let runtime = Runtime()
        let (callP50, callP99) = try await callLatency(runtime)
        let castsPerSecond = try await castThroughput(runtime)
        let (spawnSeconds, bytesPerWorker) = try await spawnWorkers(runtime)
        let (restartP50, restartP99) = try await restartLatency(runtime)
        let figures: [(String, Double)] = [
            ("call_p50_us", callP50), ("call_p99_us", callP99), ("casts_per_s", castsPerSecond),
            ("spawn_100k_s", spawnSeconds), ("bytes_per_worker", bytesPerWorker),
            ("restart_p50_us", restartP50), ("restart_p99_us", restartP99),
        ]
        print("{" + figures.map { "\"\($0.0)\":\(format($0.1))" }.joined(separator: ",") + "}")
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

    private static func restartLatency(_ runtime: Runtime) async throws -> (Double, Double) {
        let restarted = Mutex<UnsafeContinuation<ContinuousClock.Instant, Never>?>(nil)
        let clock = ContinuousClock()
        let token = runtime.events.observe { event in
            guard event.kind == .restarted, event.supervisor == "restarts" else { return }
            let now = clock.now
            restarted.withLock { $0.take() }?.resume(returning: now)
        }
        defer { runtime.events.removeObserver(token) }
        let supervisor = try await Supervisor.start(
            name: "restarts", intensity: RestartIntensity(maxRestarts: 1_000, period: .milliseconds(1)),
            children: [ChildSpec(id: "victim") { runtime in
                try await ServerRef.start(label: "victim", runtime: runtime) { Idle() }.process
            }], runtime: runtime)
        var samples: [Double] = []
        for round in 0..<20_000 {
            guard let victim = try await supervisor.whichChildren().first?.process?.server(Idle.self) else {
                throw BenchmarkFailure("no victim to crash in round \(round)")
            }
            let start = clock.now
            let end = await withUnsafeContinuation { continuation in
                restarted.withLock { $0 = continuation }
                victim.cast(.crash)
            }
            if round >= 1_000 { samples.append(microseconds(end - start)) }
        }
        await supervisor.stop()
        return (percentile(samples, 0.50), percentile(samples, 0.99))
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
