/// A block parameter as JSON-RPC methods take it: a hex number or a tag.
///
/// `pending` resolves to the head: the simulation has no mempool, so the block being built
/// would hold nothing a client could tell from the head. `safe` and `finalized` trail the head
/// by 32 and 64 blocks, mainnet's usual distances.
enum SimulatedBlockTag: Equatable {
    case number(UInt64)
    case latest, pending, earliest, safe, finalized

    /// Parses a block parameter; nil when it is neither a tag nor a hex quantity.
    init?(_ value: SimulatedJSONValue) {
        guard let text = value.stringValue else { return nil }
        switch text {
        case "latest": self = .latest
        case "pending": self = .pending
        case "earliest": self = .earliest
        case "safe": self = .safe
        case "finalized": self = .finalized
        default:
            guard let number = SimulatedHex.parseQuantity(text) else { return nil }
            self = .number(number)
        }
    }

    /// The block number this parameter names for a provider whose head is `head`; may exceed
    /// `head` for an explicit number.
    func resolve(head: UInt64) -> UInt64 {
        switch self {
        case .number(let number): number
        case .latest, .pending: head
        case .earliest: 0
        case .safe: head > 32 ? head - 32 : 0
        case .finalized: head > 64 ? head - 64 : 0
        }
    }
}
