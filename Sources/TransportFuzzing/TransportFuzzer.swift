import Foundation
import LassoTransport
import Synchronization

/// A seeded fuzzer for the transport: hostile HTTP/1.1 and WebSocket clients against a real
/// ``HTTPServer``, and hostile upstreams against the ``HTTPClient`` and ``WebSocketClient``, all
/// on loopback sockets.
///
/// Each round runs several attackers at once — random and mutated requests and frames, split
/// at random byte boundaries, pipelined, half-closed, reset, dripped — then checks the
/// invariant: a normal request on a fresh connection is answered, every client request to a
/// hostile upstream completed, the loop goes idle, and descriptors and memory are back within
/// bounds. The same seed replays the same attacks.
///
/// ```swift
/// let report = try TransportFuzzer(seed: 42).run(rounds: 1, within: .seconds(4))
/// // report.violations is empty when the transport held; the same seed replays the same attacks
/// ```
/// (Compiled and run by `ProcessWideTests/DocExampleTests`.)
public final class TransportFuzzer: Sendable {
    /// What a run found.
    public struct Report: Sendable, CustomStringConvertible {
        public var rounds = 0
        public var attacks = 0
        public var upstreamRequests = 0
        /// Invariant breaks, each with its round and seed: replay with the same seed.
        public var violations: [String] = []
        public var peakOpenFiles = 0
        public var peakResidentBytes = 0

        public var description: String {
            "\(rounds) rounds, \(attacks) attacks, \(upstreamRequests) requests to hostile upstreams, "
                + "peak \(peakOpenFiles) open files, peak RSS \(peakResidentBytes >> 20) MiB, "
                + (violations.isEmpty ? "no violation" : "\(violations.count) violations:\n" + violations.joined(separator: "\n"))
        }
    }

    private let seed: UInt64
    private let loop: EventLoop
    private let server: HTTPServer
    private let client: HTTPClient
    private let attackersPerRound: Int

    /// A server (short timeouts, small limits) and a client on one loop, ready for `run`.
    public init(seed: UInt64, attackersPerRound: Int = 8) throws {
        self.seed = seed
        self.attackersPerRound = attackersPerRound
        loop = try EventLoop()
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in responder.respond(.json(request.body)) }
        router.add(.get, "/api/status") { _, responder in responder.respond(.json(#"{"ok":true}"#)) }
        router.add(.post, prefix: "/async/") { request, responder in
            DispatchQueue.global().async { responder.respond(.json(request.body)) }
        }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.maxBodyBytes = 64 << 10
        configuration.slowClientTimeout = .milliseconds(500)
        configuration.keepAliveTimeout = .milliseconds(500)
        configuration.lingerTimeout = .milliseconds(500)
        configuration.sendTimeout = .seconds(1)
        configuration.webSocketMaxMessageBytes = 64 << 10
        configuration.webSocketIdleTimeout = .seconds(2)
        let box = Mutex<HTTPServer?>(nil)
        let handlers = WebSocketServerHandlers(onMessage: { id, message in box.withLock { $0 }?.send(id, message) })
        let server = try HTTPServer(loop: loop, configuration: configuration, router: router, webSocket: handlers)
        self.server = server
        box.withLock { $0 = server }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.maxResponseBytes = 64 << 10
        client = HTTPClient(loop: loop, configuration: clientConfiguration)
    }

    deinit {
        server.stop()
        loop.stop()
    }

    /// Runs `rounds` rounds, checking the invariant after each; with a `budget`, starts no
    /// round once that much time has passed (a round under way finishes).
    public func run(rounds: Int, within budget: Duration? = nil) -> Report {
        let deadline = budget.map { ContinuousClock.now + $0 }
        var report = Report()
        let baselineFiles = Self.openFiles()
        let baselineResident = Self.residentBytes()
        for round in 0..<rounds {
            if let deadline, ContinuousClock.now >= deadline { break }
            var random = SplitMix64(seed: seed &+ UInt64(round) &* 0x9E37_79B9_7F4A_7C15)
            let finished = DispatchGroup()
            let port = server.port
            for _ in 0..<attackersPerRound {
                let attackerSeed = random.next()
                finished.enter()
                Thread {
                    HostileClient.attack(port: port, seed: attackerSeed)
                    finished.leave()
                }.start()
            }
            let upstreamRequests = HostileUpstream.round(client: client, loop: loop, random: &random)
            finished.wait()
            report.rounds += 1
            report.attacks += attackersPerRound
            report.upstreamRequests += upstreamRequests.sent
            report.violations += upstreamRequests.violations.map { "round \(round) (seed \(seed)): \($0)" }
            report.violations += checkInvariant().map { "round \(round) (seed \(seed)): \($0)" }
            report.peakOpenFiles = max(report.peakOpenFiles, Self.openFiles())
            report.peakResidentBytes = max(report.peakResidentBytes, Self.residentBytes())
        }
        // Every hostile connection is gone once its deadline passed.
        if !Self.wait(upTo: .seconds(5), { self.server.statistics().openHTTPConnections == 0 && Self.openFiles() <= baselineFiles + 8 }) {
            report.violations.append("after the run: \(server.statistics().openHTTPConnections) connections and "
                                     + "\(Self.openFiles() - baselineFiles) descriptors more than at the start")
        }
        if Self.residentBytes() > baselineResident + (256 << 20) {
            report.violations.append("after the run: RSS grew by \((Self.residentBytes() - baselineResident) >> 20) MiB")
        }
        return report
    }

    /// A normal client is served on a fresh connection, and the loop is not spinning.
    private func checkInvariant() -> [String] {
        var problems: [String] = []
        if !HostileClient.normalRequestIsAnswered(port: server.port) {
            problems.append("a normal request on a fresh connection was not answered")
        }
        if !HostileClient.webSocketEchoWorks(port: server.port) {
            problems.append("a WebSocket echo on a fresh connection failed")
        }
        let busy = Self.loopThreadBusyFraction(over: .milliseconds(200))
        if busy > 0.5 { problems.append("the loop thread was \(Int(busy * 100)) % busy while idle") }
        return problems
    }

    // MARK: Measurements

    static func openFiles() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kilobytes << 10
    }

    /// The share of `interval` the busiest thread named like a loop thread spent on a CPU (a
    /// ratio: 1 is a whole core). Divided by the time that really passed, which a loaded
    /// machine can make longer than `interval`.
    static func loopThreadBusyFraction(over interval: Duration) -> Double {
        func ticks() -> [String: Int] {
            var result: [String: Int] = [:]
            for task in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? [] {
                guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                      comm.hasPrefix("lasso-lws"),
                      let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                // utime and stime are fields 14 and 15; after the comm they are 12th and 13th.
                guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { continue }
                result[task] = user + system
            }
            return result
        }
        let clock = ContinuousClock()
        let start = clock.now
        let before = ticks()
        Thread.block(for: interval)
        let after = ticks()
        let elapsed = clock.now - start
        guard elapsed > .zero else { return 0 }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let busiest = after.map { task, total in total - (before[task] ?? total) }.max() ?? 0
        return Double(busiest) / hertz / (elapsed / .seconds(1))
    }

    /// Polls `condition` every 10 ms for up to `timeout`.
    static func wait(upTo timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            Thread.block(for: .milliseconds(10))
        }
        return condition()
    }
}
