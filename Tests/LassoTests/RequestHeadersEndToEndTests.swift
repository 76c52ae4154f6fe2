import Foundation
import Testing
@testable import Lasso
import TestSupport

/// Every request header lassod reads, sent over a real socket: a unit test that hands the
/// endpoint a header dictionary cannot tell whether the listener captured the header at all.
@Suite(.serialized) struct RequestHeadersEndToEndTests {
    static let providers: [LassoHarness.Provider] = [.init(id: "alpha")]
    static let request = #"{"jsonrpc":"2.0","id":"m","method":"eth_chainId"}"#

    /// `X-Lasso-Meta`'s base64url (no padding) back to its JSON text.
    static func decodeMeta(_ value: String) -> String? {
        var base64 = value.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func theIncludeMetaHeaderAsksForRoutingHeaders() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        let connection = try #require(RawSocket(port: harness.app.port))
        connection.send(httpRequest("POST", "/rpc/ethereum", body: Self.request, headers: [("X-Lasso-Include-Meta", "headers")]))
        let reply = try #require(await connection.readResponse())
        #expect(reply.text == #"{"jsonrpc":"2.0","id":"m","result":"0x1"}"#, "the body is left alone")
        let id = try #require(reply.headers["x-lasso-request-id"], "headers: \(reply.headers)")
        let meta = try #require(reply.headers["x-lasso-meta"].flatMap(Self.decodeMeta))
        #expect(meta.hasPrefix(#"{"version":"1.0","request_id":"\#(id)""#))
        #expect(meta.contains(#""selected_provider":{"id":"alpha","protocol":"http"}"#))
        await harness.shutdown()
    }

    @Test func theIncludeMetaHeaderAsksForTheBodyMember() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        let connection = try #require(RawSocket(port: harness.app.port))
        // Header names are case-insensitive on the wire.
        connection.send(httpRequest("POST", "/rpc/ethereum", body: Self.request, headers: [("x-LASSO-include-META", "body")]))
        let reply = try #require(await connection.readResponse())
        #expect(reply.text.hasPrefix(#"{"jsonrpc":"2.0","id":"m","result":"0x1","lasso_meta":{"version":"1.0""#),
                "\(reply.text)")
        #expect(reply.headers["x-lasso-request-id"] == nil)
        // Without the header, nothing is added.
        connection.send(httpRequest("POST", "/rpc/ethereum", body: Self.request))
        let plain = try #require(await connection.readResponse())
        #expect(plain.text == #"{"jsonrpc":"2.0","id":"m","result":"0x1"}"#)
        await harness.shutdown()
    }
}
