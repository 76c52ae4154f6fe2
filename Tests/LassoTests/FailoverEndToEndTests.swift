import Foundation
import Testing
@testable import Lasso
import LassoSimulation
import TestSupport

/// HTTP→HTTP failover per provider fault class, caller faults returned at once, and lag-based
/// skipping, over loopback against simulated providers. alpha has priority 1, beta 2.
@Suite(.serialized) struct FailoverEndToEndTests {
    static let providers: [LassoHarness.Provider] = [.init(id: "alpha", fields: "priority: 1"),
                                                     .init(id: "beta", fields: "priority: 2")]
    /// Short enough that a hanging provider costs the test 2 s, long enough for a loaded
    /// machine's loopback answer from the next provider.
    static let quickTimeouts = MethodTimeouts(standard: .seconds(2), heavy: .seconds(2))

    /// Each way a provider fails; beta must answer in alpha's place, and the metadata must show
    /// the failed attempt on alpha.
    @Test(arguments: [
        SimulatedProviderBehavior.down,             // connection refused / closed unanswered
        .killed,                                    // connections dropped without a goodbye
        .erroring(.httpServerError),                // HTTP 500
        .erroring(.internalError),                  // HTTP 200, JSON-RPC -32603
        .rateLimited(retryAfterSeconds: 1),         // HTTP 429 + Retry-After, -32005
        .hanging,                                   // no answer: cut by the method's timeout
    ])
    func providerFaultsFailOverToTheNextProvider(_ behavior: SimulatedProviderBehavior) async throws {
        // A hanging alpha is given up after eth_chainId's timeout, here 2 s instead of the
        // production 10 s. beta's server closes a keep-alive connection idle for 5 s, and probes
        // every 100 ms keep it in use, so the failover does not land on a connection being closed
        // under it however long the cut takes on a loaded machine. Those probes time out on a
        // hanging alpha; its breaker does not open on them (the default five would take about a
        // second), so the request meets alpha however late it is sent.
        let hanging = behavior == .hanging
        let harness = try await LassoHarness(providers: Self.providers,
                                             settings: hanging ? "circuit_breaker: {failure_threshold: 1000}" : "",
                                             chainSettings: hanging ? "monitoring: {probe_interval_ms: 100}" : "",
                                             methodTimeouts: hanging ? Self.quickTimeouts : .default)
        // The first health probe must not meet the fault: a rate-limited alpha would be cooling
        // down before the request, which would then go to beta without trying alpha at all.
        try await harness.waitUntilProbed()
        harness.provider("alpha").behavior = behavior
        // A raw connection: it waits out a hanging provider longer (10 s) than lassod does.
        let connection = try #require(RawSocket(port: harness.app.port))
        connection.send(httpRequest("POST", "/rpc/ethereum?include_meta=body", body: #"{"jsonrpc":"2.0","id":"f","method":"eth_chainId"}"#))
        let reply = try #require(await connection.readResponse())
        let answer = reply.text
        #expect(reply.status == 200)
        #expect(answer.hasPrefix(#"{"jsonrpc":"2.0","id":"f","result":"0x1","lasso_meta":{"#), "\(behavior)")
        #expect(answer.contains(#""retries":1"#), "\(behavior): one failed attempt before beta")
        #expect(harness.count("beta") == 1)
        await harness.shutdown()
    }

    @Test func aMethodNoProviderSupportsIsTriedOnEachThenAnsweredMinus32601() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        let answer = try await harness.post("/rpc/ethereum", #"{"jsonrpc":"2.0","id":2,"method":"eth_madeUp","params":[]}"#)
        #expect(answer.hasPrefix(#"{"jsonrpc":"2.0","id":2,"error":{"code":-32601"#))
        #expect(answer.contains("not supported by any provider"))
        #expect(harness.count("alpha", "eth_madeUp") == 1 && harness.count("beta", "eth_madeUp") == 1)
        await harness.shutdown()
    }

    @Test func callerFaultsComeBackAtOnceByteForByte() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        let alphaURL = "http://127.0.0.1:\(harness.servers["alpha"]?.port ?? 0)/"
        let requests = [
            // execution reverted (code 3, with revert data)
            ("eth_call", #"{"jsonrpc":"2.0","id":9,"method":"eth_call","params":[{"to":"\#(SimulatedChain.revertingAddress)","data":"0x"},"latest"]}"#),
            // invalid params (-32602)
            ("eth_getBalance", #"{"jsonrpc":"2.0","id":"p","method":"eth_getBalance","params":["not-an-address","latest"]}"#),
        ]
        for (method, request) in requests {
            let direct = String(decoding: try await harness.client.post(alphaURL, body: Array(request.utf8)).body, as: UTF8.self)
            #expect(direct.contains(#""error":"#))
            harness.provider("alpha").resetRequestCounts()
            #expect(try await harness.post("/rpc/ethereum", request) == direct)
            #expect(harness.count("alpha", method) == 1)
            #expect(harness.count("beta", method) == 0, "a caller fault is not retried elsewhere")
        }
        await harness.shutdown()
    }

    @Test func aProviderLaggingBeyondTheThresholdIsSkipped() async throws {
        let harness = try await LassoHarness(providers: Self.providers,
                                             chainSettings: "monitoring: {probe_interval_ms: 100, lag_threshold_blocks: 3}")
        harness.provider("alpha").behavior = .lagging(blocks: 10)
        let lagging = try await waitFor {
            try await harness.status().providers.first { $0.id == "alpha" }?.availability == .lagging
        }
        #expect(lagging, "the probes saw alpha 10 blocks behind")
        for _ in 0..<4 { #expect(try await harness.chainID() == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#) }
        #expect(harness.count("alpha") == 0, "the priority-1 provider lags, so it is skipped")
        #expect(harness.count("beta") == 4)
        await harness.shutdown()
    }
}
