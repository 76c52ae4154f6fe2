import Testing
@testable import Lasso

@Suite struct ConfigDiffTests {
    private func config(_ chains: String, breaker: String = "") throws -> LassoConfig {
        try LassoConfig.parse(yaml: breaker + "chains:\n" + chains, environment: [:])
    }

    private let ethereum = """
          ethereum:
            chain_id: 1
            providers: [{id: a, url: "http://127.0.0.1:1"}]

        """
    private let base = """
          base:
            chain_id: 8453
            providers: [{id: b, url: "http://127.0.0.1:2"}]

        """

    @Test func addedRemovedChangedAndUnchangedChains() throws {
        let old = try config(ethereum + base)
        let polygon = """
              polygon:
                chain_id: 137
                providers: [{id: p, url: "http://127.0.0.1:3"}]

            """
        let changedBase = base.replacingOccurrences(of: "127.0.0.1:2", with: "127.0.0.1:9")
        let diff = ConfigDiff(from: old, to: try config(changedBase + polygon))
        #expect(diff.added == ["polygon"])
        #expect(diff.removed == ["ethereum"])
        #expect(diff.changed == ["base"])
        #expect(diff.unchanged.isEmpty)
        #expect(ConfigDiff(from: old, to: old).isEmpty)
        #expect(ConfigDiff(from: old, to: old).unchanged == ["ethereum", "base"])
    }

    @Test func aNewBreakerPolicyRestartsEveryChain() throws {
        let old = try config(ethereum + base)
        let new = try config(ethereum + base, breaker: "circuit_breaker: {failure_threshold: 9}\n")
        #expect(ConfigDiff(from: old, to: new).changed == ["ethereum", "base"])
    }
}
