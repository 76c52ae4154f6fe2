import Lasso

/// The read-only Ethereum methods of a simulated provider, answered from a `SimulatedChain` as
/// seen by a provider whose head is `head` (behind the chain's when lagging).
///
/// Each method returns its `result` as JSON bytes or throws the `SimulatedRPCError` a geth node
/// would return for the same input; nothing here can trap on client input.
struct SimulatedEthMethods {
    /// The chain served.
    let chain: SimulatedChain
    /// Caps on `eth_getLogs`.
    let limits: SimulatedRPCHandler.Limits
    /// This provider's head.
    let head: UInt64

    /// The methods answered here (see `SimulatedRPCHandler.supportedMethods`).
    static let methods: Set<String> = [
        "eth_chainId", "net_version", "net_listening", "web3_clientVersion", "eth_syncing",
        "eth_blockNumber", "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getLogs",
        "eth_getBalance", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_call", "eth_estimateGas",
        "eth_getTransactionCount", "eth_getCode", "eth_getTransactionByHash", "eth_getTransactionReceipt",
        "eth_feeHistory",
    ]

    /// geth's cap on `eth_feeHistory`'s block count.
    static let maxFeeHistoryBlocks: UInt64 = 1_024
    /// geth's cap on `eth_feeHistory`'s reward percentiles.
    static let maxRewardPercentiles = 100

    /// The runtime code reported for every contract: a minimal "revert unless called with data"
    /// stub, enough for clients that only check that code exists.
    static let contractCode = "0x6080604052348015600f57600080fd5b50600436106025576000355b600080fd"

    /// Runs `method`; `params` is the decoded `params` array.
    func call(_ method: String, _ params: [SimulatedJSONValue]) throws(SimulatedRPCError) -> [UInt8] {
        var writer = JSONWriter()
        switch method {
        case "eth_chainId": writer.quantityValue(chain.chainID)
        case "net_version": writer.stringValue(String(chain.chainID))
        case "net_listening": writer.boolValue(true)
        case "web3_clientVersion": writer.stringValue("lassod-simulated/v\(LassoVersion.string)")
        case "eth_syncing": writer.boolValue(false)
        case "eth_blockNumber": writer.quantityValue(head)
        case "eth_gasPrice": writer.quantityValue(chain.baseFee(ofBlock: head) + SimulatedChain.gwei)
        case "eth_maxPriorityFeePerGas": writer.quantityValue(SimulatedChain.gwei)
        case "eth_feeHistory": try feeHistory(params, &writer)
        case "eth_getBlockByNumber": try getBlockByNumber(params, &writer)
        case "eth_getBlockByHash": try getBlockByHash(params, &writer)
        case "eth_getLogs": try getLogs(params, &writer)
        case "eth_getBalance": try getBalance(params, &writer)
        case "eth_call": try ethCall(params, &writer)
        case "eth_estimateGas": try estimateGas(params, &writer)
        case "eth_getTransactionCount": writer.quantityValue(chain.transactionCount(of: try stateQuery(params)))
        case "eth_getCode": writer.stringValue(SimulatedChain.isContract(try stateQuery(params)) ? Self.contractCode : "0x")
        case "eth_getTransactionByHash": try getTransaction(params, &writer, receipt: false)
        case "eth_getTransactionReceipt": try getTransaction(params, &writer, receipt: true)
        default: throw .methodNotFound(method)
        }
        return writer.finish()
    }

    // MARK: - Blocks

    private func getBlockByNumber(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        let tag = try blockTag(params, at: 0, required: true)
        let full = try fullTransactionsFlag(params)
        let number = tag.resolve(head: head)
        guard number <= head else { return writer.nullValue() }
        chain.block(number).write(to: &writer, fullTransactions: full)
    }

    private func getBlockByHash(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        guard let first = params.first else { throw .missingArgument(0) }
        guard let hash = first.stringValue, SimulatedHex.isData(hash, byteCount: 32) else {
            throw .invalidArgument(0, "hex string of 32 bytes expected")
        }
        let full = try fullTransactionsFlag(params)
        guard let number = chain.blockNumber(forHash: hash), number <= head else { return writer.nullValue() }
        chain.block(number).write(to: &writer, fullTransactions: full)
    }

    private func fullTransactionsFlag(_ params: [SimulatedJSONValue]) throws(SimulatedRPCError) -> Bool {
        guard params.count > 1 else { return false }
        guard case .bool(let full) = params[1] else {
            throw .invalidArgument(1, "cannot unmarshal \(params[1].typeName) into Go value of type bool")
        }
        return full
    }

    /// The block parameter at `index`: `latest` when absent and not required.
    private func blockTag(_ params: [SimulatedJSONValue], at index: Int, required: Bool) throws(SimulatedRPCError) -> SimulatedBlockTag {
        guard index < params.count else {
            if required { throw .missingArgument(index) }
            return .latest
        }
        guard let tag = SimulatedBlockTag(params[index]) else {
            throw .invalidArgument(index, "hex string or block tag expected")
        }
        return tag
    }

    /// The block a state query (`eth_getBalance`, `eth_call`) reads; `header not found` beyond
    /// the head, as a node answers for a block it has not seen. Takes EIP-1898's
    /// `{"blockHash": …}` and `{"blockNumber": …}` forms too, as viem sends them.
    private func stateBlock(_ params: [SimulatedJSONValue], at index: Int) throws(SimulatedRPCError) -> UInt64 {
        if index < params.count, case .object(let selector) = params[index] {
            if let hashValue = selector["blockHash"] {
                guard let hash = hashValue.stringValue, SimulatedHex.isData(hash, byteCount: 32) else {
                    throw .invalidArgument(index, "blockHash must be a hex string of 32 bytes")
                }
                guard let number = chain.blockNumber(forHash: hash), number <= head else { throw .headerNotFound }
                return number
            }
            guard let numberValue = selector["blockNumber"], let tag = SimulatedBlockTag(numberValue) else {
                throw .invalidArgument(index, "blockNumber or blockHash expected")
            }
            let number = tag.resolve(head: head)
            guard number <= head else { throw .headerNotFound }
            return number
        }
        let number = try blockTag(params, at: index, required: false).resolve(head: head)
        guard number <= head else { throw .headerNotFound }
        return number
    }

    // MARK: - Logs

    private func getLogs(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        guard let first = params.first else { throw .missingArgument(0) }
        guard case .object(let object) = first else { throw .invalidArgument(0, "filter object expected") }
        let filter = try SimulatedLogFilter.parse(object, argumentIndex: 0)
        let blocks = try logBlockRange(object)
        writer.beginArray()
        guard let blocks else { return writer.endArray() }
        // Refuse an oversized answer before building it when the count is cheap to know.
        if filter.checksOnlyEmitterAndEvent,
           blocks.reduce(0, { $0 + chain.admittedLogCount(inBlock: $1, filter: filter) }) > limits.maxLogResults {
            throw Self.tooManyResults(limits.maxLogResults)
        }
        var count = 0
        for number in blocks {
            for log in chain.logs(inBlock: number, matching: filter) {
                count += 1
                guard count <= limits.maxLogResults else { throw Self.tooManyResults(limits.maxLogResults) }
                log.write(to: &writer)
            }
        }
        writer.endArray()
    }

    /// Infura's wording, which clients and lassod's classification recognise.
    private static func tooManyResults(_ cap: Int) -> SimulatedRPCError {
        SimulatedRPCError(code: -32005, message: "query returned more than \(cap) results")
    }

    /// The blocks an `eth_getLogs` filter covers, clamped to the head; nil when none exist yet.
    private func logBlockRange(_ object: [String: SimulatedJSONValue]) throws(SimulatedRPCError) -> ClosedRange<UInt64>? {
        if let hashValue = object["blockHash"], hashValue != .null {
            guard object["fromBlock"] == nil, object["toBlock"] == nil else {
                throw .invalidArgument(0, "cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
            }
            guard let hash = hashValue.stringValue, SimulatedHex.isData(hash, byteCount: 32) else {
                throw .invalidArgument(0, "blockHash must be a hex string of 32 bytes")
            }
            guard let number = chain.blockNumber(forHash: hash), number <= head else {
                throw SimulatedRPCError(code: JSONRPCErrorBody.serverError, message: "unknown block")
            }
            return number...number
        }
        func bound(_ name: String) throws(SimulatedRPCError) -> SimulatedBlockTag {
            guard let value = object[name], value != .null else { return .latest }
            guard let tag = SimulatedBlockTag(value) else { throw .invalidArgument(0, "\(name): hex string or block tag expected") }
            return tag
        }
        let fromTag = try bound("fromBlock"), toTag = try bound("toBlock")
        let from = fromTag.resolve(head: head), to = toTag.resolve(head: head)
        // Like geth, only two explicit numbers in the wrong order are an error; a range that a
        // tag makes empty (a lagging node asked from a block it has not reached) is just empty.
        if case .number = fromTag, case .number = toTag, from > to {
            throw .invalidArgument(0, "fromBlock \(SimulatedHex.quantity(from)) is after toBlock \(SimulatedHex.quantity(to))")
        }
        guard from <= to, from <= head else { return nil }
        let last = min(to, head)
        guard last - from < limits.maxLogBlockRange else {
            let requested = last - from == .max ? last - from : last - from + 1
            throw SimulatedRPCError(code: -32005, message: "block range too large: \(requested) blocks requested, at most \(limits.maxLogBlockRange) allowed")
        }
        return from...last
    }

    // MARK: - State

    /// The address of an `[address, block]` state query, once the block is known to exist.
    private func stateQuery(_ params: [SimulatedJSONValue]) throws(SimulatedRPCError) -> String {
        guard let first = params.first else { throw .missingArgument(0) }
        guard let address = first.stringValue, SimulatedHex.isData(address, byteCount: 20) else {
            throw .invalidArgument(0, "hex string of 20 bytes expected")
        }
        _ = try stateBlock(params, at: 1)
        return address
    }

    private func getBalance(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        writer.stringValue(chain.balance(of: try stateQuery(params)))
    }

    /// The `to` (lower-case, nil for a deployment) and call data of an `eth_call` or
    /// `eth_estimateGas` call object; throws the standard revert for `revertingAddress`, which
    /// is what both methods answer for a reverting call.
    private func callTarget(_ params: [SimulatedJSONValue]) throws(SimulatedRPCError) -> (to: String?, data: String) {
        guard let first = params.first else { throw .missingArgument(0) }
        guard case .object(let call) = first else { throw .invalidArgument(0, "call object expected") }
        var to: String?
        if let value = call["to"], value != .null {
            guard let address = value.stringValue, SimulatedHex.isData(address, byteCount: 20) else {
                throw .invalidArgument(0, "to: hex string of 20 bytes expected")
            }
            to = address.lowercased()
        }
        var data = ""
        for name in ["input", "data"] {
            guard let value = call[name], value != .null else { continue }
            guard let text = value.stringValue, SimulatedHex.isData(text) else {
                throw .invalidArgument(0, "\(name): hex string expected")
            }
            data = text.lowercased()
            break
        }
        if to == SimulatedChain.revertingAddress {
            throw SimulatedRPCError(code: 3, message: "execution reverted: \(SimulatedChain.revertReason)",
                                    data: Self.revertData(SimulatedChain.revertReason))
        }
        return (to, data)
    }

    private func ethCall(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        let block = try stateBlock(params, at: 1)
        let (to, data) = try callTarget(params)
        guard let to else { return writer.stringValue("0x") }
        let seed = DeterministicMixer.mix(chain.chainID, DeterministicMixer.Domain.callResult.rawValue, block)
        let word = DeterministicMixer.mix(text: to + data, seed: seed)
        writer.stringValue(SimulatedHex.data([0, 0, 0, word]))
    }

    /// 21 000 for a plain transfer, a token transfer's gas for a call with data.
    private func estimateGas(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        _ = try stateBlock(params, at: 1)
        let (_, data) = try callTarget(params)
        writer.quantityValue(data.count > 2 ? SimulatedChain.gasPerTransaction : 21_000)
    }

    /// Base fees of the newest `blockCount` blocks up to the requested one (plus the next
    /// block's), a constant gas-used ratio, and a 1 gwei tip at every requested percentile.
    private func feeHistory(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter) throws(SimulatedRPCError) {
        guard let first = params.first else { throw .missingArgument(0) }
        // web3.py sends the count as a JSON number, viem and ethers as a hex quantity.
        let requested: UInt64?
        switch first {
        case .number(let text): requested = UInt64(text)
        case .string(let text): requested = SimulatedHex.parseQuantity(text)
        default: requested = nil
        }
        guard let requested else { throw .invalidArgument(0, "block count must be a hex quantity or an integer") }
        let newest = try blockTag(params, at: 1, required: true).resolve(head: head)
        guard newest <= head else { throw .headerNotFound }
        var percentiles = 0
        if params.count > 2, params[2] != .null {
            guard case .array(let values) = params[2], values.count <= Self.maxRewardPercentiles,
                  values.allSatisfy({ if case .number = $0 { true } else { false } })
            else {
                throw .invalidArgument(2, "reward percentiles must be a list of at most \(Self.maxRewardPercentiles) numbers")
            }
            percentiles = values.count
        }
        writer.beginObject()
        guard requested > 0 else {
            // geth's answer to a zero count: nothing, from block 0.
            writer.quantity("oldestBlock", 0)
            writer.beginArray("baseFeePerGas")
            writer.endArray()
            writer.beginArray("gasUsedRatio")
            writer.endArray()
            return writer.endObject()
        }
        let count = min(requested, Self.maxFeeHistoryBlocks, newest == .max ? .max : newest + 1)
        let oldest = newest - (count - 1)
        writer.quantity("oldestBlock", oldest)
        writer.beginArray("baseFeePerGas")
        for number in oldest...newest { writer.quantityValue(chain.baseFee(ofBlock: number)) }
        writer.quantityValue(chain.baseFee(ofBlock: newest &+ 1))
        writer.endArray()
        writer.beginArray("gasUsedRatio")
        for number in oldest...newest {
            let used = SimulatedChain.gasPerTransaction * UInt64(chain.transactionCount(inBlock: number))
            writer.doubleValue(Double(used) / Double(SimulatedChain.gasLimit))
        }
        writer.endArray()
        if percentiles > 0 {
            writer.beginArray("reward")
            for _ in 0..<count {
                writer.beginArray()
                for _ in 0..<percentiles { writer.quantityValue(SimulatedChain.gwei) }
                writer.endArray()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    // MARK: - Transactions

    /// `eth_getTransactionByHash` or `eth_getTransactionReceipt`: null for unknown hashes and for
    /// transactions in blocks beyond this provider's head.
    private func getTransaction(_ params: [SimulatedJSONValue], _ writer: inout JSONWriter,
                                receipt: Bool) throws(SimulatedRPCError) {
        guard let first = params.first else { throw .missingArgument(0) }
        guard let hash = first.stringValue, SimulatedHex.isData(hash, byteCount: 32) else {
            throw .invalidArgument(0, "hex string of 32 bytes expected")
        }
        guard let location = chain.transactionLocation(forHash: hash), location.block <= head else { return writer.nullValue() }
        let transaction = chain.transaction(block: location.block, index: location.index)
        guard receipt else { return transaction.write(to: &writer) }
        let log = chain.logs(inBlock: location.block)[location.index]
        writer.beginObject()
        writer.string("transactionHash", transaction.hash)
        writer.quantity("transactionIndex", transaction.index)
        writer.string("blockHash", transaction.blockHash)
        writer.quantity("blockNumber", transaction.blockNumber)
        writer.string("from", transaction.from)
        writer.string("to", transaction.to)
        writer.quantity("cumulativeGasUsed", SimulatedChain.gasPerTransaction * (transaction.index + 1))
        writer.quantity("gasUsed", SimulatedChain.gasPerTransaction)
        writer.quantity("effectiveGasPrice", transaction.gasPrice)
        writer.null("contractAddress")
        writer.beginArray("logs")
        log.write(to: &writer)
        writer.endArray()
        writer.string("logsBloom", SimulatedBlock.zeroBloom)
        writer.quantity("status", 1)
        writer.quantity("type", 0)
        writer.endObject()
    }

    /// ABI encoding of Solidity's `Error(string)`: selector, offset, length, padded UTF-8.
    static func revertData(_ reason: String) -> String {
        let bytes = Array(reason.utf8)
        let hexDigits = Array("0123456789abcdef".utf8)
        var text = "0x08c379a0" + SimulatedHex.data([0, 0, 0, 0x20]).dropFirst(2)
            + SimulatedHex.data([0, 0, 0, UInt64(bytes.count)]).dropFirst(2)
        var encoded: [UInt8] = []
        for byte in bytes {
            encoded.append(hexDigits[Int(byte >> 4)])
            encoded.append(hexDigits[Int(byte & 0x0F)])
        }
        let padding = (64 - encoded.count % 64) % 64
        text += String(decoding: encoded, as: UTF8.self) + String(repeating: "0", count: padding)
        return text
    }
}
