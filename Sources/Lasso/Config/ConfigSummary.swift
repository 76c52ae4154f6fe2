/// The text `lassod check-config` prints for a valid config: chains, their ids and providers
/// with the transports each offers. Upstreams appear only as `URLRedaction.redact` shows them.
///
/// ```
/// config/chains.yml: 1 chain, 2 providers
/// server 127.0.0.1:4000, admin socket lassod.sock, default strategy fastest
///
/// ethereum (chain_id 1, "Ethereum Mainnet", block time 12000 ms, write methods blocked)
///   ethereum_ankr        public  priority 1  http+ws  https://rpc.ankr.com
///   ethereum_llamarpc    public  priority 2  http     https://eth.llamarpc.com
/// ```
public struct ConfigSummary: Sendable, CustomStringConvertible {
    /// The summarised config.
    public var config: LassoConfig
    /// Where it was read from, shown in the first line.
    public var source: String

    /// Creates a summary of `config`, read from `source`.
    public init(config: LassoConfig, source: String) {
        self.config = config
        self.source = source
    }

    /// The summary text, one line per chain and per provider.
    public var description: String {
        let providerCount = config.chains.reduce(0) { $0 + $1.providers.count }
        var lines = [
            "\(source): \(Self.count(config.chains.count, "chain")), \(Self.count(providerCount, "provider"))",
            "server \(config.server.host):\(config.server.port), admin socket \(config.server.adminSocket), "
                + "default strategy \(config.selection.defaultStrategy.rawValue)",
        ]
        let idWidth = config.chains.flatMap(\.providers).map(\.id.count).max() ?? 0
        for chain in config.chains {
            let writes = chain.allowWriteMethods ? "allowed" : "blocked"
            lines.append("")
            lines.append("\(chain.key) (chain_id \(chain.chainId), \"\(chain.name)\", "
                         + "block time \(chain.blockTime.wholeMilliseconds) ms, write methods \(writes))")
            for provider in chain.providers {
                let transports = provider.transports.map(\.rawValue).joined(separator: "+")
                lines.append("  " + [Self.pad(provider.id, idWidth), Self.pad(provider.tier.rawValue, 6),
                                     "priority \(provider.priority)", Self.pad(transports, 7),
                                     URLRedaction.redact(provider.url)].joined(separator: "  "))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
