/// The simulated chain's only source of "randomness": SplitMix64 over a handful of integers.
///
/// Every hash, address, amount and transaction count on a `SimulatedChain` is a function of
/// (chain id, what is being made, block number, index) through this mixer, so two chain
/// instances — in two providers, two processes or two test runs — agree byte for byte without
/// sharing any state. It is not cryptographic and does not need to be: nothing relies on
/// preimage resistance, only on outputs that look varied and never depend on the clock.
///
/// ```swift
/// let value = DeterministicMixer.mix(1, 7)   // the same on every run and every machine
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
enum DeterministicMixer {
    /// What a mixed value is for, so a block hash and a transaction hash of the same block never
    /// coincide.
    enum Domain: UInt64 {
        case blockHash = 1, transactionHash, stateRoot, transactionsRoot, receiptsRoot, mixHash
        case transactionCount, logEmitter, logTopic, logAmount, account, signature
        case baseFee, balance, callResult, subscriptionID, hashCheck, fork
    }

    /// SplitMix64's finaliser: a bijection on `UInt64` with good avalanche.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Folds several integers into one mixed value; order matters.
    static func mix(_ first: UInt64, _ rest: UInt64...) -> UInt64 {
        rest.reduce(mix(first)) { mix($0 ^ $1) }
    }

    /// Mixes the bytes of `text` (FNV-1a, then the finaliser) with `seed`; used for addresses and
    /// call data that arrive as strings.
    static func mix(text: some StringProtocol, seed: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return mix(hash, seed)
    }
}
