import Supervision

/// The supervised process that probes every provider of one chain with `eth_blockNumber` each
/// `monitoring.probe_interval_ms`, over each provider's HTTP channel.
///
/// Results feed the `ProviderPool` (heads, availability, failures) and the HTTP channel's
/// breaker, so a provider that is down is noticed even without client traffic, and a half-open
/// breaker gets its trials from probes when no client asks (the probe takes the trial ticket,
/// through the same admission exchange as a request). Each probe reads the channel's route and
/// breaker from the chain's board, as a request does. Probes run concurrently and never block
/// the monitor's mailbox: replies arrive as casts.
public struct ProviderHealthMonitor: GenServer {
    public enum Call: Sendable {
        /// Probes every provider now (the replies arrive later, as usual).
        case probeNow
    }

    public enum Info: Sendable {
        case probe
    }

    let chain: ChainConfig
    let board: ChainStateBoard
    let sender: any UpstreamSender
    let names: ProcessNames
    let interval: Duration

    /// - Parameter names: where the chain's `ProviderPool` is found (it restarts on its own).
    public init(chain: ChainConfig, board: ChainStateBoard, sender: any UpstreamSender, names: ProcessNames) {
        self.chain = chain
        self.board = board
        self.sender = sender
        self.names = names
        interval = max(.milliseconds(100), chain.monitoring.probeInterval)
    }

    public static func childSpec(chain: ChainConfig, board: ChainStateBoard, sender: any UpstreamSender,
                                 names: ProcessNames) -> ChildSpec {
        ChildSpec(id: "ProviderHealthMonitor") { runtime in
            try await ServerRef.start(label: "ProviderHealthMonitor(\(chain.key))", runtime: runtime) {
                ProviderHealthMonitor(chain: chain, board: board, sender: sender, names: names)
            }.process
        }
    }

    public mutating func initialize(context: ServerContext<Self>) async throws {
        context.sendAfter(.probe, after: .zero)
    }

    public mutating func handleCall(_ request: Call, context: ServerContext<Self>) async throws {
        await probeAll(context: context)
    }

    public mutating func handleInfo(_ message: Info, context: ServerContext<Self>) async throws {
        await probeAll(context: context)
        context.sendAfter(.probe, after: interval)
    }

    private func probeAll(context: ServerContext<Self>) async {
        for provider in chain.providers {
            let state = board.current
            guard let slot = state.slot(of: provider.id, transport: .http) else { continue }
            let link = state.links[slot]
            // An open breaker is left alone until its timer; a half-open one gives us its trial.
            guard let ticket = await CircuitBreaker.admission(from: link.breaker) else { continue }
            probe(provider.id, channel: state.channels[slot], route: link.route, ticket: ticket, breaker: link.breaker,
                  context: context)
        }
    }

    private func probe(_ provider: String, channel: Channel, route: UpstreamRoute?, ticket: CircuitBreakerMachine.Ticket,
                       breaker: ServerRef<CircuitBreaker>?, context: ServerContext<Self>) {
        let pool = names.providerPool(chain: chain.key)
        let clock = context.runtime.clock
        let timeout = min(interval, .seconds(5))
        sender.send(Self.probeBody, over: channel, route: route, timeout: timeout, idempotent: true) { reply in
            let verdict = RequestPipeline.judge(reply)
            breaker?.cast(.finished(verdict.breakerOutcome, ticket))
            let atMs = clock.now().milliseconds
            if verdict == .success, case .response(_, _, let body) = reply, let head = Self.blockNumber(in: body) {
                pool?.cast(.probeSucceeded(provider: provider, head: head, atMs: atMs))
            } else {
                // A well-formed answer without a block number is as useless to the pool as garbage.
                let failure = verdict == .success ? .providerFault(.invalidResponse) : verdict
                pool?.cast(.probeFailed(provider: provider, verdict: failure, atMs: atMs))
            }
        }
    }

    static let probeBody = Array(#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#.utf8)

    /// The block number in an `eth_blockNumber` response (`"0x…"`), if well formed.
    static func blockNumber(in body: [UInt8]) -> UInt64? {
        guard let result = JSONRPCScanner.scanResponse(body)?.result,
              let text = JSONRPCScanner.decodeString(body, token: result),
              text.hasPrefix("0x"), text.count > 2, text.count <= 18 else { return nil }
        return UInt64(text.dropFirst(2), radix: 16)
    }
}
