import Foundation
import Lasso
import LassoSimulation
import LassoTransport
import Supervision
import Synchronization

/// `lasso-bench subscriptions [--clients 10000] [--logs-clients 1000] [--logs-keys 100]
/// [--block-ms 1000] [--blocks 10] [--failovers 5] [--kill-offset-ms 20] [--quick]`: lassod's subscription fan-out,
/// through its public behaviour only (JSON-RPC `eth_subscribe` over `/ws/rpc/:chain`), so it
/// measures whatever lassod does behind that endpoint.
///
/// lassod runs in this process with three `SimulatedProviderServer`s (WebSocket and HTTP, one
/// shared chain, a block every `--block-ms`); the clients run in a child (`lasso-bench
/// ws-load`), so their sockets never count in lassod's RSS and their CPU is theirs.
///
/// - **(a) newHeads**: `--clients` clients on one `newHeads` key. **(b) logs**: `--logs-clients`
///   clients over `--logs-keys` distinct `logs` keys, each matching every log of the chain.
/// - **Fan-out latency**: from the provider handing a block's upstream frame to its transport
///   (`SimulatedProviderServer.observePushes`, `CLOCK_MONOTONIC`) to each client's read of the
///   event (`CLOCK_MONOTONIC` in the child), over `--blocks` blocks of a steady stream: every
///   event, and the last client of each block (what the target is about).
/// - **RSS per idle client**: this process's VmRSS before the clients connect and two blocks
///   after all are subscribed (they send nothing more; events keep flowing), divided by clients.
/// - **Failover** (scenario a, `--failovers` rounds): the provider carrying the subscription dies
///   as a block is due — its feed stops `--kill-offset-ms` before, its sockets drop (`.killed`,
///   no close frame) as long after — so that block reached lassod from no one; the time from the
///   kill to the first client receiving a block above the last one pushed before the kill, and to
///   every client doing so, and whether that first block is the missed one (a gap filler's work)
///   or a later one (blocks lost); then the provider is revived for the next round.
/// - **Continuity**: per client, blocks skipped, duplicates and events going backwards, in the
///   steady stream and across the failovers.
enum SubscriptionBenchmark {
    struct Settings {
        var clients: Int
        var logsClients: Int
        var logsKeys: Int
        var blockMs: Int
        var blocks: Int
        var failovers: Int
        /// The active provider's feed stops this long before a block is due, its sockets drop
        /// this long after.
        var killOffsetMs: Int
    }

    /// The moment each block was first pushed upstream, by any provider.
    final class PushLog: Sendable {
        private let pushed = Mutex<[UInt64: UInt64]>([:])

        func record(_ blocks: [UInt64], at nanoseconds: UInt64) {
            pushed.withLock { table in
                for block in blocks where table[block] == nil { table[block] = nanoseconds }
            }
        }

        var snapshot: [UInt64: UInt64] { pushed.withLock { $0 } }
    }

    struct Failover {
        let provider: String
        let killedAt: UInt64
        /// The block due between the feed stopping and the kill, which lassod cannot get live.
        let missedBlock: UInt64
        /// False when that block was pushed before the kill after all (the waking thread came
        /// late on a busy machine): then nothing was missed, and the round is not counted.
        let valid: Bool
        /// When another provider held the subscription; nil if none did within the wait.
        let resubscribedAt: UInt64?
    }

    struct Run {
        let name: String
        let clients: Int
        let keys: Int
        /// `logs` events (several per block, each with its log index) rather than `newHeads`.
        let logs: Bool
        let subscribed: String
        let done: String
        let rssBeforeKiB: Int
        let rssAfterKiB: Int
        let windowStart: UInt64
        let windowEnd: UInt64
        /// CPU of this process (lassod, the providers) and of the clients' process, in the window.
        let cpuPercent: Double
        let clientCPUPercent: Double
        let failovers: [Failover]
        let samples: [SubscriptionLoad.Sample]
    }

    static func run(_ arguments: BenchArguments) async throws {
        let quick = arguments.flag("quick")
        let settings = Settings(clients: try arguments.int("clients", default: quick ? 1_000 : 10_000),
                                logsClients: try arguments.int("logs-clients", default: quick ? 100 : 1_000),
                                logsKeys: try arguments.int("logs-keys", default: quick ? 10 : 100),
                                blockMs: try arguments.int("block-ms", default: 1_000),
                                blocks: try arguments.int("blocks", default: quick ? 5 : 10),
                                failovers: try arguments.int("failovers", default: quick ? 2 : 5),
                                killOffsetMs: try arguments.int("kill-offset-ms", default: 20))
        let harness = try LoadHarness(duration: arguments.duration)
        defer { harness.cleanUp() }

        let loop = try EventLoop()
        defer { loop.stop() }
        let chain = SimulatedChain(chainID: 1, blockIntervalMs: UInt64(settings.blockMs))
        let pushes = PushLog()
        let servers = try (1...3).map { index in
            try SimulatedProviderServer(provider: SimulatedProvider(id: "sim_\(index)", chain: chain), loop: loop)
        }
        defer { servers.forEach { $0.stop() } }
        for server in servers {
            server.observePushes { blocks in pushes.record(blocks, at: MonotonicClock.nanoseconds()) }
        }
        let null = open(ProcessInfo.processInfo.environment["LASSO_BENCH_LOG"] ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(null) }
        let application = try await LassoApplication.start(config: try config(servers, blockMs: settings.blockMs),
                                                           runtime: Runtime(), sink: StandardOutputSink(fileDescriptor: null),
                                                           port: 0)
        var runs: [Run] = []
        do {
            if !(try await waitUntil(seconds: 15) { servers.allSatisfy { $0.openConnections.webSockets > 0 } }) {
                print("note: after 15 s lassod had not opened a WebSocket to every provider; measuring anyway")
            }
            runs.append(try await scenario("a: newHeads", clients: settings.clients, kind: "newHeads", keys: 1,
                                           failovers: settings.failovers, settings, harness, application.port, servers, chain, pushes))
            runs.append(try await scenario("b: logs", clients: settings.logsClients, kind: "logs", keys: settings.logsKeys,
                                           failovers: 0, settings, harness, application.port, servers, chain, pushes))
        } catch {
            await application.stop()
            throw error
        }
        await application.stop()
        report(runs, pushes: pushes.snapshot, settings: settings)
    }

    /// One chain, `bench`, with the three providers in priority order, over HTTP and WebSocket.
    private static func config(_ servers: [SimulatedProviderServer], blockMs: Int) throws -> LassoConfig {
        let providers = servers.enumerated().map { index, server in
            "      - {id: \(server.provider.id), priority: \(index + 1), url: \"\(server.url)\", ws_url: \"\(server.webSocketURL)\"}"
        }
        let yaml = ["chains:", "  bench:", "    chain_id: 1", "    block_time_ms: \(blockMs)", "    providers:"] + providers
        return try LassoConfig.parse(yaml: yaml.joined(separator: "\n") + "\n", environment: [:])
    }

    // MARK: Running

    private static func scenario(_ name: String, clients: Int, kind: String, keys: Int, failovers: Int,
                                 _ settings: Settings, _ harness: LoadHarness, _ port: Int,
                                 _ servers: [SimulatedProviderServer], _ chain: SimulatedChain,
                                 _ pushes: PushLog) async throws -> Run {
        let block = Duration.milliseconds(settings.blockMs)
        let samplesFile = harness.directory.appendingPathComponent("samples-\(kind).bin").path
        let rssBefore = ProxyMemoryBenchmark.residentKilobytes()
        let (process, output) = try harness.child(["ws-load", "--port", String(port), "--path", "/ws/rpc/bench",
                                                   "--clients", String(clients), "--kind", kind, "--keys", String(keys),
                                                   "--samples", samplesFile])
        defer { if process.isRunning { harness.stop(process) } }
        let lines = ChildLines(output)
        guard let subscribed = try await LoadHarness.offThePool({ lines.next(startingWith: "subscribed ", within: 300) }) else {
            throw SubscriptionLoad.Failed(description: "\(name): the clients did not all get an answer within 300 s")
        }
        print("— \(name): \(subscribed)")
        try await Task.sleep(for: block * 2)
        let rssAfter = ProxyMemoryBenchmark.residentKilobytes()

        let observed: [CPUTime.Subject] = [.thisProcess, .processTree(process.processIdentifier)]
        let cpuBefore = observed.map(CPUTime.seconds)
        let windowStart = MonotonicClock.nanoseconds()
        try await Task.sleep(for: block * settings.blocks)
        let windowEnd = MonotonicClock.nanoseconds()
        let cpu = zip(observed.map(CPUTime.seconds), cpuBefore).map {
            100 * ($0 - $1) / max(0.001, Double(windowEnd - windowStart) / 1e9)
        }

        var rounds: [Failover] = []
        var attempts = 0
        while rounds.count(where: \.valid) < failovers, attempts < failovers * 2 {
            attempts += 1
            guard let active = servers.max(by: { $0.subscriptionCount < $1.subscriptionCount }), active.subscriptionCount > 0
            else {
                print("  failover attempt \(attempts): no provider carries a subscription; skipped")
                try await Task.sleep(for: block)
                continue
            }
            let (killedAt, missedBlock) = try await failAcrossNextBlock(active, chain: chain, offsetMs: settings.killOffsetMs)
            let moved = try await waitUntil(seconds: 10) {
                servers.contains { $0 !== active && $0.subscriptionCount > 0 }
            }
            let resubscribedAt = moved ? MonotonicClock.nanoseconds() : nil
            let sinceKill = Duration.nanoseconds(Int64(MonotonicClock.nanoseconds() - killedAt))
            if sinceKill < block * 3 { try await Task.sleep(for: block * 3 - sinceKill) }
            let pushedBeforeKill = pushes.snapshot[missedBlock].map { $0 < killedAt } ?? false
            rounds.append(Failover(provider: active.provider.id, killedAt: killedAt, missedBlock: missedBlock,
                                   valid: !pushedBeforeKill, resubscribedAt: resubscribedAt))
            active.provider.behavior = .healthy
            // Time for lassod to find the revived provider again before the next kill.
            try await Task.sleep(for: block * 2)
        }

        (process.standardInput as? Pipe)?.fileHandleForWriting.write(Data("stop\n".utf8))
        let done = try await LoadHarness.offThePool { lines.next(startingWith: "done ", within: 60) } ?? "no summary"
        process.waitUntilExit()
        let samples = try SubscriptionLoad.readSamples(samplesFile)
        return Run(name: name, clients: clients, keys: keys, logs: kind == "logs", subscribed: subscribed, done: done,
                   rssBeforeKiB: rssBefore, rssAfterKiB: rssAfter, windowStart: windowStart, windowEnd: windowEnd,
                   cpuPercent: cpu.first ?? 0, clientCPUPercent: cpu.last ?? 0, failovers: rounds, samples: samples)
    }

    /// Makes `server`'s provider die as the chain's next block is due (one at least half a block
    /// time away): its feed stops `offsetMs` before the block (so that block's frame never
    /// leaves, as when a node dies mid-block), and its sockets drop `offsetMs` after (killed: no
    /// close frame, new connections refused). The block then exists on every other provider but
    /// was never pushed to lassod: only a gap filler delivers it. Waits on a thread of its own,
    /// for a precise wake-up; returns the `CLOCK_MONOTONIC` time of the socket drop, and the block missed.
    private static func failAcrossNextBlock(_ server: SimulatedProviderServer, chain: SimulatedChain,
                                            offsetMs: Int) async throws -> (killedAt: UInt64, missedBlock: UInt64) {
        try await LoadHarness.offThePool {
            let clock = SystemClock.shared
            let offset = UInt64(offsetMs) * 1_000_000
            var block = chain.nextBlockInstant(after: clock.now())
            while block.nanoseconds < clock.now().nanoseconds + offset + chain.blockIntervalMs * 500_000 {
                block = chain.nextBlockInstant(after: block)
            }
            func sleep(until target: UInt64) {
                while true {
                    let now = clock.now().nanoseconds
                    guard now < target else { return }
                    usleep(UInt32(min(10_000, max(50, (target - now) / 2_000))))
                }
            }
            sleep(until: block.nanoseconds - offset)
            server.provider.behavior = .stalledSubscription
            sleep(until: block.nanoseconds + offset)
            let killedAt = MonotonicClock.nanoseconds()
            server.provider.behavior = .killed
            return (killedAt, chain.head(at: block))
        }
    }

    /// Polls `condition` every 5 ms for up to `seconds`; whether it became true.
    @discardableResult
    private static func waitUntil(seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    // MARK: Analysis

    /// Events received out of the order a stream promises, per client.
    struct Continuity {
        /// Blocks never received between two received ones.
        var skippedBlocks = 0
        /// Logs missing inside a received block (`logs` only: every log matches).
        var skippedLogs = 0
        var duplicates = 0
        var backwards = 0
        var clientsAffected = Set<UInt32>()

        var summary: String {
            "\(skippedBlocks) blocks skipped, \(skippedLogs) logs skipped, \(duplicates) duplicates, "
                + "\(backwards) backwards; \(clientsAffected.count) clients affected"
        }
    }

    /// Continuity of each client's stream, split at `boundary` (the first kill): before it, and
    /// from it on. A client's first event starts its stream.
    static func continuity(_ samples: [SubscriptionLoad.Sample], clients: Int, logs: Bool,
                           boundary: UInt64) -> (steady: Continuity, failover: Continuity) {
        var last = [(block: UInt64, log: UInt32)?](repeating: nil, count: clients)
        var steady = Continuity(), failover = Continuity()
        for sample in samples where Int(sample.client) < clients {
            let client = Int(sample.client)
            defer { last[client] = (sample.block, sample.logIndex) }
            guard let previous = last[client] else { continue }
            var counts = sample.nanoseconds < boundary ? steady : failover
            let current = (block: sample.block, log: logs ? sample.logIndex : 0)
            var affected = true
            if current == previous {
                counts.duplicates += 1
            } else if current < previous {
                counts.backwards += 1
            } else if current.block > previous.block {
                counts.skippedBlocks += Int(current.block - previous.block - 1)
                counts.skippedLogs += Int(current.log)
                affected = current.block > previous.block + 1 || current.log > 0
            } else {
                counts.skippedLogs += Int(current.log - previous.log - 1)
                affected = current.log > previous.log + 1
            }
            if affected { counts.clientsAffected.insert(sample.client) }
            if sample.nanoseconds < boundary { steady = counts } else { failover = counts }
        }
        return (steady, failover)
    }

    /// Latencies in ms of every event whose block was pushed inside the window, and of the last
    /// client to receive each such block; and how many clients received each block.
    static func latencies(_ run: Run, pushes: [UInt64: UInt64])
        -> (all: [Double], lastPerBlock: [Double], receivers: [Int]) {
        var all: [Double] = []
        var slowest: [UInt64: Double] = [:]
        var receivers: [UInt64: Set<UInt32>] = [:]
        for sample in run.samples {
            guard let pushed = pushes[sample.block], pushed >= run.windowStart, pushed <= run.windowEnd else { continue }
            let latency = (Double(sample.nanoseconds) - Double(pushed)) / 1e6
            all.append(latency)
            slowest[sample.block] = max(slowest[sample.block] ?? -.infinity, latency)
            receivers[sample.block, default: []].insert(sample.client)
        }
        return (all.sorted(), slowest.values.sorted(), receivers.keys.sorted().compactMap { receivers[$0]?.count })
    }

    struct FailoverResult {
        let failover: Failover
        let lastBefore: UInt64?
        /// The first block above `lastBefore` any client received after the kill, and when.
        let first: (block: UInt64, ms: Double)?
        /// When the last client to do so did, and how many did.
        let all: (ms: Double, clients: Int)?
    }

    static func failoverResults(_ run: Run, pushes: [UInt64: UInt64]) -> [FailoverResult] {
        run.failovers.map { failover in
            let lastBefore = pushes.filter { $0.value < failover.killedAt }.keys.max()
            guard let lastBefore else { return FailoverResult(failover: failover, lastBefore: nil, first: nil, all: nil) }
            var first: (block: UInt64, ms: Double)?
            var firstPerClient: [UInt32: UInt64] = [:]
            for sample in run.samples where sample.nanoseconds >= failover.killedAt && sample.block > lastBefore {
                let ms = Double(sample.nanoseconds - failover.killedAt) / 1e6
                if first == nil || ms < (first?.ms ?? .infinity) { first = (sample.block, ms) }
                if firstPerClient[sample.client] == nil { firstPerClient[sample.client] = sample.nanoseconds }
            }
            let all = firstPerClient.values.max().map { (ms: Double($0 - failover.killedAt) / 1e6, clients: firstPerClient.count) }
            return FailoverResult(failover: failover, lastBefore: lastBefore, first: first, all: all)
        }
    }

    // MARK: Reporting

    private static func report(_ runs: [Run], pushes: [UInt64: UInt64], settings: Settings) {
        let percentile = DashboardBenchmark.percentile
        func ms(_ value: Double) -> String { value.isNaN ? "?" : String(format: "%.2f ms", value) }
        func triple(_ sorted: [Double]) -> String {
            "\(ms(percentile(sorted, 0.5))) / \(ms(percentile(sorted, 0.99))) / \(ms(sorted.last ?? .nan))"
        }
        print("")
        print("lassod in-process (\(ServerConfig.defaultEventLoops) event loops), 3 simulated providers (one chain, a block "
              + "every \(settings.blockMs) ms, WebSocket + HTTP); clients: `lasso-bench ws-load`, a child process, one epoll thread")
        print("fan-out latency: provider hands the block's frame to its transport → client reads the event "
              + "(CLOCK_MONOTONIC both sides), blocks pushed during a \(settings.blocks)-block steady window")
        print("| scenario | clients / keys | events | every event p50 / p99 / max | last client per block p50 / p99 / max "
              + "| clients per block (min) | CPU: lassod + providers / clients | RSS before → after | per client |")
        print("|---|---|---|---|---|---|---|---|---|")
        var newHeadsLast: [Double] = []
        var perClientBytes: Double?
        for (index, run) in runs.enumerated() {
            let (all, last, receivers) = latencies(run, pushes: pushes)
            let perClient = Double(run.rssAfterKiB - run.rssBeforeKiB) * 1_024 / Double(max(1, run.clients))
            if index == 0 {
                newHeadsLast = last
                perClientBytes = perClient
            }
            print("| \(run.name) | \(run.clients) / \(run.keys) | \(all.count) in \(last.count) blocks | \(triple(all)) "
                  + "| \(triple(last)) | \(receivers.min() ?? 0) | \(String(format: "%.0f %% / %.0f %%", run.cpuPercent, run.clientCPUPercent)) "
                  + "| \(mib(run.rssBeforeKiB)) → \(mib(run.rssAfterKiB)) | \(String(format: "%.1f KiB", perClient / 1_024)) |")
        }
        for run in runs { print("\(run.name): ws-load \(run.subscribed); \(run.done)") }

        var failoverMs: [Double] = []
        var gapless = 0
        if let run = runs.first, !run.failovers.isEmpty {
            print("")
            print("failover (\(run.name)): the provider carrying the subscription stops pushing \(settings.killOffsetMs) ms before "
                  + "a block is due and is killed \(settings.killOffsetMs) ms after it (sockets dropped, no close frame), so that "
                  + "block never reached lassod; revived 3 blocks later. Times are from the kill.")
            print("| # | killed | missed block | last block pushed before the kill | another provider subscribed after "
                  + "| first block delivered after the kill | kill → first delivery | kill → every client "
                  + "| blocks lost (first delivery) |")
            print("|---|---|---|---|---|---|---|---|---|")
            var skipped = 0
            for (index, result) in failoverResults(run, pushes: pushes).enumerated() {
                let failover = result.failover
                let resubscribed = failover.resubscribedAt.map { ms(Double($0 - failover.killedAt) / 1e6) } ?? "not within 10 s"
                // When the provider carrying the subscription by then pushed that block: lassod added the rest.
                let pushedAfterKill = result.first.flatMap { pushes[$0.block] }
                    .map { ms((Double($0) - Double(failover.killedAt)) / 1e6) } ?? "?"
                let first = result.first.map { "\($0.block) (pushed upstream \(pushedAfterKill) after the kill)" } ?? "none"
                let firstMs = result.first.map { "\(ms($0.ms)) (" + String(format: "%.2f", $0.ms / Double(settings.blockMs)) + " blocks)" }
                    ?? "none"
                let every = result.all.map { "\(ms($0.ms)) (\($0.clients) of \(run.clients))" } ?? "none"
                var lost = "?"
                if let block = result.first?.block, let before = result.lastBefore { lost = "\(Int64(block) - Int64(before) - 1)" }
                let before = result.lastBefore.map { block in
                    "\(block) (\(pushes[block].map { ms(Double(failover.killedAt - $0) / 1e6) } ?? "?") before)"
                } ?? "?"
                let missed = failover.valid ? "\(failover.missedBlock)"
                    : "\(failover.missedBlock) pushed before the kill after all (late wake-up): not counted"
                print("| \(index + 1) | \(failover.provider) | \(missed) | \(before) | \(resubscribed) "
                      + "| \(first) | \(firstMs) | \(every) | \(lost) |")
                guard failover.valid else {
                    skipped += 1
                    continue
                }
                if let value = result.first?.ms { failoverMs.append(value) }
                // None lost: the first block after the kill follows the last one before it.
                if let first = result.first?.block, let before = result.lastBefore, first == before + 1 { gapless += 1 }
            }
            if skipped > 0 { print("\(skipped) round(s) not counted and run again: the missed block had been pushed before the kill") }
            failoverMs.sort()
        }

        print("")
        print("continuity per client (every event compared with the client's previous one):")
        for run in runs {
            let boundary = run.failovers.first?.killedAt ?? .max
            let (steady, failover) = continuity(run.samples, clients: run.clients, logs: run.logs, boundary: boundary)
            print("  \(run.name), steady stream: \(steady.summary)")
            if !run.failovers.isEmpty { print("  \(run.name), from the first kill on: \(failover.summary)") }
        }

        print("")
        print("| target (issue 12) | measured | |")
        print("|---|---|---|")
        let fanOut = percentile(newHeadsLast, 0.99)
        print("| fan-out p99 ≤ 10 ms (newHeads, \(runs.first?.clients ?? 0) clients, last client per block) | \(ms(fanOut)) "
              + "| \(verdict(!fanOut.isNaN && fanOut <= 10)) |")
        let rss = perClientBytes ?? .nan
        print("| ≤ 20 KB RSS per idle subscribed client | \(String(format: "%.1f KB", rss / 1_000)) "
              + "| \(verdict(!rss.isNaN && rss <= 20_000)) |")
        let worst = failoverMs.last ?? .nan
        let blockMs = Double(settings.blockMs)
        let rounds = runs.first?.failovers.count(where: \.valid) ?? 0
        print("| provider kill → first block delivered ≤ 1 block time (\(settings.blockMs) ms), and it follows the last "
              + "one before the kill (none lost, the block the dead provider never pushed included), in every failover "
              + "| p50 \(ms(percentile(failoverMs, 0.5))), max \(ms(worst)) (\(String(format: "%.2f", worst / blockMs)) blocks); "
              + "none lost in \(gapless) of \(rounds) "
              + "| \(verdict(rounds > 0 && !worst.isNaN && worst <= blockMs && failoverMs.count == rounds && gapless == rounds)) |")
    }

    private static func verdict(_ met: Bool) -> String { met ? "PASS" : "MISS" }

    private static func mib(_ kilobytes: Int) -> String { String(format: "%.1f MiB", Double(kilobytes) / 1_024) }
}
