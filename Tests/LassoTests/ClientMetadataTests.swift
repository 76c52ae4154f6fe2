import Foundation
import Testing
@testable import Lasso

@Suite struct ClientMetadataTests {
    @Test(arguments: [
        ("include_meta=headers", nil, ClientMetadata.Mode.headers),
        ("a=1&include_meta=body", nil, .body),
        ("include_meta=BODY", "headers", .body),
        ("include_meta=bogus", "body", .none),
        (nil, "headers", .headers),
        ("x=include_meta", "Body", .body),
        (nil, nil, .none),
    ] as [(String?, String?, ClientMetadata.Mode)])
    func optInFromQueryThenHeader(query: String?, header: String?, expected: ClientMetadata.Mode) {
        #expect(ClientMetadata.mode(query: query.map { Substring($0) }, header: header.map { Substring($0) }) == expected)
    }

    @Test func metaJSONMatchesGolden() {
        let json = String(decoding: ClientMetadata.json(for: RequestLogLineTests.seedContext()), as: UTF8.self)
        #expect(json == #"{"version":"1.0","request_id":"21027f767548a9b6ddff97c860e7e58c","strategy":"cheapest","#
            + #""chain":"ethereum","transport":"http","selected_provider":{"id":"ethereum_llamarpc","protocol":"http"},"#
            + #""candidate_providers":["ethereum_cloudflare:http","ethereum_llamarpc:http"],"#
            + #""selection_reason":"cost_optimized","retries":1,"circuit_breaker_state":"closed","#
            + #""selection_latency_ms":0.012,"upstream_latency_ms":592,"end_to_end_latency_ms":593.104}"#)
    }

    @Test func headersCarryIDAndDecodableMeta() throws {
        let context = RequestLogLineTests.seedContext()
        let headers = ClientMetadata.headers(for: context, maxMetaHeaderBytes: 4_096)
        #expect(headers.map(\.name) == ["X-Lasso-Request-ID", "X-Lasso-Meta"])
        #expect(headers[0].value == "21027f767548a9b6ddff97c860e7e58c")
        var base64 = headers[1].value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        #expect(!base64.contains("="))
        while base64.count % 4 != 0 { base64 += "=" }
        let decoded = try #require(Data(base64Encoded: base64))
        #expect(Array(decoded) == ClientMetadata.json(for: context))
    }

    @Test func oversizedMetaFallsBackToIDAlone() {
        var context = RequestLogLineTests.seedContext()
        context.candidateProviders = (0..<200).map { Channel(providerID: "provider_with_a_long_name_\($0)", transport: .http) }
        let encodedLength = Base64URL.encodedLength(of: ClientMetadata.json(for: context).count)
        #expect(encodedLength > 4_096)
        let fallback = ClientMetadata.headers(for: context, maxMetaHeaderBytes: 4_096)
        #expect(fallback.map(\.name) == ["X-Lasso-Request-ID"])
        // Exactly at the limit still fits.
        #expect(ClientMetadata.headers(for: context, maxMetaHeaderBytes: encodedLength).count == 2)
        #expect(ClientMetadata.headers(for: context, maxMetaHeaderBytes: encodedLength - 1).count == 1)
    }

    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":1,"result":{"number":"0x1","txs":[]}}"#,
         #"{"jsonrpc":"2.0","id":1,"result":{"number":"0x1","txs":[]},"lasso_meta":{"m":1}}"#),
        (#"{"jsonrpc":"2.0","id":"a","result":"0x8471c9a"}"#,
         #"{"jsonrpc":"2.0","id":"a","result":"0x8471c9a","lasso_meta":{"m":1}}"#),
        (#"{"jsonrpc":"2.0","id":null,"result":null}"#,
         #"{"jsonrpc":"2.0","id":null,"result":null,"lasso_meta":{"m":1}}"#),
        (#"{"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"}}"#,
         #"{"jsonrpc":"2.0","id":7,"error":{"code":3,"message":"execution reverted","data":"0x08c379a0"},"lasso_meta":{"m":1}}"#),
        ("{ \"id\" : 1 , \"result\" : \"}\" }\r\n", "{ \"id\" : 1 , \"result\" : \"}\" ,\"lasso_meta\":{\"m\":1}}\r\n"),
        ("{ }", #"{ "lasso_meta":{"m":1}}"#),
    ])
    func bodyInjectionKeepsTheRestByteForByte(response: String, expected: String) throws {
        let injected = try #require(ClientMetadata.injectBody(Array(response.utf8), meta: Array(#"{"m":1}"#.utf8)))
        #expect(String(decoding: injected, as: UTF8.self) == expected)
        #expect(try JSONSerialization.jsonObject(with: Data(injected)) is [String: Any])
    }

    @Test(arguments: [#"[{"id":1,"result":"0x1"}]"#, "", "   ", "not json", #""string""#])
    func bodyInjectionRefusesNonObjects(response: String) {
        #expect(ClientMetadata.injectBody(Array(response.utf8), meta: Array("{}".utf8)) == nil)
    }
}
