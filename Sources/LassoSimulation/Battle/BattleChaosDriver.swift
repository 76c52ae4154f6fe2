import Foundation
import Lasso
import Supervision
import Synchronization

extension Battle {
    /// Injects a scenario's chaos on schedule into a running battle and records each fault,
    /// each tree check and each Retry-After window.
    final class ChaosDriver: Sendable {
        private struct Records {
            var faults: [Observations.Fault] = []
            var treeChecks: [Observations.TreeCheck] = []
            var rateLimitWindows: [Observations.RateLimitWindow] = []
        }

        let scenario: Scenario
        let providers: [String: SimulatedProvider]
        let control: TreeControl
        let collector: Collector
        /// Every node's path in the whole tree, as it stood before the load.
        let wholeTree: Set<String>
        let end: RunEnd
        private let records = Mutex(Records())

        /// What a rate-limited provider received, appended from its serving thread.
        private final class ArrivalLog: Sendable {
            let list = Mutex<[Observations.RateLimitWindow.Arrival]>([])
        }
        private let draws = Atomic<UInt64>(0)

        /// How long a killed node's tree may take to be whole before the check gives up.
        static let wholeDeadlineMs = 10_000.0

        init(scenario: Scenario, providers: [String: SimulatedProvider], control: TreeControl, collector: Collector,
             wholeTree: Set<String>, end: RunEnd) {
            self.scenario = scenario
            self.providers = providers
            self.control = control
            self.collector = collector
            self.wholeTree = wholeTree
            self.end = end
        }

        /// `path → running?` for every node of `tree`.
        static func paths(of tree: TreeSnapshot, prefix: String = "") -> [(String, Bool)] {
            let path = prefix.isEmpty ? tree.name : prefix + "/" + tree.name
            return [(path, tree.status == .running)] + tree.children.flatMap { paths(of: $0, prefix: path) }
        }

        var endMs: Double { end.ms }

        func run() async {
            await withTaskGroup(of: Void.self) { group in
                for chaos in scenario.chaos {
                    for instant in chaos.instants(durationMs: scenario.durationMs) {
                        group.addTask { [self] in
                            await sleep(untilMs: Double(instant))
                            end.faultFired(plannedMs: Double(instant), firedMs: collector.elapsedMs())
                            await inject(chaos, plannedMs: Double(instant), windowMs: Double(chaos.everyMs ?? scenario.durationMs))
                        }
                    }
                }
            }
        }

        func observations(into observations: inout Observations) {
            let records = records.withLock { $0 }
            observations.faults = records.faults.sorted { $0.atMs < $1.atMs }
            observations.treeChecks = records.treeChecks.sorted { $0.atMs < $1.atMs }
            observations.rateLimitWindows = records.rateLimitWindows.sorted { $0.switchedAtMs < $1.switchedAtMs }
        }

        /// Returns once the run's clock has reached `target` (never before).
        private func sleep(untilMs target: Double) async {
            var wait = target - collector.elapsedMs()
            while wait > 0, !Task.isCancelled {
                try? await Task.sleep(for: .microseconds(Int((wait * 1_000).rounded(.up))))
                wait = target - collector.elapsedMs()
            }
        }

        private func resolve(_ target: Chaos.Target) async -> (provider: SimulatedProvider, setup: ProviderSetup, chain: String)? {
            var carrying: String?
            if case .subscribed(let key) = target {
                let streams = (try? await control.status(chain: key))?.subscriptions ?? []
                carrying = (streams.first { $0.kind == "newHeads" } ?? streams.first)?.provider
            }
            for chain in scenario.chains {
                let setup: ProviderSetup? = switch target {
                case .provider(let id): chain.providers.first { $0.id == id }
                case .fastest(let key): key == chain.key ? chain.fastest : nil
                case .serving(let key) where key == chain.key:
                    // The last moments, not the last second: lassod may have moved within it.
                    (collector.busiestProvider(chain: key, sinceMs: collector.elapsedMs() - Chaos.rotationWindowMs)
                        ?? collector.busiestProvider(chain: key, sinceMs: collector.elapsedMs() - 1_000))
                        .flatMap { id in chain.providers.first { $0.id == id } } ?? chain.fastest
                case .serving: nil
                case .subscribed(let key) where key == chain.key:
                    carrying.flatMap { id in chain.providers.first { $0.id == id } } ?? chain.fastest
                case .subscribed: nil
                }
                if let setup, let provider = providers[setup.id] { return (provider, setup, chain.key) }
            }
            return nil
        }

        private func record(_ fault: Observations.Fault) {
            records.withLock { $0.faults.append(fault) }
        }

        private func inject(_ chaos: Chaos, plannedMs: Double, windowMs: Double) async {
            let at = collector.elapsedMs()
            let windowEnd = min(endMs, at + windowMs)
            switch chaos.action {
            case .kill(let target, let restoreAfter):
                guard let (provider, setup, chain) = await resolve(target) else { return }
                await kill(provider, setup: setup, chain: chain, at: at, restoreAfterMs: restoreAfter)
            case .flap(let target, let downMs):
                guard let (provider, setup, chain) = await resolve(target) else { return }
                while collector.elapsedMs() < at + windowMs,
                      !collector.answered(chain: chain, provider: setup.id, sinceMs: collector.elapsedMs() - Chaos.rotationWindowMs) {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                let firedAt = collector.elapsedMs()
                end.faultFired(plannedMs: plannedMs, firedMs: firedAt)
                await kill(provider, setup: setup, chain: chain, at: firedAt, restoreAfterMs: downMs)
            case .degrade(let target, let behaviors, let stepMs, let restoreAfter):
                guard let (provider, setup, chain) = await resolve(target), !behaviors.isEmpty else { return }
                let until = restoreAfter.map { min(endMs, at + Double($0)) } ?? endMs
                var step = 0
                while collector.elapsedMs() < until {
                    let behavior = behaviors[step % behaviors.count]
                    if case .rateLimited(let seconds) = behavior, step < behaviors.count {
                        await measureRetryAfter(provider, chain: chain, seconds: seconds, until: until)
                    } else {
                        provider.behavior = behavior
                    }
                    step += 1
                    await sleep(untilMs: min(until, at + Double(step * max(1, stepMs))))
                }
                provider.behavior = setup.baseline
                let names = behaviors.map(\.description).joined(separator: "/")
                record(.init(atMs: at, endMs: collector.elapsedMs(), description: "degrade \(setup.id): \(names)",
                             chain: chain, provider: setup.id))
            case .openBreaker(let chain, let provider, let transport):
                _ = try? await control.breaker(chain: chain, provider: provider, transport: transport, action: .open)
                record(.init(atMs: at, endMs: windowEnd, description: "open breaker \(provider):\(transport.rawValue)", chain: chain))
            case .restartChain(let chain):
                let outcome = (try? await control.restartChain(chain)) == nil ? " (refused)" : ""
                record(.init(atMs: at, endMs: windowEnd, description: "restart chain \(chain)" + outcome, chain: chain))
            case .killNode(let path):
                await killNode(path, at: at, windowEnd: windowEnd)
            case .killRandomNode(let under):
                let tree = await control.tree()
                let candidates = Self.paths(of: tree).map(\.0).filter { $0.hasPrefix(under + "/") }.sorted()
                guard !candidates.isEmpty else { return }
                let draw = DeterministicMixer.mix(scenario.seed, draws.add(1, ordering: .relaxed).newValue)
                await killNode(candidates[Int(draw % UInt64(candidates.count))], at: at, windowEnd: windowEnd)
            }
        }

        /// Kills `provider` and, after `restoreAfterMs` (cut short by the run's end), restores it.
        private func kill(_ provider: SimulatedProvider, setup: ProviderSetup, chain: String, at: Double,
                          restoreAfterMs: Int?) async {
            provider.behavior = .killed
            if let restoreAfterMs {
                await sleep(untilMs: min(endMs, at + Double(restoreAfterMs)))
                provider.behavior = setup.baseline
            }
            record(.init(atMs: at, endMs: restoreAfterMs == nil ? endMs : collector.elapsedMs(),
                         description: "kill \(setup.id)", chain: chain, provider: setup.id))
        }

        /// Kills the node at `path` and waits, polling the tree, until every node of the whole tree
        /// is back and running.
        private func killNode(_ path: String, at: Double, windowEnd: Double) async {
            let killed = (try? await control.kill(path: path)) != nil
            record(.init(atMs: at, endMs: windowEnd, description: "kill node \(path)" + (killed ? "" : " (refused)")))
            var whole: Double?
            while whole == nil, collector.elapsedMs() - at < Self.wholeDeadlineMs {
                let nodes = Self.paths(of: await control.tree())
                if nodes.allSatisfy(\.1), wholeTree.isSubset(of: Set(nodes.map(\.0))) {
                    whole = collector.elapsedMs() - at
                } else {
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            let check = Observations.TreeCheck(atMs: at, path: path, wholeAfterMs: whole)
            records.withLock { $0.treeChecks.append(check) }
        }

        /// Switches `provider` to answering 429 + `Retry-After: seconds` and records the window:
        /// every request it receives (id and time) from the switch until the Retry-After, counted
        /// from the switch, runs out, and when lassod's status first shows it cooling down
        /// (polled: what lassod's selection reads). `Analyzer.rateLimitWindow` judges it.
        private func measureRetryAfter(_ provider: SimulatedProvider, chain: String, seconds: UInt64,
                                       until: Double) async {
            let arrivals = ArrivalLog()
            provider.observeRequests { [collector] ids in
                let at = collector.elapsedMs()
                arrivals.list.withLock { list in list += ids.map { .init(atMs: at, id: $0) } }
            }
            let switchedAt = collector.elapsedMs()
            provider.behavior = .rateLimited(retryAfterSeconds: seconds)
            let end = min(until, switchedAt + Double(seconds) * 1_000)
            var knownAt: Double?
            while knownAt == nil, collector.elapsedMs() < end {
                let status = try? await control.status(chain: chain)
                if status?.providers.first(where: { $0.id == provider.id })?.coolingDown == true {
                    knownAt = collector.elapsedMs()
                } else {
                    try? await Task.sleep(for: .milliseconds(2))
                }
            }
            await sleep(untilMs: end)
            provider.observeRequests(nil)
            let window = Observations.RateLimitWindow(provider: provider.id, retryAfterMs: Double(seconds) * 1_000,
                                                      switchedAtMs: switchedAt, knownAtMs: knownAt,
                                                      arrivals: arrivals.list.withLock { $0 })
            records.withLock { $0.rateLimitWindows.append(window) }
        }
    }
}
