import Foundation
import Testing
@testable import Lasso
import TestSupport

/// Issue #9 item 4: with `server.host: 127.0.0.1` lassod listened on `*`, so /rpc, /metrics and
/// /api were reachable from the network. It binds exactly the configured address now.
@Suite(.serialized) struct BindAddressEndToEndTests {
    @Test func lassodListensOnTheConfiguredAddressOnly() async throws {
        let harness = try await LassoHarness(providers: [.init(id: "alpha")], settings: "server: {host: 127.0.0.1}")
        #expect(RawSocket(port: harness.app.port) != nil)
        // All of 127/8 reaches the loopback interface: only a wildcard bind would answer here.
        #expect(RawSocket(port: harness.app.port, host: "127.0.0.2") == nil)
        await harness.shutdown()
    }
}
