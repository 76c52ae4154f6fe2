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
    static let writeNamespaces: [[UInt8]] = ["personal", "admin", "miner", "txpool", "clique", "engine", "account", "signer"]
        .map { Array($0.utf8) }
    /// Verb prefixes that send, sign, submit or cancel something, or control the node.
    static let writeVerbPrefixes: [[UInt8]] = ["send", "sign", "submit", "cancel", "set", "start", "stop"].map { Array($0.utf8) }
    /// Whole names that are writes although neither rule catches them.
    static let exact: [[UInt8]] = [Array("eth_accounts".utf8)]

    /// Whether `method` is a write, by the rules above. Runs for every request: it compares
    /// bytes, without lower-casing the name into a new string.
    public static func isWrite(_ method: String) -> Bool {
        var name = method
        return name.withUTF8 { bytes in
            if exact.contains(where: { equalsIgnoringCase(bytes, $0) }) { return true }
            var verb = UnsafeBufferPointer(rebasing: bytes[...])
            if let separator = bytes.firstIndex(of: UInt8(ascii: "_")) {
                let namespace = UnsafeBufferPointer(rebasing: bytes[..<separator])
                if writeNamespaces.contains(where: { equalsIgnoringCase(namespace, $0) }) { return true }
                verb = UnsafeBufferPointer(rebasing: bytes[(separator + 1)...])
            }
            return writeVerbPrefixes.contains { prefix in
                verb.count >= prefix.count && equalsIgnoringCase(UnsafeBufferPointer(rebasing: verb[..<(verb.startIndex + prefix.count)]), prefix)
            }
        }
    }

    /// `bytes` equals `lowercase` (ASCII) regardless of the case of `bytes`.
    private static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for index in 0..<bytes.count {
            let byte = bytes[bytes.startIndex + index]
            let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            if folded != lowercase[index] { return false }
        }
        return true
    }
}
