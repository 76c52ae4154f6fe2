import Supervision
import Lasso

/// A set of simulated providers for several chains: what `lassod demo` runs in-process and what
/// end-to-end tests point lassod at.
///
/// For each chain of a config it makes one `SimulatedChain` (chain id and block time from the
/// config) and `providersPerChain` `SimulatedProvider`s sharing it, named
/// `<chain>_sim_<n>`. The serving layer routes a request to `provider(id:)` — for example from
/// the path `/sim/<provider id>` on one local listener — and `chainConfigs(httpURL:wsURL:)` gives
/// lassod the same chains with those local URLs in place of the real providers.
///
/// ```swift
/// let network = SimulatedNetwork(chains: config.chains, start: clock.now())
/// let demo = network.chainConfigs(httpURL: { "http://127.0.0.1:4100/sim/\($0)" },
///                                 wsURL: { "ws://127.0.0.1:4100/sim/\($0)" })
/// network.provider(id: "ethereum_sim_2")?.behavior = .lagging(blocks: 4)
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedNetwork: Sendable {
    /// The chains as configured (their real providers included), in config order.
    public let sourceChains: [ChainConfig]
    /// The simulated chain of each chain key.
    public let chains: [String: SimulatedChain]
    /// Every provider, chain by chain, in order.
    public let providers: [SimulatedProvider]
    private let providersByID: [String: SimulatedProvider]
    private let providersByChain: [String: [SimulatedProvider]]

    /// Builds `providersPerChain` (at least 1) healthy providers per chain. Every chain's head is
    /// `headAtStart` at `start`, so block numbers look like a live network's rather than a
    /// fresh devnet's.
    public init(chains: [ChainConfig], providersPerChain: Int = 3, start: RuntimeInstant = .zero,
                headAtStart: UInt64 = 1_000_000) {
        var simulated: [String: SimulatedChain] = [:]
        var providers: [SimulatedProvider] = []
        var byChain: [String: [SimulatedProvider]] = [:]
        for config in chains where byChain[config.key] == nil {
            // The simulated chain keeps its own timeline in whole milliseconds.
            let chain = SimulatedChain(chainID: UInt64(clamping: config.chainId),
                                       blockIntervalMs: UInt64(clamping: config.blockTime.wholeMilliseconds),
                                       start: start, headAtStart: headAtStart)
            simulated[config.key] = chain
            let chainProviders = (1...max(1, providersPerChain)).map { index in
                SimulatedProvider(id: Self.providerID(chain: config.key, index: index), chain: chain)
            }
            byChain[config.key] = chainProviders
            providers += chainProviders
        }
        self.sourceChains = chains
        self.chains = simulated
        self.providers = providers
        self.providersByChain = byChain
        self.providersByID = Dictionary(providers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The id of the `index`-th (from 1) simulated provider of chain `key`.
    public static func providerID(chain key: String, index: Int) -> String {
        "\(key)_sim_\(index)"
    }

    /// The provider with this id, if any.
    public func provider(id: String) -> SimulatedProvider? {
        providersByID[id]
    }

    /// The providers of chain `key`, in order.
    public func providers(ofChain key: String) -> [SimulatedProvider] {
        providersByChain[key] ?? []
    }

    /// The configured chains with their providers replaced by this network's, reachable at
    /// `httpURL(id)` and, when `wsURL(id)` is not nil, over WebSocket there. Provider `n` gets
    /// priority `n`; every other chain setting is kept.
    public func chainConfigs(httpURL: (_ providerID: String) -> String,
                             wsURL: (_ providerID: String) -> String?) -> [ChainConfig] {
        sourceChains.map { source in
            var chain = source
            chain.providers = providers(ofChain: source.key).enumerated().map { offset, provider in
                ProviderConfig(id: provider.id, name: "Simulated \(source.name) #\(offset + 1)", priority: offset + 1,
                               tier: .public, url: httpURL(provider.id), wsURL: wsURL(provider.id))
            }
            return chain
        }
    }
}
