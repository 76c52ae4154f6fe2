import Testing
@testable import Lasso

/// `WriteMethodPolicy` is a rule: every way to send, sign, submit or cancel, in any namespace,
/// is a write, and so is anything in an administrative namespace; reads never are.
@Suite struct WriteMethodPolicyTests {
    /// The five methods issue #9 found forwarded and retried with writes disallowed come first.
    static let writes = [
        "eth_sendRawTransactionConditional", "eth_sendBundle", "eth_sendPrivateTransaction", "eth_sendUserOperation",
        "eth_sendRawTransactionSync",
        "eth_sendRawTransaction", "eth_sendTransaction", "eth_sendPrivateRawTransaction", "mev_sendBundle",
        "eth_sign", "eth_signTransaction", "eth_signTypedData_v4", "eth_submitWork", "eth_submitHashrate",
        "eth_cancelPrivateTransaction", "eth_cancelBundle", "eth_accounts", "debug_setHead",
        "personal_sign", "personal_unlockAccount", "admin_addPeer", "miner_start", "txpool_content",
        "clique_propose", "engine_forkchoiceUpdatedV3", "account_signTransaction", "signer_register",
        // Case does not hide a write: some nodes match names case-insensitively.
        "ETH_SENDRAWTRANSACTION", "eth_SendBundle", "Personal_Sign",
        // A name without a namespace is all verb.
        "sendTransaction",
    ]

    static let reads = [
        "eth_call", "eth_getLogs", "eth_blockNumber", "eth_chainId", "eth_estimateGas", "eth_estimateUserOperationGas",
        "eth_getUserOperationReceipt", "eth_callBundle", "eth_subscribe", "eth_unsubscribe", "eth_getBalance",
        "eth_getTransactionReceipt", "eth_feeHistory", "debug_traceTransaction", "trace_block", "net_version",
        "web3_clientVersion", "eth_newFilter", "eth_supportedEntryPoints", "eth_madeUp", "",
    ]

    @Test(arguments: writes)
    func isAWrite(_ method: String) {
        #expect(WriteMethodPolicy.isWrite(method), "\(method) sends, signs or administers")
    }

    @Test(arguments: reads)
    func isARead(_ method: String) {
        #expect(!WriteMethodPolicy.isWrite(method), "\(method) only reads")
    }
}
