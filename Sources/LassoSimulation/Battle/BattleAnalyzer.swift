import Foundation
import Lasso

extension Battle {
    /// Turns a run's observations into a report: percentiles, success rates, failovers,
    /// recovery per fault, restarts per node, subscription streams judged per client
    /// (`stream`), and a verdict per SLO. Pure: no clock, no I/O.
    public enum Analyzer {
        /// The nearest-rank percentile `p` (0…100) of `values`; 0 for none.
        public static func percentile(_ p: Double, of values: [Double]) -> Double {
            percentile(p, sorted: values.sorted())
        }

        static func percentile(_ p: Double, sorted: [Double]) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }

        static func latency(of samples: [Observations.Sample]) -> Report.Latency {
            latency(of: samples.map(\.latencyMs))
        }

        static func latency(of values: [Double]) -> Report.Latency {
            let sorted = values.sorted()
            return Report.Latency(p50: percentile(50, sorted: sorted), p95: percentile(95, sorted: sorted),
                                  p99: percentile(99, sorted: sorted), max: sorted.last ?? 0)
        }

        /// Successes over requests; 1 when there were none (nothing failed), which
        /// `SLO.minimumRequests` guards against.
        public static func successRate(of samples: [Observations.Sample]) -> Double {
            guard !samples.isEmpty else { return 1 }
            return Double(samples.filter(\.succeeded).count) / Double(samples.count)
        }

        /// From a fault to the end of the last request it disturbed, within its window (until
        /// restored, or the run's end): a client request on its chain that failed, or one lassod
        /// logged as served after a failed attempt, or (for a provider fault) served by the
        /// faulty provider. 0 when nothing was disturbed.
        public static func recoveryMs(of fault: Observations.Fault, in observations: Observations) -> Double {
            let window = fault.atMs..<fault.endMs
            var last = fault.atMs
            for sample in observations.samples where !sample.succeeded && window.contains(sample.endMs) {
                if fault.chain == nil || sample.chain == fault.chain { last = max(last, sample.endMs) }
            }
            for routed in observations.routed where window.contains(routed.atMs) {
                guard fault.chain == nil || routed.chain == fault.chain else { continue }
                let onFaulty = fault.provider != nil && routed.selectedProvider == fault.provider
                if routed.retries > 0 || !routed.succeeded || onFaulty { last = max(last, routed.atMs) }
            }
            return last - fault.atMs
        }

        /// A Retry-After window as reported: the client requests that reached the provider after
        /// lassod knew it was rate-limited. A request counts when the client started it at or after
        /// `knownAtMs` (so lassod received it after its status showed the cooldown) and the
        /// provider received it before `endMs` (before lassod's cooldown could have run out).
        /// Requests lassod had sent before it knew, still on their way, do not count. When lassod
        /// never showed the cooldown, every client request started after the switch counts.
        public static func rateLimitWindow(_ window: Observations.RateLimitWindow,
                                           samples: [Observations.Sample]) -> Report.RateLimitWindow {
            let from = window.knownAtMs ?? window.switchedAtMs
            let arrived = window.arrivals.filter { $0.atMs >= from && $0.atMs < window.endMs }
            let ids = Set(arrived.compactMap { UInt64($0.id) })
            let counted = samples.filter { sample in
                sample.id.map { ids.contains($0) } == true && sample.startMs >= from
            }.count
            return Report.RateLimitWindow(provider: window.provider, retryAfterMs: window.retryAfterMs,
                                          switchedAtMs: window.switchedAtMs, knownAtMs: window.knownAtMs,
                                          endMs: window.endMs, arrivals: arrived.count, requestsDuringWindow: counted)
        }

        /// The report of `observations` for `scenario`.
        public static func analyze(_ observations: Observations, scenario: Scenario) -> Report {
            let samples = observations.samples
            var failures: [String: Int] = [:]
            for sample in samples { if let failure = sample.failure { failures[failure, default: 0] += 1 } }
            let chains = Dictionary(grouping: samples, by: \.chain).keys.sorted().map { chain in
                let own = samples.filter { $0.chain == chain }
                return Report.ChainSummary(chain: chain, requests: own.count, succeeded: own.filter(\.succeeded).count,
                                           successRate: successRate(of: own), latency: latency(of: own))
            }
            var servedBy: [String: Int] = [:]
            for routed in observations.routed { if let id = routed.selectedProvider { servedBy[id, default: 0] += 1 } }
            var restarts: [String: Int] = [:]
            for event in observations.supervision where event.kind == "restarted" {
                restarts[event.supervisor + "/" + (event.child ?? "?"), default: 0] += 1
            }
            let faults = observations.faults.map { fault in
                Report.FaultSummary(atMs: fault.atMs, endMs: fault.endMs, description: fault.description,
                                    recoveryMs: recoveryMs(of: fault, in: observations))
            }
            var report = Report(scenario: scenario.name, summary: scenario.summary, seed: scenario.seed,
                                durationMs: observations.durationMs, requests: samples.count,
                                succeeded: samples.filter(\.succeeded).count, successRate: successRate(of: samples),
                                latency: latency(of: samples),
                                lassodLatency: latency(of: observations.routed.compactMap(\.endToEndMs)),
                                cpuSeconds: observations.cpuSeconds, cores: ProcessInfo.processInfo.activeProcessorCount,
                                chains: chains, failures: failures,
                                failovers: observations.routed.filter { $0.retries > 0 && $0.succeeded }.count,
                                servedBy: servedBy, faults: faults, restarts: restarts,
                                treeChecks: observations.treeChecks,
                                rateLimitWindows: observations.rateLimitWindows.map { rateLimitWindow($0, samples: samples) },
                                timeline: timeline(samples, durationMs: observations.durationMs), verdicts: [])
            (report.streams, report.streamTotals, report.subscriptionFailovers, report.streamTimeline) = streams(observations)
            report.verdicts = scenario.slos.map { verdict($0, report: report, scenario: scenario, samples: samples) }
            return report
        }

        /// Whether `slo` was kept, with what was measured and, when broken, why.
        public static func verdict(_ slo: SLO, report: Report, scenario: Scenario,
                                   samples: [Observations.Sample]) -> Report.Verdict {
            func judge(_ passed: Bool, _ detail: String) -> Report.Verdict {
                Report.Verdict(slo: slo.description, passed: passed, detail: detail)
            }
            switch slo {
            case .successRate(let minimum, let chain):
                let own = chain.map { chain in samples.filter { $0.chain == chain } } ?? samples
                let rate = successRate(of: own)
                var reasons: [String: Int] = [:]
                for sample in own { if let failure = sample.failure { reasons[failure, default: 0] += 1 } }
                let top = reasons.sorted { $0.value > $1.value }.prefix(3).map { "\($0.key) ×\($0.value)" }
                let detail = "\(own.count - own.filter(\.succeeded).count) of \(own.count) requests failed"
                    + (top.isEmpty ? "" : ": " + top.joined(separator: ", "))
                return judge(rate >= minimum, String(format: "success rate %.6f; ", rate) + detail)
            case .p95(let limit):
                return judge(report.latency.p95 <= limit, String(format: "p95 %.1f ms", report.latency.p95))
            case .p99(let limit):
                return judge(report.latency.p99 <= limit, String(format: "p99 %.1f ms", report.latency.p99))
            case .p95AboveSimulated(let allowance, let chain):
                let slowest = Double(scenario.chainSetup(chain)?.providers.map(\.latencyMs).max() ?? 0)
                let p95 = report.chains.first { $0.chain == chain }?.latency.p95 ?? 0
                return judge(p95 <= slowest + allowance,
                             String(format: "p95 %.1f ms on %@, limit %.1f ms", p95, chain, slowest + allowance))
            case .recovery(let limit):
                let worst = report.faults.max { $0.recoveryMs < $1.recoveryMs }
                guard let worst else { return judge(false, "no fault was injected") }
                return judge(worst.recoveryMs <= limit,
                             String(format: "slowest recovery %.0f ms (%@ at %.0f ms)", worst.recoveryMs, worst.description, worst.atMs))
            case .treeWhole(let limit):
                guard !report.treeChecks.isEmpty else { return judge(false, "no tree node was killed") }
                let broken = report.treeChecks.filter { ($0.wholeAfterMs ?? .infinity) > limit }
                let slowest = report.treeChecks.compactMap(\.wholeAfterMs).max() ?? 0
                return judge(broken.isEmpty, broken.isEmpty
                    ? String(format: "%d kills, slowest back in %.0f ms", report.treeChecks.count, slowest)
                    : "not whole after killing " + broken.map(\.path).joined(separator: ", "))
            case .retryAfterHonoured(let maximum):
                guard let worst = report.rateLimitWindows.max(by: { $0.requestsDuringWindow < $1.requestsDuringWindow })
                else { return judge(false, "no provider was rate-limited") }
                if let unknown = report.rateLimitWindows.first(where: { $0.knownAtMs == nil }) {
                    return judge(false, unknown.arrivals == 0
                        ? "\(unknown.provider) got no request while rate-limited"
                        : "lassod never showed \(unknown.provider) cooling down: \(unknown.requestsDuringWindow) client "
                            + "requests reached it during its Retry-After")
                }
                let count = worst.requestsDuringWindow
                return judge(count <= maximum, "\(count) client requests reached \(worst.provider) after lassod knew of "
                             + "its Retry-After (\(worst.arrivals) arrivals in the window, counting requests sent before)")
            case .minimumRequests(let minimum):
                return judge(report.requests >= minimum, "\(report.requests) requests")
            case .streamGaps, .streamDuplicates, .streamsInOrder, .failoverP99:
                return streamVerdict(slo, report: report)
            }
        }

        /// Requests by start time in about 60 slices (at least 100 ms each).
        static func timeline(_ samples: [Observations.Sample], durationMs: Double) -> [Report.Bucket] {
            let width = max(100, (durationMs / 60).rounded(.up))
            var slices: [Int: [Observations.Sample]] = [:]
            for sample in samples { slices[Int(sample.startMs / width), default: []].append(sample) }
            return slices.keys.sorted().compactMap { index in
                guard let own = slices[index] else { return nil }
                let latency = latency(of: own)
                return Report.Bucket(startMs: Double(index) * width, requests: own.count,
                                     failures: own.filter { !$0.succeeded }.count,
                                     p50: latency.p50, p95: latency.p95, max: latency.max)
            }
        }
    }
}
