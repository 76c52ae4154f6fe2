import Foundation

extension Battle.Analyzer {
    /// Judges one client's stream against what the chain made (`truth`).
    ///
    /// `newHeads`: from the first header received through `truth.through`, every block exactly
    /// once, in order, with the chain's hash, its `parentHash` the hash of the header delivered
    /// just before. `logs`: from the block after the first log received (the client subscribed
    /// somewhere in the stream; blocks without a match send nothing) through `truth.through`,
    /// exactly the chain's matching logs, each once, in (block, index) order. A stream that
    /// received nothing misses every block of the run. Deliveries past `through` are not judged.
    public static func stream(_ stream: Battle.Observations.Stream, truth: Battle.Observations.ChainTruth) -> Battle.Report.StreamSummary {
        var summary = Battle.Report.StreamSummary(
            chain: stream.chain, client: stream.client, kind: stream.kind, from: nil, through: truth.through,
            counts: .init(received: stream.events.count, disconnects: stream.disconnects), maxDelayMs: nil, problems: [])
        func note(_ problem: String) {
            if summary.problems.count < 5 { summary.problems.append(problem) }
        }
        if stream.disconnects > 0 { note("socket dropped \(stream.disconnects)×") }
        switch stream.kind {
        case .newHeads:
            guard let first = stream.events.first?.block else {
                summary.counts.missing = truth.blockHashes.count
                note("no header received")
                return summary
            }
            summary.from = first
            var seen = Set<UInt64>()
            var previous: Battle.Observations.StreamEvent?
            for event in stream.events where event.block <= truth.through {
                let number = event.block
                if seen.contains(number) {
                    summary.counts.duplicates += 1
                    note("block \(number) again")
                    continue
                }
                seen.insert(number)
                if let previous, number < previous.block {
                    summary.counts.outOfOrder += 1
                    note("block \(number) after \(previous.block)")
                } else if let previous, number == previous.block + 1, event.parentHash != previous.hash {
                    summary.counts.brokenLinks += 1
                    note("block \(number)'s parent is not block \(previous.block)")
                }
                if let hash = truth.blockHashes[number], hash != event.hash {
                    summary.counts.foreign += 1
                    note("block \(number) is not the chain's")
                }
                if let made = truth.producedAtMs[number] {
                    summary.maxDelayMs = max(summary.maxDelayMs ?? 0, event.atMs - made)
                }
                if previous.map({ number > $0.block }) ?? true { previous = event }
            }
            if first <= truth.through {
                let window = first...truth.through
                let absent = window.filter { !seen.contains($0) }
                summary.counts.missing = absent.count
                if let gap = absent.first { note("\(absent.count) blocks missing, the first \(gap)") }
            }
        case .logs:
            guard let firstLog = stream.events.first?.block else {
                summary.counts.missing = truth.logs.values.reduce(0) { $0 + $1.count }
                if summary.counts.missing > 0 { note("no log received") }
                return summary
            }
            let from = firstLog + 1
            summary.from = from
            guard from <= truth.through else { return summary }
            struct LogID: Hashable, Comparable {
                var block: UInt64
                var index: UInt64
                static func < (lhs: LogID, rhs: LogID) -> Bool { (lhs.block, lhs.index) < (rhs.block, rhs.index) }
            }
            let expected = Set((from...truth.through).flatMap { block in
                (truth.logs[block] ?? []).map { LogID(block: block, index: $0) }
            })
            var seen = Set<LogID>()
            var latest: LogID?
            for event in stream.events where (from...truth.through).contains(event.block) {
                let id = LogID(block: event.block, index: event.logIndex ?? .max)
                if seen.contains(id) {
                    summary.counts.duplicates += 1
                    note("log \(id.block)/\(id.index) again")
                    continue
                }
                seen.insert(id)
                if !expected.contains(id) || truth.blockHashes[id.block].map({ $0 != event.hash }) == true {
                    summary.counts.foreign += 1
                    note("log \(id.block)/\(id.index) is not the chain's")
                }
                if let latest, id < latest {
                    summary.counts.outOfOrder += 1
                    note("log \(id.block)/\(id.index) after \(latest.block)/\(latest.index)")
                }
                latest = max(latest ?? id, id)
            }
            let absent = expected.subtracting(seen).sorted()
            summary.counts.missing = absent.count
            if let gap = absent.first { note("\(absent.count) logs missing, the first \(gap.block)/\(gap.index)") }
        }
        return summary
    }

    /// Each key's failovers from lassod's log: a `failover.started` and the `failover.completed`
    /// that follows it for the same chain and key (none if it never completed).
    static func subscriptionFailovers(_ events: [Battle.Observations.SubscriptionEvent]) -> [Battle.Report.SubscriptionFailover] {
        var failovers: [Battle.Report.SubscriptionFailover] = []
        var open: [String: Int] = [:]
        for event in events.sorted(by: { $0.atMs < $1.atMs }) {
            let key = event.chain + "/" + event.key
            switch event.kind {
            case "failover.started":
                open[key] = failovers.count
                failovers.append(.init(atMs: event.atMs, chain: event.chain, key: event.key, reason: event.reason,
                                       from: event.fromProvider, to: nil, durationMs: nil, backfilled: nil, skipped: nil,
                                       completed: false))
            case "failover.completed":
                guard let index = open.removeValue(forKey: key) else { continue }
                failovers[index].to = event.toProvider
                failovers[index].durationMs = event.durationMs
                failovers[index].backfilled = event.count
                failovers[index].skipped = event.skipped
                failovers[index].completed = true
            default:
                continue
            }
        }
        return failovers
    }

    /// Every stream judged, their totals and the headers' delivery over time.
    static func streams(_ observations: Battle.Observations)
        -> (streams: [Battle.Report.StreamSummary], totals: Battle.Report.StreamTotals?, failovers: [Battle.Report.SubscriptionFailover],
            timeline: [Battle.Report.StreamBucket]) {
        let failovers = subscriptionFailovers(observations.subscriptionEvents)
        guard !observations.streams.isEmpty else { return ([], nil, failovers, []) }
        let summaries = observations.streams.compactMap { stream in
            observations.truth[stream.chain].map { self.stream(stream, truth: $0) }
        }
        // First deliveries of each header, for the delay figures and the timeline.
        var delays: [(atMs: Double, delayMs: Double)] = []
        for stream in observations.streams where stream.kind == .newHeads {
            guard let truth = observations.truth[stream.chain] else { continue }
            var seen = Set<UInt64>()
            for event in stream.events where seen.insert(event.block).inserted {
                if let made = truth.producedAtMs[event.block] { delays.append((event.atMs, event.atMs - made)) }
            }
        }
        let backfills = observations.subscriptionEvents.filter { $0.kind == "backfill" }.compactMap(\.count).reduce(0, +)
        let skips = observations.subscriptionEvents.filter { $0.kind == "gap_skipped" }.compactMap(\.count).reduce(0, +)
        // A client's newHeads and logs streams share one socket: its drops are counted once.
        var counts = summaries.map(\.counts).reduce(.init(), +)
        counts.disconnects = observations.streams.filter { $0.kind == .newHeads }.map(\.disconnects).reduce(0, +)
        let totals = Battle.Report.StreamTotals(
            clients: Set(observations.streams.map { "\($0.chain)/\($0.client)" }).count, streams: summaries.count,
            intactStreams: summaries.filter(\.intact).count, counts: counts,
            delay: latency(of: delays.map(\.delayMs)), failovers: failovers.count,
            failoversCompleted: failovers.filter(\.completed).count,
            failoverLatency: latency(of: failovers.compactMap(\.durationMs)), backfilled: backfills, skipped: skips)
        let width = max(100, (observations.durationMs / 60).rounded(.up))
        var slices: [Int: (count: Int, worst: Double)] = [:]
        for delay in delays where delay.atMs >= 0 {
            let index = Int(delay.atMs / width)
            let slice = slices[index] ?? (0, 0)
            slices[index] = (slice.count + 1, max(slice.worst, delay.delayMs))
        }
        let timeline = slices.keys.sorted().compactMap { index in
            slices[index].map { Battle.Report.StreamBucket(startMs: Double(index) * width, headers: $0.count, maxDelayMs: $0.worst) }
        }
        return (summaries, totals, failovers, timeline)
    }

    /// The verdict of a stream SLO.
    static func streamVerdict(_ slo: Battle.SLO, report: Battle.Report) -> Battle.Report.Verdict {
        func judge(_ passed: Bool, _ detail: String) -> Battle.Report.Verdict {
            Battle.Report.Verdict(slo: slo.description, passed: passed, detail: detail)
        }
        guard let totals = report.streamTotals else { return judge(false, "no subscriber") }
        func worst(_ count: (Battle.Report.StreamSummary) -> Int) -> String {
            let broken = report.streams.filter { count($0) > 0 }
            guard let first = broken.first else { return "" }
            return "; \(broken.count) streams, e.g. client \(first.client) \(first.kind.rawValue): "
                + first.problems.joined(separator: ", ")
        }
        switch slo {
        case .streamGaps(let maximum):
            return judge(totals.counts.missing <= maximum,
                         "\(totals.counts.missing) missing in \(totals.streams) streams of \(totals.clients) clients "
                         + "(lassod skipped \(totals.skipped) blocks, backfilled \(totals.backfilled))" + worst(\.counts.missing))
        case .streamDuplicates(let maximum):
            return judge(totals.counts.duplicates <= maximum, "\(totals.counts.duplicates) delivered twice" + worst(\.counts.duplicates))
        case .streamsInOrder:
            return judge(totals.counts.disorder == 0, "\(totals.counts.outOfOrder) out of order, \(totals.counts.foreign) not the chain's, "
                         + "\(totals.counts.brokenLinks) broken parent links, \(totals.counts.disconnects) sockets dropped"
                         + worst(\.counts.disorder))
        case .failoverP99(let limit, let key):
            let failovers = report.subscriptionFailovers.filter { key == nil || $0.key == key }
            let completed = failovers.filter(\.completed)
            guard !completed.isEmpty else { return judge(false, "no subscription failover completed") }
            let unfinished = failovers.count - completed.count
            let latency = latency(of: completed.compactMap(\.durationMs))
            return judge(unfinished == 0 && latency.p99 <= limit,
                         String(format: "%d failovers, p99 %.0f ms, max %.0f ms", completed.count, latency.p99, latency.max)
                         + (unfinished == 0 ? "" : "; \(unfinished) never completed"))
        default:
            return judge(false, "not a stream SLO")
        }
    }
}
