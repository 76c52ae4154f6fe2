import Supervision
import Lasso

/// A deterministic EVM chain whose head advances with the clock: the shared ground truth behind
/// every simulated provider of one chain.
///
/// Guarantees:
/// - **Time-driven head.** Block `headAtStart` is the head at `start`, and one block is added
///   every `blockIntervalMs`: `head(at:)` is a pure function of the instant passed in, so a
///   test drives it with any instant and the serving layer with its clock.
/// - **Determinism.** Every block, transaction, log, balance and hash is a function of
///   (`chainID`, block number, index) only. Two `SimulatedChain`s with the same chain id agree
///   byte for byte — three providers of one chain serve the same blocks without sharing memory,
///   and a proxy comparing them sees consistent data.
/// - **Continuity.** `block(n).parentHash == blockHash(n - 1)` for every `n > 0`.
/// - **Reversible hashes.** A block hash carries its number (masked), so `blockNumber(forHash:)`
///   answers `eth_getBlockByHash` and `eth_getLogs` with `blockHash` without an index.
/// - **Forks.** `forked(_:)` gives the chain as a provider that followed a reorg sees it
///   (`SimulatedFork`): blocks from the fork point on have other hashes, the rest are shared.
///
/// ```swift
/// let chain = SimulatedChain(chainID: 1, blockIntervalMs: 12_000, headAtStart: 100)
/// let head = chain.head(at: RuntimeInstant(milliseconds: 25_000))                                   // 102
/// let linked = chain.block(102).parentHash == chain.blockHash(101)                                  // true
/// let oneLogPerTransaction = chain.logs(inBlock: 102).count == chain.block(102).transactions.count  // true
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedChain: Sendable, Equatable {
    /// The EIP-155 chain id `eth_chainId` returns.
    public let chainID: UInt64
    /// Milliseconds between blocks; at least 1.
    public let blockIntervalMs: UInt64
    /// The instant at which `headAtStart` is the head.
    public let start: RuntimeInstant
    /// The head at `start`; earlier blocks exist as history.
    public let headAtStart: UInt64
    /// Unix time (seconds) of block 0; block `n` is `n * blockIntervalMs` later.
    public let genesisTimestamp: UInt64
    /// The branch this view follows; nil for the original chain.
    public let fork: SimulatedFork?

    /// Contracts that emit every simulated log: mainnet's USDC, USDT and DAI addresses, so logs
    /// look familiar in a demo. Each transaction calls one of them.
    public static let logEmitters = [
        "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        "0xdac17f958d2ee523a2206206994597c13d831ec7",
        "0x6b175474e89094c44da98b954eedeac495271d0f",
    ]
    /// `eth_call` to this address reverts with code 3, `execution reverted: simulated revert` and
    /// ABI-encoded `Error(string)` data, the way a real node reports a `require` failure.
    public static let revertingAddress = "0x0000000000000000000000000000000000000bad"
    /// The message inside the revert data of a call to `revertingAddress`.
    public static let revertReason = "simulated revert"
    /// `keccak256("Transfer(address,address,uint256)")`.
    public static let transferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
    /// `keccak256("Approval(address,address,uint256)")`.
    public static let approvalTopic = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
    /// Gas limit of every block (mainnet's 30 M).
    public static let gasLimit: UInt64 = 30_000_000
    /// Gas used by every simulated transaction, a token transfer's typical cost.
    static let gasPerTransaction: UInt64 = 51_234
    /// One gwei in wei: the base fee's floor and the suggested priority fee.
    public static let gwei: UInt64 = 1_000_000_000

    /// Creates a chain. `blockIntervalMs` below 1 is taken as 1.
    public init(chainID: UInt64, blockIntervalMs: UInt64, start: RuntimeInstant = .zero,
                headAtStart: UInt64 = 0, genesisTimestamp: UInt64 = 1_700_000_000, fork: SimulatedFork? = nil) {
        self.chainID = chainID
        self.blockIntervalMs = max(1, blockIntervalMs)
        self.start = start
        self.headAtStart = headAtStart
        self.genesisTimestamp = genesisTimestamp
        self.fork = fork
    }

    /// The same chain as seen on `fork` (nil: the original chain); timing and contents are
    /// shared, block hashes from the fork point on are the fork's.
    public func forked(_ fork: SimulatedFork?) -> SimulatedChain {
        SimulatedChain(chainID: chainID, blockIntervalMs: blockIntervalMs, start: start, headAtStart: headAtStart,
                       genesisTimestamp: genesisTimestamp, fork: fork)
    }

    /// The first block whose hash differs between this view and `other` (of the same chain);
    /// nil when they are the same view. A block from there on, announced by one, is orphaned
    /// for the other.
    public func divergence(from other: SimulatedChain) -> UInt64? {
        guard fork != other.fork else { return nil }
        return min(fork?.fromBlock ?? .max, other.fork?.fromBlock ?? .max)
    }

    // MARK: - Time

    /// The chain's head at `now`; `headAtStart` for any instant up to `start`.
    public func head(at now: RuntimeInstant) -> UInt64 {
        let (head, overflow) = headAtStart.addingReportingOverflow(now.milliseconds(since: start) / blockIntervalMs)
        return overflow ? .max : head
    }

    /// The first instant at which the head is `number` or later; `start` for blocks that were
    /// already head at `start`.
    public func instant(whenHeadReaches number: UInt64) -> RuntimeInstant {
        guard number > headAtStart else { return start }
        let (offset, overflow) = (number - headAtStart).multipliedReportingOverflow(by: blockIntervalMs)
        return overflow ? RuntimeInstant(milliseconds: .max) : start.advanced(byMilliseconds: offset)
    }

    /// When the next block after the head at `now` appears: the serving layer's next tick.
    public func nextBlockInstant(after now: RuntimeInstant) -> RuntimeInstant {
        let head = head(at: now)
        return instant(whenHeadReaches: head == .max ? head : head + 1)
    }

    /// Block `number`'s Unix timestamp in seconds; sub-second intervals repeat a timestamp, as
    /// fast L2s do.
    public func timestamp(ofBlock number: UInt64) -> UInt64 {
        let (elapsedMs, overflow) = number.multipliedReportingOverflow(by: blockIntervalMs)
        let (timestamp, overflow2) = genesisTimestamp.addingReportingOverflow(elapsedMs / 1_000)
        return overflow || overflow2 ? .max : timestamp
    }

    // MARK: - Hashes

    /// A 32-byte hash whose last word is `payload` masked by a mix of the first word, so the
    /// payload can be read back and the whole hash checked by recomputing it. `seed` is the
    /// chain id, or a fork's seed for the blocks a fork replaces.
    private func reversibleHash(_ domain: DeterministicMixer.Domain, _ payload: UInt64, seed: UInt64? = nil) -> String {
        let seed = seed ?? chainID
        let first = DeterministicMixer.mix(seed, domain.rawValue, payload, 0)
        return SimulatedHex.data([
            first,
            DeterministicMixer.mix(seed, domain.rawValue, payload, 1),
            DeterministicMixer.mix(seed, domain.rawValue, payload, 2),
            payload ^ DeterministicMixer.mix(seed, DeterministicMixer.Domain.hashCheck.rawValue, first),
        ])
    }

    /// The payload of a hash made by `reversibleHash(domain, _, seed:)`, or nil for any other string.
    private func payload(ofHash hash: String, _ domain: DeterministicMixer.Domain, seed: UInt64? = nil) -> UInt64? {
        guard SimulatedHex.isData(hash, byteCount: 32) else { return nil }
        let lower = hash.lowercased()
        guard let first = SimulatedHex.word(in: lower, at: 0), let last = SimulatedHex.word(in: lower, at: 3) else { return nil }
        let payload = last ^ DeterministicMixer.mix(seed ?? chainID, DeterministicMixer.Domain.hashCheck.rawValue, first)
        return reversibleHash(domain, payload, seed: seed) == lower ? payload : nil
    }

    /// The hash seed of the fork's blocks.
    private func seed(of fork: SimulatedFork) -> UInt64 {
        DeterministicMixer.mix(chainID, DeterministicMixer.Domain.fork.rawValue, fork.salt)
    }

    /// A 32-byte hash with nothing to read back.
    private func hash(_ domain: DeterministicMixer.Domain, _ number: UInt64) -> String {
        SimulatedHex.data((0..<4).map { DeterministicMixer.mix(chainID, domain.rawValue, number, $0) })
    }

    /// Block `number`'s hash on this view. Block 0's parent hash is 32 zero bytes, as on a real chain.
    public func blockHash(_ number: UInt64) -> String {
        if let fork, number >= fork.fromBlock { return reversibleHash(.blockHash, number, seed: seed(of: fork)) }
        return reversibleHash(.blockHash, number)
    }

    /// The number of the block with this hash on this view, or nil when no block of it has
    /// the hash (a block the fork orphaned included).
    public func blockNumber(forHash hash: String) -> UInt64? {
        guard let fork else { return payload(ofHash: hash, .blockHash) }
        if let number = payload(ofHash: hash, .blockHash, seed: seed(of: fork)), number >= fork.fromBlock { return number }
        if let number = payload(ofHash: hash, .blockHash), number < fork.fromBlock { return number }
        return nil
    }

    /// The hash of transaction `index` of block `number`; the pair is packed into 64 bits, so
    /// blocks up to 2⁴⁸ are distinct.
    public func transactionHash(block number: UInt64, index: Int) -> String {
        reversibleHash(.transactionHash, Self.pack(number, index))
    }

    /// The block and index of the transaction with this hash, or nil when no transaction of
    /// this chain has it (including indexes past the block's transaction count).
    public func transactionLocation(forHash hash: String) -> (block: UInt64, index: Int)? {
        guard let packed = payload(ofHash: hash, .transactionHash) else { return nil }
        let number = packed >> 16, index = Int(packed & 0xFFFF)
        return index < transactionCount(inBlock: number) ? (number, index) : nil
    }

    // MARK: - Contents

    /// How many transactions (and logs) block `number` holds: 2 to 4.
    public func transactionCount(inBlock number: UInt64) -> Int {
        2 + Int(DeterministicMixer.mix(chainID, DeterministicMixer.Domain.transactionCount.rawValue, number) % 3)
    }

    /// A deterministic account address for `role` (sender, recipient, validator) and `seed`.
    private func account(_ seed: UInt64, role: UInt64) -> String {
        let domain = DeterministicMixer.Domain.account.rawValue
        return SimulatedHex.address(DeterministicMixer.mix(chainID, domain, role, seed, 0),
                                    DeterministicMixer.mix(chainID, domain, role, seed, 1),
                                    DeterministicMixer.mix(chainID, domain, role, seed, 2))
    }

    /// Block `number`'s EIP-1559 base fee: between 1 and 2 gwei.
    public func baseFee(ofBlock number: UInt64) -> UInt64 {
        Self.gwei + DeterministicMixer.mix(chainID, DeterministicMixer.Domain.baseFee.rawValue, number) % Self.gwei
    }

    /// Block number and index packed as hashes and mixes take them.
    private static func pack(_ number: UInt64, _ index: Int) -> UInt64 {
        number << 16 | UInt64(truncatingIfNeeded: index) & 0xFFFF
    }

    /// The contract transaction `index` of block `number` calls (and whose log it emits).
    private func emitter(block number: UInt64, index: Int) -> String {
        let choice = DeterministicMixer.mix(chainID, DeterministicMixer.Domain.logEmitter.rawValue, Self.pack(number, index))
        return Self.logEmitters[Int(choice % UInt64(Self.logEmitters.count))]
    }

    /// The event signature of the log of transaction `index` of block `number`: three in four
    /// are transfers.
    private func eventTopic(block number: UInt64, index: Int) -> String {
        let choice = DeterministicMixer.mix(chainID, DeterministicMixer.Domain.logTopic.rawValue, Self.pack(number, index))
        return choice % 4 != 0 ? Self.transferTopic : Self.approvalTopic
    }

    /// Transaction `index` of block `number`.
    public func transaction(block number: UInt64, index: Int) -> SimulatedTransaction {
        let packed = Self.pack(number, index)
        let recipient = account(packed, role: 2)
        let amount = DeterministicMixer.mix(chainID, DeterministicMixer.Domain.logAmount.rawValue, packed)
        let signature = DeterministicMixer.Domain.signature.rawValue
        // A low `s` (top bit clear), as EIP-2 requires of valid signatures.
        let sWords = (4..<8).map { DeterministicMixer.mix(chainID, signature, packed, $0) & ($0 == 4 ? 0x7FFF_FFFF_FFFF_FFFF : .max) }
        return SimulatedTransaction(
            hash: transactionHash(block: number, index: index),
            blockNumber: number,
            blockHash: blockHash(number),
            index: UInt64(index),
            from: account(packed, role: 1),
            to: emitter(block: number, index: index),
            recipient: recipient,
            input: "0xa9059cbb" + String(repeating: "0", count: 24) + recipient.dropFirst(2)
                + String(repeating: "0", count: 48) + SimulatedHex.word(amount),
            nonce: DeterministicMixer.mix(chainID, signature, packed, 9) % 10_000,
            gas: 65_000,
            gasPrice: baseFee(ofBlock: number) + Self.gwei,
            chainID: chainID,
            r: SimulatedHex.data((0..<4).map { DeterministicMixer.mix(chainID, signature, packed, $0) }),
            s: SimulatedHex.data(sWords)
        )
    }

    /// Block `number`, with its transactions.
    public func block(_ number: UInt64) -> SimulatedBlock {
        let transactions = (0..<transactionCount(inBlock: number)).map { transaction(block: number, index: $0) }
        return SimulatedBlock(
            number: number,
            hash: blockHash(number),
            parentHash: number == 0 ? SimulatedHex.data([0, 0, 0, 0]) : blockHash(number - 1),
            timestamp: timestamp(ofBlock: number),
            miner: account(number % 8, role: 3),
            stateRoot: hash(.stateRoot, number),
            transactionsRoot: hash(.transactionsRoot, number),
            receiptsRoot: hash(.receiptsRoot, number),
            mixHash: hash(.mixHash, number),
            gasLimit: Self.gasLimit,
            gasUsed: Self.gasPerTransaction * UInt64(transactions.count),
            baseFeePerGas: baseFee(ofBlock: number),
            transactions: transactions
        )
    }

    /// Block `number`'s logs, one per transaction, in transaction order.
    public func logs(inBlock number: UInt64) -> [SimulatedLog] {
        logs(inBlock: number, matching: SimulatedLogFilter())
    }

    /// How many of block `number`'s logs pass `filter.admits`; equal to the count of matching
    /// logs when `filter.checksOnlyEmitterAndEvent`, and found without building any log.
    func admittedLogCount(inBlock number: UInt64, filter: SimulatedLogFilter) -> Int {
        (0..<transactionCount(inBlock: number)).count { index in
            filter.admits(address: emitter(block: number, index: index), eventTopic: eventTopic(block: number, index: index))
        }
    }

    /// Block `number`'s logs that `filter` matches. Emitter and event are checked before the
    /// rest of a log is built, so scanning thousands of blocks for one contract's events costs
    /// a few mixes per log rather than a log's worth of hex strings.
    public func logs(inBlock number: UInt64, matching filter: SimulatedLogFilter) -> [SimulatedLog] {
        var blockHash: String?
        var logs: [SimulatedLog] = []
        for index in 0..<transactionCount(inBlock: number) {
            let address = emitter(block: number, index: index)
            let event = eventTopic(block: number, index: index)
            guard filter.admits(address: address, eventTopic: event) else { continue }
            let hash = blockHash ?? self.blockHash(number)
            blockHash = hash
            let packed = Self.pack(number, index)
            let amount = DeterministicMixer.mix(chainID, DeterministicMixer.Domain.logAmount.rawValue, packed)
            let log = SimulatedLog(
                address: address,
                topics: [event, Self.paddedTopic(account(packed, role: 1)), Self.paddedTopic(account(packed, role: 2))],
                data: SimulatedHex.data([0, 0, 0, amount]),
                blockNumber: number,
                blockHash: hash,
                transactionHash: transactionHash(block: number, index: index),
                transactionIndex: UInt64(index),
                logIndex: UInt64(index)
            )
            if filter.matches(log) { logs.append(log) }
        }
        return logs
    }

    /// An address as a 32-byte topic (left-padded with zeros), as Solidity indexes it.
    public static func paddedTopic(_ address: String) -> String {
        "0x" + String(repeating: "0", count: 24) + address.lowercased().dropFirst(2)
    }

    /// `address`'s nonce: deterministic per address and constant, like its balance.
    public func transactionCount(of address: String) -> UInt64 {
        DeterministicMixer.mix(text: address.lowercased(), seed: chainID) % 1_000
    }

    /// Whether `address` holds code: the log emitters and the reverting address do.
    public static func isContract(_ address: String) -> Bool {
        let lower = address.lowercased()
        return lower == revertingAddress || logEmitters.contains(lower)
    }

    /// `address`'s balance in wei as a hex quantity (up to a few thousand ether), the same at
    /// every block: the simulation has no state transitions to track.
    public func balance(of address: String) -> String {
        let lower = address.lowercased()
        let seed = DeterministicMixer.mix(chainID, DeterministicMixer.Domain.balance.rawValue)
        let low = DeterministicMixer.mix(text: lower, seed: seed)
        let high = DeterministicMixer.mix(low, seed) % 4_096
        return high == 0 ? SimulatedHex.quantity(low) : "0x" + String(high, radix: 16) + SimulatedHex.word(low)
    }
}
