import Foundation
import Testing
@testable import Lasso
import LassoTransport
import TestSupport

/// `server.cors`: the policy, its config, and both over a real socket.
@Suite struct CORSPolicyTests {
    static func request(_ method: HTTPMethod = .post, origin: String?) -> HTTPRequest {
        HTTPRequest(method: method, path: "/rpc/ethereum", headers: origin.map { ["origin": $0] } ?? [:])
    }

    static func headers(_ response: HTTPResponse) -> [String: String] {
        Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
    }

    @Test func anyOriginByDefault() {
        let cors = CORSPolicy(CORSConfig())
        let preflight = cors.preflight(Self.request(.options, origin: "https://dapp.example"), methods: [.post, .options])
        #expect(preflight.status == 204 && preflight.body.isEmpty)
        #expect(Self.headers(preflight) == [
            "allow": "POST, OPTIONS", "access-control-allow-origin": "*",
            "access-control-allow-methods": "POST, OPTIONS",
            "access-control-allow-headers": "content-type, x-lasso-include-meta", "access-control-max-age": "600",
        ], "no Vary: the answer is the same for every origin")
        let real = cors.decorate(.json("{}"), for: Self.request(origin: "https://dapp.example"))
        #expect(Self.headers(real) == ["access-control-allow-origin": "*",
                                       "access-control-expose-headers": "x-lasso-request-id, x-lasso-meta"])
    }

    @Test func aListOfOriginsEchoesTheOneThatMatchesAndVaries() {
        let cors = CORSPolicy(CORSConfig(allowedOrigins: ["https://app.example.org", "http://localhost:5173"],
                                         allowedHeaders: ["content-type"], maxAge: .seconds(60)))
        let allowed = cors.preflight(Self.request(.options, origin: "HTTPS://App.Example.org"), methods: [.get, .options])
        #expect(Self.headers(allowed)["access-control-allow-origin"] == "HTTPS://App.Example.org")
        #expect(Self.headers(allowed)["access-control-max-age"] == "60")
        #expect(Self.headers(allowed)["vary"] == "Origin")
        let refused = cors.preflight(Self.request(.options, origin: "https://evil.example"), methods: [.get, .options])
        #expect(refused.status == 204)
        #expect(Self.headers(refused) == ["allow": "GET, OPTIONS", "vary": "Origin"], "no permission, and it varies")
        #expect(Self.headers(cors.decorate(.json("{}"), for: Self.request(origin: "http://localhost:5173")))
            == ["access-control-allow-origin": "http://localhost:5173",
                "access-control-expose-headers": "x-lasso-request-id, x-lasso-meta", "vary": "Origin"])
        #expect(Self.headers(cors.decorate(.json("{}"), for: Self.request(origin: nil))) == ["vary": "Origin"])
    }

    @Test func noOriginsMeansNoCORSHeaders() {
        let cors = CORSPolicy(CORSConfig(allowedOrigins: []))
        #expect(cors.decorate(.json("{}"), for: Self.request(origin: "https://dapp.example")).headers.isEmpty)
        #expect(Self.headers(cors.preflight(Self.request(.options, origin: "https://dapp.example"), methods: [.post]))
            == ["allow": "POST"])
    }
}

@Suite struct CORSConfigTests {
    static let chains = """
        chains:
          ethereum: {chain_id: 1, providers: [{id: a, url: "https://a.example"}]}
        """

    @Test func defaultsAndAFullSection() throws {
        #expect(try LassoConfig.parse(yaml: Self.chains, environment: [:]).server.cors == CORSConfig())
        let config = try LassoConfig.parse(yaml: """
            server:
              cors:
                allowed_origins: ["https://App.example.org", "http://localhost:5173", "http://[::1]:8080"]
                allowed_headers: [Content-Type, X-Lasso-Include-Meta, x-api-key]
                max_age_seconds: 7_200
            """ + "\n" + Self.chains, environment: [:])
        #expect(config.server.cors == CORSConfig(
            allowedOrigins: ["https://app.example.org", "http://localhost:5173", "http://[::1]:8080"],
            allowedHeaders: ["content-type", "x-lasso-include-meta", "x-api-key"], maxAge: .seconds(7_200)))
        let off = try LassoConfig.parse(yaml: "server: {cors: {allowed_origins: []}}\n" + Self.chains, environment: [:])
        #expect(off.server.cors.allowedOrigins.isEmpty)
    }

    @Test func everyProblemIsReportedWithItsKeyPathAndLine() throws {
        let error = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: """
                server:
                  cors:
                    allowed_origins: ["https://app.example.org/", "ftp://files.example", "*.example.org", "http://h:0"]
                    allowed_headers: ["content type", ""]
                    max_age_seconds: 100000
                    allow_credentials: true
                """ + "\n" + Self.chains, environment: [:])
        }
        let origin = "not an origin (expected * or http(s)://host[:port], without a path)"
        #expect(error.issues.map(\.description) == [
            "server.cors.allowed_origins[0]: \(origin), found 'https://app.example.org/' (line 3)",
            "server.cors.allowed_origins[1]: \(origin), found 'ftp://files.example' (line 3)",
            "server.cors.allowed_origins[2]: \(origin), found '*.example.org' (line 3)",
            "server.cors.allowed_origins[3]: \(origin), found 'http://h:0' (line 3)",
            "server.cors.allowed_headers[0]: not a header name, found 'content type' (line 4)",
            "server.cors.allowed_headers[1]: not a header name, found '' (line 4)",
            "server.cors.max_age_seconds: must be between 0 and 86400, found '100000' (line 5)",
            "server.cors.allow_credentials: unknown key (line 6)",
        ])
        let mixed = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "server:\n  cors:\n    allowed_origins: ['*', 'https://a.example']\n"
                                  + Self.chains, environment: [:])
        }
        #expect(mixed.issues.map(\.description) == ["server.cors.allowed_origins: * allows every origin: list it alone (line 3)"])
        let single = try #require(throws: ConfigError.self) {
            try LassoConfig.parse(yaml: "server: {cors: {allowed_origins: '*'}}\n" + Self.chains, environment: [:])
        }
        #expect(single.issues.map(\.description) == ["server.cors.allowed_origins: expected a list, found a scalar (line 1)"])
    }
}

/// Preflights and real responses over a real socket, through the listener's header capture.
@Suite(.serialized) struct CORSEndToEndTests {
    static let providers: [LassoHarness.Provider] = [.init(id: "alpha")]

    @Test func aBrowserPreflightAndItsRequestAreAnsweredOnEveryReadOnlyRoute() async throws {
        let harness = try await LassoHarness(providers: Self.providers)
        let connection = try #require(RawSocket(port: harness.app.port))
        let origin = ("Origin", "https://dapp.example")
        connection.send(httpRequest("OPTIONS", "/rpc/ethereum", headers: [origin, ("Access-Control-Request-Method", "POST"),
                                                                           ("Access-Control-Request-Headers", "content-type")]))
        let preflight = try #require(await connection.readResponse())
        #expect(preflight.status == 204)
        #expect(preflight.headers["access-control-allow-origin"] == "*")
        #expect(preflight.headers["access-control-allow-methods"] == "POST, OPTIONS")
        #expect(preflight.headers["access-control-allow-headers"] == "content-type, x-lasso-include-meta")
        #expect(preflight.headers["access-control-max-age"] == "600")

        connection.send(httpRequest("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#,
                                    headers: [origin, ("X-Lasso-Include-Meta", "headers")]))
        let reply = try #require(await connection.readResponse())
        #expect(reply.text == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        #expect(reply.headers["access-control-allow-origin"] == "*")
        #expect(reply.headers["access-control-expose-headers"] == "x-lasso-request-id, x-lasso-meta")
        #expect(reply.headers["x-lasso-request-id"] != nil)

        for path in ["/api/health", "/api/chains", "/metrics"] {
            connection.send(httpRequest("OPTIONS", path, headers: [origin, ("Access-Control-Request-Method", "GET")]))
            let answer = try #require(await connection.readResponse())
            #expect(answer.status == 204 && answer.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS", "\(path)")
            connection.send(httpRequest("GET", path, headers: [origin]))
            let got = try #require(await connection.readResponse())
            #expect(got.status == 200 && got.headers["access-control-allow-origin"] == "*", "\(path)")
        }
        await harness.shutdown()
    }

    /// A browser must be able to read lassod's own errors too (a body over the limit, an
    /// unknown route), or it shows a CORS failure instead of the status.
    @Test func theServersOwnErrorsCarryCORSAndAJSONRPCBody() async throws {
        let harness = try await LassoHarness(providers: Self.providers, settings: "server: {max_body_bytes: 100}")
        let connection = try #require(RawSocket(port: harness.app.port))
        connection.send(httpRequest("POST", "/rpc/ethereum", body: String(repeating: " ", count: 200), headers: [("Origin", "https://dapp.example")]))
        let tooLarge = try #require(await connection.readResponse())
        #expect(tooLarge.status == 413)
        #expect(tooLarge.headers["access-control-allow-origin"] == "*")
        #expect(tooLarge.text == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"request body too large"}}"#)
        // The server closes after a 413; closing ours too spares the drain at shutdown a wait
        // for this half-open connection.
        connection.shutdownWrite()
        let other = try #require(RawSocket(port: harness.app.port))
        other.send(httpRequest("GET", "/nowhere", headers: [("Origin", "https://dapp.example")]))
        let missing = try #require(await other.readResponse())
        #expect(missing.status == 404 && missing.headers["access-control-allow-origin"] == "*")
        #expect(missing.text == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32601,"message":"not found"}}"#)
        await harness.shutdown()
    }

    @Test func onlyListedOriginsAreAllowed() async throws {
        let harness = try await LassoHarness(providers: Self.providers,
                                             settings: #"server: {cors: {allowed_origins: ["https://app.example.org"]}}"#)
        let connection = try #require(RawSocket(port: harness.app.port))
        connection.send(httpRequest("OPTIONS", "/rpc/ethereum", headers: [("Origin", "https://app.example.org"),
                                                                           ("Access-Control-Request-Method", "POST")]))
        let allowed = try #require(await connection.readResponse())
        #expect(allowed.headers["access-control-allow-origin"] == "https://app.example.org")
        #expect(allowed.headers["vary"] == "Origin")
        connection.send(httpRequest("POST", "/rpc/ethereum", body: #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}"#,
                                    headers: [("Origin", "https://evil.example")]))
        let refused = try #require(await connection.readResponse())
        #expect(refused.headers["access-control-allow-origin"] == nil && refused.headers["vary"] == "Origin")
        await harness.shutdown()
    }
}
