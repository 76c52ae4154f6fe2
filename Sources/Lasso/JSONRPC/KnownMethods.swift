/// The JSON-RPC methods lassod knows by name: the Ethereum execution API, the `debug_`,
/// `trace_` and `txpool_` namespaces of geth, erigon, nethermind and reth, ERC-4337 bundlers,
/// Flashbots-style bundles and private transactions, and the common L2 extensions.
///
/// Why a closed list: method names come from clients, and what lassod keeps per method must
/// not grow with whatever a client invents. Where state is kept per method name — metric
/// series (`RequestCounters`) and the methods a provider is known not to support
/// (`ChainStateBoard`) — a known method always gets its own entry, because a client cannot add
/// to this list; any other name shares one bounded place (the metrics label `unknown`, a small
/// oldest-first set of unsupported methods), so junk names crowd out only other junk.
/// Routing is not affected: an unknown method is forwarded like any other.
public enum KnownMethods {
    /// The label under which metrics count every method not in `names`.
    public static let unknownLabel = "unknown"

    /// Whether `method` is on the list (exact, case-sensitive, as nodes match names).
    public static func contains(_ method: String) -> Bool {
        names.contains(method)
    }

    /// `method` itself when known, else `unknownLabel`: the method label of a metric series.
    public static func metricLabel(_ method: String) -> String {
        contains(method) ? method : unknownLabel
    }

    /// Every known method.
    public static let names: Set<String> = [
        // web3, net
        "web3_clientVersion", "web3_sha3", "net_version", "net_listening", "net_peerCount",
        // eth: state, blocks, transactions, filters, fees
        "eth_protocolVersion", "eth_syncing", "eth_coinbase", "eth_chainId", "eth_mining", "eth_hashrate",
        "eth_gasPrice", "eth_accounts", "eth_blockNumber", "eth_getBalance", "eth_getStorageAt",
        "eth_getTransactionCount", "eth_getBlockTransactionCountByHash", "eth_getBlockTransactionCountByNumber",
        "eth_getUncleCountByBlockHash", "eth_getUncleCountByBlockNumber", "eth_getCode", "eth_call", "eth_callMany",
        "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "eth_getBlockByHash", "eth_getBlockByNumber",
        "eth_getBlockReceipts", "eth_getHeaderByHash", "eth_getHeaderByNumber", "eth_getTransactionByHash",
        "eth_getRawTransactionByHash", "eth_getTransactionByBlockHashAndIndex",
        "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionBySenderAndNonce",
        "eth_getTransactionReceipt", "eth_getUncleByBlockHashAndIndex", "eth_getUncleByBlockNumberAndIndex",
        "eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter", "eth_uninstallFilter",
        "eth_getFilterChanges", "eth_getFilterLogs", "eth_getLogs", "eth_getProof", "eth_getAccount",
        "eth_feeHistory", "eth_maxPriorityFeePerGas", "eth_blobBaseFee", "eth_pendingTransactions",
        "eth_fillTransaction", "eth_subscribe", "eth_unsubscribe", "eth_getWork", "eth_submitWork",
        "eth_submitHashrate",
        // eth: sending and signing
        "eth_sign", "eth_signTransaction", "eth_signTypedData", "eth_signTypedData_v3", "eth_signTypedData_v4",
        "eth_sendTransaction", "eth_sendRawTransaction", "eth_sendRawTransactionConditional",
        "eth_sendRawTransactionSync", "eth_resend",
        // bundles and private transactions (Flashbots and compatible relays)
        "eth_sendBundle", "eth_callBundle", "eth_cancelBundle", "eth_sendPrivateTransaction",
        "eth_sendPrivateRawTransaction", "eth_cancelPrivateTransaction", "mev_sendBundle", "mev_simBundle",
        // ERC-4337 bundlers
        "eth_sendUserOperation", "eth_estimateUserOperationGas", "eth_getUserOperationByHash",
        "eth_getUserOperationReceipt", "eth_supportedEntryPoints",
        // debug
        "debug_traceTransaction", "debug_traceCall", "debug_traceCallMany", "debug_traceBlock",
        "debug_traceBlockByHash", "debug_traceBlockByNumber", "debug_getRawBlock", "debug_getRawHeader",
        "debug_getRawReceipts", "debug_getRawTransaction", "debug_getBadBlocks", "debug_storageRangeAt",
        "debug_accountRange",
        // trace
        "trace_block", "trace_call", "trace_callMany", "trace_filter", "trace_get", "trace_rawTransaction",
        "trace_replayBlockTransactions", "trace_replayTransaction", "trace_transaction",
        // txpool, personal
        "txpool_content", "txpool_contentFrom", "txpool_inspect", "txpool_status",
        "personal_sign", "personal_ecRecover", "personal_listAccounts", "personal_sendTransaction",
        "personal_unlockAccount",
        // L2s
        "optimism_outputAtBlock", "optimism_syncStatus", "optimism_rollupConfig", "optimism_version",
        "arbtrace_block", "arbtrace_call", "arbtrace_callMany", "arbtrace_filter", "arbtrace_replayTransaction",
        "arbtrace_transaction", "zks_L1ChainId", "zks_estimateFee", "zks_getBlockDetails", "zks_getBridgeContracts",
        "zks_getL2ToL1LogProof", "zks_getMainContract", "zks_getTransactionDetails",
        "bor_getAuthor", "bor_getCurrentValidators", "bor_getRootHash", "bor_getSignersAtHash", "bor_getSnapshot",
    ]
}
