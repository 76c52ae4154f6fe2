/// Which methods change chain or account state. They are refused unless a chain sets
/// `allow_write_methods: true`, and then sent once and never retried on another provider: a
/// transaction broadcast twice can be mined twice, or leak to providers the user did not choose.
public enum WriteMethodPolicy {
    private static let exact: Set<String> = [
        "eth_sendRawTransaction", "eth_sendTransaction", "eth_accounts", "eth_submitWork", "eth_submitHashrate",
    ]
    private static let prefixes = ["eth_sign", "txpool_", "personal_", "admin_", "miner_"]

    public static func isWrite(_ method: String) -> Bool {
        exact.contains(method) || prefixes.contains { method.hasPrefix($0) }
    }
}
