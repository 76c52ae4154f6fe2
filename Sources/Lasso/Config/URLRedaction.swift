import Foundation

/// The one way lassod displays an upstream URL: `scheme://host[:port]`, never path, query or
/// user info, because providers put API keys there.
///
/// ```swift
/// let host = URLRedaction.redact("https://eth-mainnet.g.alchemy.com/v2/SECRET")   // "https://eth-mainnet.g.alchemy.com"
/// let address = URLRedaction.redact("http://user:pw@10.0.0.5:8545/?key=SECRET")    // "http://10.0.0.5:8545"
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum URLRedaction {
    /// The text shown for a string that does not parse as a URL with a host; the input itself is
    /// never echoed, since it may be a key pasted in the wrong place.
    public static let unparsable = "<unparsable url>"

    /// `scheme://host[:port]` of `url`, or `unparsable`.
    public static func redact(_ url: String) -> String {
        guard let origin = origin(of: url) else { return unparsable }
        let host = origin.host.contains(":") ? "[\(origin.host)]" : origin.host
        return origin.port.map { "\(origin.scheme)://\(host):\($0)" } ?? "\(origin.scheme)://\(host)"
    }

    /// The lowercased scheme, the host and the explicit port of `url`, when it has a scheme and
    /// a non-empty host; used by validation as well, so what is checked is what is displayed.
    static func origin(of url: String) -> (scheme: String, host: String, port: Int?)? {
        guard let components = URLComponents(string: url),
              let scheme = components.scheme?.lowercased(), !scheme.isEmpty,
              var host = components.host, !host.isEmpty
        else { return nil }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (scheme, host, components.port)
    }
}
