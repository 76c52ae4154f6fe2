import Foundation

/// Removes provider secrets from text lassod did not write itself — upstream error messages,
/// transport error descriptions — before it reaches a log line.
///
/// Provider URLs carry API keys in their path, query or user info, and an upstream (or a
/// connection error) may echo them back. Two rules, applied in order:
/// 1. Every `scheme://…` URL in the text is cut to `scheme://host[:port]`, dropping user info,
///    path, query and fragment — the same view `URLRedaction` gives.
/// 2. Every secret taken from the configured URLs (path segments, query names and values, user
///    info, fragments; at least `minimumSecretLength` characters, so `eth` or `v2` survive) is
///    replaced by `[redacted]` wherever it appears, URL or not.
///
/// ```swift
/// let scrubber = SecretScrubber(providerURLs: ["https://eth.example.com/v2/SECRETKEY"])
/// let line = scrubber.scrub("invalid key SECRETKEY for https://eth.example.com/v2/SECRETKEY?x=1")
/// // "invalid key [redacted] for https://eth.example.com"
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
/// It runs on text that may quote an upstream — error messages, and the string fields of
/// `Logger` events — never on a successful request's line; text without `://` and without
/// secrets passes unchanged.
public struct SecretScrubber: Sendable, Equatable {
    /// What a removed secret is replaced with.
    public static let replacement = "[redacted]"
    /// Shorter URL components are not treated as secrets; they are route words (`eth`, `v2`,
    /// `ws`), and real keys are far longer.
    public static let minimumSecretLength = 6

    /// The secrets, longest first so a key containing another is removed whole.
    public let secrets: [String]

    /// A scrubber for exactly these secrets (plus the URL rule).
    public init(secrets: [String] = []) {
        self.secrets = Array(Set(secrets.filter { $0.count >= Self.minimumSecretLength }))
            .sorted { ($0.count, $0) > ($1.count, $1) }
    }

    /// A scrubber for the secrets in these URLs.
    public init(providerURLs: [String]) {
        self.init(secrets: providerURLs.flatMap(Self.secretComponents(of:)))
    }

    /// A scrubber for every provider URL (`url` and `ws_url`) in `config`, and its admin token.
    public init(config: LassoConfig) {
        let urls = config.chains.flatMap { chain in
            chain.providers.flatMap { [$0.url] + ($0.wsURL.map { [$0] } ?? []) }
        }
        self.init(secrets: urls.flatMap(Self.secretComponents(of:)) + (config.server.adminToken.map { [$0] } ?? []))
    }

    /// `text` with URLs cut to their origin and secrets replaced.
    public func scrub(_ text: String) -> String {
        var result = text.contains("://") ? Self.truncateURLs(in: text) : text
        for secret in secrets where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.replacement)
        }
        return result
    }

    /// The parts of `url` that may hold a key.
    static func secretComponents(of url: String) -> [String] {
        guard let components = URLComponents(string: url) else {
            // Unparsable: treat the whole string as secret rather than guess which part is.
            return [url]
        }
        var parts: [String] = []
        parts += components.percentEncodedPath.split(separator: "/").map(String.init)
        if components.percentEncodedPath.count > 1 { parts.append(components.percentEncodedPath) }
        for item in components.percentEncodedQueryItems ?? [] {
            parts.append(item.name)
            if let value = item.value { parts.append(value) }
        }
        if let query = components.percentEncodedQuery { parts.append(query) }
        parts += [components.percentEncodedUser, components.percentEncodedPassword, components.percentEncodedFragment]
            .compactMap { $0 }
        // Also the decoded spellings, in case an upstream echoes a key decoded.
        parts += parts.compactMap { $0.removingPercentEncoding }
        return parts
    }

    /// Rule 1: each `scheme://authority/rest` becomes `scheme://host[:port]`.
    static func truncateURLs(in text: String) -> String {
        let bytes = Array(text.utf8)
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            guard index + 2 < bytes.count, bytes[index] == UInt8(ascii: ":"),
                  bytes[index + 1] == UInt8(ascii: "/"), bytes[index + 2] == UInt8(ascii: "/")
            else {
                output.append(bytes[index])
                index += 1
                continue
            }
            output.append(contentsOf: "://".utf8)
            index += 3
            let start = index
            while index < bytes.count, !isURLEnd(bytes[index]) { index += 1 }
            // Sentence punctuation right after a URL ("… at https://h/k: 401") stays in the text.
            while index > start, isTrailingPunctuation(bytes[index - 1]) { index -= 1 }
            let url = bytes[start..<index]
            let authorityEnd = url.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
                ?? url.endIndex
            let authority = url[url.startIndex..<authorityEnd]
            let hostStart = authority.lastIndex(of: UInt8(ascii: "@")).map { $0 + 1 } ?? authority.startIndex
            output.append(contentsOf: authority[hostStart...])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func isTrailingPunctuation(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "!")
    }

    private static func isURLEnd(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x20, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"),
             UInt8(ascii: "`"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ","):
            true
        default:
            false
        }
    }
}
