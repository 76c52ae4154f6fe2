import Testing
@testable import Lasso

@Suite struct ConfigSummaryTests {
    @Test func listsChainsProvidersAndTransportsWithoutSecrets() throws {
        let config = try LassoConfig.parse(yaml: """
            chains:
              ethereum:
                chain_id: 1
                name: "Ethereum Mainnet"
                providers:
                  - {id: ethereum_alchemy, type: paid, url: "https://eth.example:8443/v2/${KEY}", ws_url: "wss://eth.example/ws/${KEY}"}
                  - {id: ethereum_llama, url: "https://llama.example/?key=SECRET2"}
              base:
                chain_id: 8453
                allow_write_methods: true
                providers: [{id: base_official, url: "https://mainnet.base.org"}]
            """, environment: ["KEY": "SECRET1"])
        let text = ConfigSummary(config: config, source: "chains.yml").description
        #expect(text == """
            chains.yml: 2 chains, 3 providers
            server 127.0.0.1:4000, admin socket lassod.sock, default strategy fastest

            ethereum (chain_id 1, "Ethereum Mainnet", block time 12000 ms, write methods blocked)
              ethereum_alchemy  paid    priority 1  http+ws  https://eth.example:8443
              ethereum_llama    public  priority 2  http     https://llama.example

            base (chain_id 8453, "base", block time 12000 ms, write methods allowed)
              base_official     public  priority 1  http     https://mainnet.base.org
            """)
        #expect(!text.contains("SECRET"))
    }
}
