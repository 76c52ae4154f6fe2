import CLassoShim
import CLibWebSockets

/// Reads request heads out of libwebsockets' header table. Loop thread only, and only while
/// the wsi still has its header table attached (during `LWS_CALLBACK_HTTP`, `ESTABLISHED`,
/// `ESTABLISHED_CLIENT_HTTP`).
enum LWSHeaderReader {
    /// Every header token lws parses, with its lower-case name without the colon. Method and
    /// URI tokens (`GET `, `:path`) are left out: they are not headers.
    static let headerTokens: [(token: lws_token_indexes, name: String)] = {
        var tokens: [(lws_token_indexes, String)] = []
        for raw in 0..<WSI_TOKEN_COUNT.rawValue {
            let token = lws_token_indexes(rawValue: raw)
            guard let cName = lws_token_to_string(token) else { continue }
            let name = String(cString: cName)
            guard name.hasSuffix(":"), !name.hasPrefix(":") else { continue }
            tokens.append((token, String(name.dropLast()).lowercased()))
        }
        return tokens
    }()

    /// The methods lws records as URI tokens.
    private static let methodTokens: [(lws_token_indexes, HTTPMethod)] = [
        (WSI_TOKEN_GET_URI, .get), (WSI_TOKEN_POST_URI, .post), (WSI_TOKEN_PUT_URI, .put),
        (WSI_TOKEN_PATCH_URI, .patch), (WSI_TOKEN_DELETE_URI, .delete), (WSI_TOKEN_OPTIONS_URI, .options),
        (WSI_TOKEN_HEAD_URI, .head),
    ]

    /// The request method, or nil for one lws parsed but this server does not route.
    static func method(_ wsi: OpaquePointer) -> HTTPMethod? {
        for (token, method) in methodTokens where lws_hdr_total_length(wsi, token) > 0 { return method }
        return nil
    }

    /// The value of one header token, or nil when absent.
    static func value(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        let length = Int(lws_hdr_total_length(wsi, token))
        guard length > 0 else { return nil }
        return String(unsafeUninitializedCapacity: length + 1) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let copied = lws_hdr_copy(wsi, chars.baseAddress, Int32(length + 1), token)
                return copied > 0 ? min(Int(copied), length) : 0
            }
        }
    }

    /// The query string: lws stores each `name=value` argument as a separate fragment, already
    /// percent-decoded; they are joined back with `&`.
    static func query(_ wsi: OpaquePointer) -> String {
        let total = Int(lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS))
        guard total > 0 else { return "" }
        var parts: [String] = []
        var buffer = [CChar](repeating: 0, count: total + 1)
        var index: Int32 = 0
        while true {
            let copied = lws_hdr_copy_fragment(wsi, &buffer, Int32(buffer.count), WSI_TOKEN_HTTP_URI_ARGS, index)
            guard copied >= 0 else { break }
            parts.append(String(decoding: buffer[0..<Int(copied)].map { UInt8(bitPattern: $0) }, as: UTF8.self))
            index += 1
        }
        return parts.joined(separator: "&")
    }

    /// The value of a header lws has no token for, looked up by lower-case name.
    static func customValue(_ wsi: OpaquePointer, _ name: String) -> String? {
        let key = name + ":"
        let length = Int(lws_hdr_custom_length(wsi, key, Int32(key.utf8.count)))
        guard length > 0 else { return nil }
        return String(unsafeUninitializedCapacity: length + 1) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                let copied = lws_hdr_custom_copy(wsi, chars.baseAddress, Int32(length + 1), key, Int32(key.utf8.count))
                return copied > 0 ? min(Int(copied), length) : 0
            }
        }
    }

    /// Which headers to read, resolved once per server: names lws has a token for are read by
    /// token, the rest as custom headers.
    struct Plan {
        let tokens: [(token: lws_token_indexes, name: String)]
        let custom: [String]

        init(_ capture: HTTPServer.HeaderCapture) {
            switch capture {
            case .all(let extra):
                tokens = LWSHeaderReader.headerTokens
                custom = extra.map { $0.lowercased() }
            case .only(let names):
                var tokens: [(lws_token_indexes, String)] = []
                var custom: [String] = []
                for name in names.map({ $0.lowercased() }) {
                    if let known = LWSHeaderReader.headerTokens.first(where: { $0.name == name }) {
                        tokens.append(known)
                    } else {
                        custom.append(name)
                    }
                }
                self.tokens = tokens
                self.custom = custom
            }
        }
    }

    /// The headers `plan` asks for that are present on the request.
    static func headers(_ wsi: OpaquePointer, plan: Plan) -> [String: String] {
        var headers: [String: String] = [:]
        for (token, name) in plan.tokens {
            if let value = value(wsi, token) { headers[name] = value }
        }
        for name in plan.custom {
            if let value = customValue(wsi, name) { headers[name] = value }
        }
        return headers
    }
}
