import Dispatch
import Synchronization
import Testing
@testable import Lasso

@Suite struct CurrentConfigTests {
    static func config(chainId: Int, providerIDs: [String]) -> LassoConfig {
        LassoConfig(chains: [
            ChainConfig(key: "ethereum", chainId: chainId,
                        providers: providerIDs.map { ProviderConfig(id: $0, url: "https://\($0).example") }),
        ])
    }

    @Test func looksUpChainsByKeyAndIdAndProvidersById() {
        let store = CurrentConfig(Self.config(chainId: 1, providerIDs: ["a", "b"]))
        #expect(store.chain(named: "ethereum")?.chainId == 1)
        #expect(store.chain(named: "1")?.key == "ethereum")
        #expect(store.chain(named: "2") == nil)
        #expect(store.chain(named: "base") == nil)
        #expect(store.provider(chain: "1", id: "b")?.url == "https://b.example")
        #expect(store.provider(chain: "ethereum", id: "c") == nil)
    }

    @Test func replaceSwapsForLaterReadsAndKeepsOldSnapshotsIntact() {
        let store = CurrentConfig(Self.config(chainId: 1, providerIDs: ["a"]))
        let before = store.snapshot
        let previous = store.replace(with: Self.config(chainId: 5, providerIDs: ["z"]))
        #expect(previous === before)
        #expect(store.chain(named: "5")?.providers.map(\.id) == ["z"])
        #expect(store.chain(named: "1") == nil)
        #expect(before.chain(named: "1")?.providers.map(\.id) == ["a"])
    }

    /// Readers racing with reloads must always see one whole config: the chain id and the
    /// provider list of a snapshot always belong together.
    @Test func concurrentReadersNeverSeeAMixedConfig() {
        let store = CurrentConfig(Self.config(chainId: 1, providerIDs: ["p1"]))
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<2_000 {
                if worker == 0 {
                    let id = round % 7 + 1
                    store.replace(with: Self.config(chainId: id, providerIDs: ["p\(id)"]))
                } else if let chain = store.snapshot.chain(named: "ethereum"), chain.providers.map(\.id) != ["p\(chain.chainId)"] {
                    mismatches.withLock { $0 += 1 }
                }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }
}
