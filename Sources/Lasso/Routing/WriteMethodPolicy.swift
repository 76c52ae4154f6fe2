/// Which methods change chain, mempool, relay or node state, or reveal or use the node's keys.
/// They are refused unless a chain sets `allow_write_methods: true`, and then sent to one
/// provider once and never retried elsewhere: a transaction broadcast twice can be mined twice,
/// or leak to providers the user did not choose.
///
/// A rule, not a closed list, because new ways to send appear every year (bundles, private
/// transactions, user operations, conditional and synchronous sends) and a list that misses
/// one forwards and retries it. The method name is split at its first `_` into a namespace
/// and a verb (a name without `_` is all verb), compared without regard to ASCII case (some
/// nodes match names case-insensitively), and it is a write when:
///
/// 1. the namespace is one that only administers or signs: `personal`, `admin`, `miner`,
///    `txpool`, `clique`, `engine`, `account`, `signer`; or
/// 2. the verb starts with `send`, `sign`, `submit` or `cancel` in any namespace
///    (`eth_sendRawTransactionConditional`, `eth_sendBundle`, `mev_sendBundle`,
///    `eth_sendUserOperation`, `eth_signTypedData_v4`, `eth_submitWork`,
///    `eth_cancelPrivateTransaction`), or with `set`, `start` or `stop` (node control such as
///    `debug_setHead`); or
/// 3. it is `eth_accounts`, which reveals the node's own accounts.
///
/// Reads never match: `eth_call`, `eth_getLogs`, `eth_estimateUserOperationGas`,
/// `eth_callBundle` (a simulation), `eth_subscribe`. A false positive only refuses a read on a
/// chain that disallows writes; a false negative can broadcast a transaction twice, so the rule
/// errs towards writes.
public enum WriteMethodPolicy {
    /// Namespaces whose every method administers the node or uses its keys.
    static let writeNamespaces: Set<String> = [
        "personal", "admin", "miner", "txpool", "clique", "engine", "account", "signer",
    ]
    /// Verb prefixes that send, sign, submit or cancel something, or control the node.
    static let writeVerbPrefixes = ["send", "sign", "submit", "cancel", "set", "start", "stop"]
    /// Writes the rule above does not catch by shape.
    static let exact: Set<String> = ["eth_accounts"]

    /// Whether `method` is a write under the rule above.
    public static func isWrite(_ method: String) -> Bool {
        let lowered = method.lowercased()
        if exact.contains(lowered) { return true }
        let verb: Substring
        if let separator = lowered.firstIndex(of: "_") {
            if writeNamespaces.contains(String(lowered[..<separator])) { return true }
            verb = lowered[lowered.index(after: separator)...]
        } else {
            verb = lowered[...]
        }
        return writeVerbPrefixes.contains { verb.hasPrefix($0) }
    }
}
