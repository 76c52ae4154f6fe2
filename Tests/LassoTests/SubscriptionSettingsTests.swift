import Testing
@testable import Lasso

@Suite("SubscriptionSettings")
struct SubscriptionSettingsTests {
    private static func parse(_ subscriptions: String, failover: String = "") throws -> LassoConfig {
        try LassoConfig.parse(yaml: """
            subscriptions: {\(subscriptions)}
            chains:
              ethereum:
                chain_id: 1
                block_time_ms: 2000
                providers: [{id: a, url: "https://a.example"}]
                \(failover.isEmpty ? "" : "failover: {\(failover)}")
            """, environment: [:])
    }

    @Test("max_per_connection defaults to 128 and takes 1 to 4096")
    func maxPerConnection() throws {
        #expect(try Self.parse("").subscriptions.maxPerConnection == 128)
        #expect(try Self.parse("max_per_connection: 1").subscriptions.maxPerConnection == 1)
        #expect(try Self.parse("max_per_connection: 4096").subscriptions.maxPerConnection == 4_096)
        for bad in ["0", "4097", "-3", "many"] {
            let error = try #require(throws: ConfigError.self) { try Self.parse("max_per_connection: \(bad)") }
            #expect(error.issues.map(\.description).first?.hasPrefix("subscriptions.max_per_connection: ") == true,
                    "\(bad): \(error.issues)")
        }
    }

    @Test("the global settings apply where the chain's failover: says nothing")
    func globalSettings() throws {
        let config = try Self.parse("max_backfill_blocks: 7, backfill_timeout_ms: 900, enable_gap_filling: false, max_per_connection: 9")
        let settings = SubscriptionSettings(global: config.subscriptions, chain: config.chains[0])
        #expect(settings.maxBackfillBlocks == 7 && settings.backfillTimeout == .milliseconds(900))
        #expect(settings.continuity == .passThrough && settings.failsOver)
        #expect(settings.maxPerConnection == 9 && settings.subscriptionTimeout == .seconds(10)
                && settings.blockTime == .seconds(2))
    }

    @Test("a chain's failover: overrides the backfill settings for that chain only")
    func chainOverrides() throws {
        let config = try Self.parse("max_backfill_blocks: 7", failover: "max_backfill_blocks: 0, backfill_timeout: 50, enabled: false")
        let settings = SubscriptionSettings(global: config.subscriptions, chain: config.chains[0])
        #expect(settings.maxBackfillBlocks == 0 && settings.backfillTimeout == .milliseconds(50) && !settings.failsOver)
        #expect(settings.continuity == .gapFilling)
        let defaults = SubscriptionSettings(global: SubscriptionsConfig(), chain: ChainConfig(key: "x", chainId: 5, providers: []))
        #expect(defaults.maxBackfillBlocks == 32 && defaults.backfillTimeout == .seconds(30) && defaults.failsOver)
    }
}
