/// The refusal an `eth_subscribe` or `eth_unsubscribe` sent over HTTP gets: -32601, naming the
/// WebSocket URL of the same route, where subscriptions are served.
///
/// It is answered at the edge and never sent upstream: providers answer these methods -32601
/// over HTTP, and the pipeline would record that on the chain's board as "method unsupported"
/// for each provider tried — after which subscription placement finds no provider, so one
/// HTTP request would disable the chain's WebSocket subscriptions until a restart.
///
/// ```
/// POST /rpc/fastest/ethereum  Host: rpc.example.com:4000   {"method":"eth_subscribe",…}
/// → -32601 eth_subscribe is only available over WebSocket: connect to ws://rpc.example.com:4000/ws/rpc/fastest/ethereum
/// ```
enum SubscriptionOverHTTP {
    /// Bytes of the `Host` header echoed back, at most (a DNS name is at most 253).
    static let maxHostBytes = 255

    /// The error message for `method` sent over HTTP to `target`, with the client's `Host`.
    static func message(method: String, host: String?, target: RPCTarget) -> String {
        "\(method) is only available over WebSocket: connect to ws://\(echoedHost(host) ?? "<this host>")"
            + webSocketPath(target)
    }

    /// The client WebSocket path of `target`'s route, built from the resolved target (the
    /// chain's configured name, a strategy's URL spelling, a configured provider id), never
    /// from the client's own bytes.
    static func webSocketPath(_ target: RPCTarget) -> String {
        if let provider = target.pinnedProvider { return "/ws/rpc/provider/\(provider)/\(target.chain.key)" }
        if let strategy = target.strategy { return "/ws/rpc/\(strategy.pathSegment)/\(target.chain.key)" }
        return "/ws/rpc/\(target.chain.key)"
    }

    /// The `Host` header as it may be echoed: only the bytes a host name, an IPv4 or bracketed
    /// IPv6 address and a port are made of (`A-Z a-z 0-9 . : - [ ]`), the rest dropped, cut to
    /// `maxHostBytes`; nil when nothing is left. It is client input going back into a reply.
    static func echoedHost(_ host: String?) -> String? {
        guard let host else { return nil }
        let kept = host.utf8.lazy.filter(isHostByte).prefix(maxHostBytes)
        guard !kept.isEmpty else { return nil }
        return String(decoding: Array(kept), as: UTF8.self)
    }

    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"),
             UInt8(ascii: "["), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }
}
