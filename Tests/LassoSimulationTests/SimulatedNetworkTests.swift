import Supervision
import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedNetworkTests {
    let configured = [
        ChainConfig(key: "ethereum", chainId: 1, name: "Ethereum Mainnet", blockTime: .seconds(12),
                    providers: [ProviderConfig(id: "ethereum_ankr", url: "https://rpc.ankr.com/eth/SECRET")],
                    allowWriteMethods: true),
        ChainConfig(key: "base", chainId: 8453, blockTime: .seconds(2),
                    providers: [ProviderConfig(id: "base_public", url: "https://mainnet.base.org")]),
    ]

    @Test func threeProvidersPerChainShareTheChain() throws {
        let network = SimulatedNetwork(chains: configured, start: RuntimeInstant(milliseconds: 500))
        #expect(network.providers.map(\.id) == ["ethereum_sim_1", "ethereum_sim_2", "ethereum_sim_3",
                                                "base_sim_1", "base_sim_2", "base_sim_3"])
        let base = try #require(network.chains["base"])
        #expect(base.chainID == 8453)
        #expect(base.blockIntervalMs == 2_000)
        #expect(base.head(at: RuntimeInstant(milliseconds: 4_500)) == 1_000_002)
        #expect(network.providers(ofChain: "base").allSatisfy { $0.chain == base })
        #expect(network.providers(ofChain: "polygon").isEmpty)
        #expect(network.provider(id: "ethereum_sim_2")?.chain.chainID == 1)
        #expect(network.provider(id: "ethereum_ankr") == nil)
    }

    @Test func providersSwitchIndependently() throws {
        let network = SimulatedNetwork(chains: configured)
        try #require(network.provider(id: "base_sim_2")).behavior = .down
        #expect(network.provider(id: "base_sim_1")?.behavior == .healthy)
        #expect(network.provider(id: "base_sim_2")?.behavior == .down)
    }

    @Test func chainConfigsPointAtTheSimulatedProviders() {
        let network = SimulatedNetwork(chains: configured, providersPerChain: 2)
        let chains = network.chainConfigs(httpURL: { "http://127.0.0.1:4100/sim/\($0)" },
                                          wsURL: { $0.hasPrefix("base") ? "ws://127.0.0.1:4100/sim/\($0)" : nil })
        #expect(chains.map(\.key) == ["ethereum", "base"])
        #expect(chains[0].allowWriteMethods)
        #expect(chains[0].name == "Ethereum Mainnet")
        #expect(chains[0].providers.map(\.id) == ["ethereum_sim_1", "ethereum_sim_2"])
        #expect(chains[0].providers.map(\.priority) == [1, 2])
        #expect(chains[0].providers[1].url == "http://127.0.0.1:4100/sim/ethereum_sim_2")
        #expect(chains[0].providers[1].wsURL == nil)
        #expect(chains[1].providers[0].wsURL == "ws://127.0.0.1:4100/sim/base_sim_1")
        #expect(!chains.flatMap(\.providers).contains { $0.url.contains("SECRET") })
    }
}
