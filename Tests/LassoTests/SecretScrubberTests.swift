import Foundation
import Testing
@testable import Lasso

@Suite struct SecretScrubberTests {
    static let plantedURL = "https://host.example.com/v2/SECRETKEY?apikey=SECRET2"

    static func config() -> LassoConfig {
        var config = LassoConfig(chains: [])
        config.chains = [ChainConfig(key: "ethereum", chainId: 1, providers: [
            ProviderConfig(id: "ethereum_keyed", url: plantedURL, wsURL: "wss://host.example.com/ws/SECRETKEY"),
        ])]
        return config
    }

    @Test func cutsURLsToOriginAndRemovesBareSecrets() {
        let scrubber = SecretScrubber(config: Self.config())
        let message = "invalid api key SECRETKEY (param SECRET2) calling \(Self.plantedURL): 401"
        let scrubbed = scrubber.scrub(message)
        #expect(scrubbed == "invalid api key [redacted] (param [redacted]) calling https://host.example.com: 401")
    }

    @Test func urlRuleWorksWithoutConfiguredSecrets() {
        let scrubbed = SecretScrubber().scrub(#"connect to "wss://user:pw@node.example.org:8546/ws/KEY123?x=1" failed"#)
        #expect(scrubbed == #"connect to "wss://node.example.org:8546" failed"#)
    }

    @Test func shortRouteWordsAreNotSecrets() {
        let scrubber = SecretScrubber(providerURLs: ["https://rpc.ankr.com/eth"])
        #expect(scrubber.secrets.isEmpty)
        #expect(scrubber.scrub("eth node is syncing") == "eth node is syncing")
    }

    /// The planted key must not appear in anything this layer renders: the log line (with the
    /// key echoed in an upstream error), the structured logger, client metadata and metrics.
    @Test func nothingRenderedContainsThePlantedSecret() {
        let config = Self.config()
        let scrubber = SecretScrubber(config: config)
        let channel = Channel(providerID: "ethereum_keyed", transport: .http)
        var context = RequestContext(requestID: RequestID(high: 9, low: 9), chain: "ethereum", method: "eth_call",
                                     transport: .http, strategy: .priority, startedAtNanos: 0)
        context.recordSelection(candidates: [channel], startedAtNanos: 0, finishedAtNanos: 1)
        context.recordAttempt(on: channel, breakerPhase: .open, startedAtNanos: 1)
        context.recordUpstreamResponse(atNanos: 2)
        context.recordError(.init(code: -32000, message: "bad key SECRETKEY at \(Self.plantedURL)", category: "provider.unauthorized"),
                            atNanos: 3)

        var rendered: [String] = []
        rendered.append(String(decoding: RequestLogLine.render(context, config: config.observability, scrubber: scrubber,
                                                               unixMillis: 0), as: UTF8.self))
        let sink = CapturingLogSink()
        let logger = Logger(minimumLevel: .debug, sink: sink, scrubber: scrubber, wallClockMillis: { 0 })
        logger.log(.error, "upstream.connect_failed", ["provider": "ethereum_keyed", "reason": .string("GET \(Self.plantedURL) refused")])
        rendered += sink.lines
        let metaJSON = ClientMetadata.json(for: context)
        rendered.append(String(decoding: metaJSON, as: UTF8.self))
        rendered += ClientMetadata.headers(for: context, maxMetaHeaderBytes: 4_096).map { "\($0.name): \($0.value)" }
        if let body = ClientMetadata.injectBody(Array(#"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#.utf8), meta: metaJSON) {
            rendered.append(String(decoding: body, as: UTF8.self))
        }
        let counters = RequestCounters()
        counters.record(context)
        let (requests, errors) = counters.snapshot()
        rendered.append(PrometheusExposition.render(PrometheusSnapshot(
            requests: requests, errors: errors,
            breakers: [.init(chain: "ethereum", provider: "ethereum_keyed", transport: .http, phase: .open)],
            providers: [.init(chain: "ethereum", provider: "ethereum_keyed", available: false, lagBlocks: 3)])))

        #expect(rendered.count == 7)
        for text in rendered {
            #expect(!text.contains("SECRET"), "\(text)")
            #expect(!text.contains("/v2/"), "\(text)")
        }
        // Decoded X-Lasso-Meta as well, not just its base64 form.
        #expect(!String(decoding: metaJSON, as: UTF8.self).contains("host.example.com"))
    }
}
