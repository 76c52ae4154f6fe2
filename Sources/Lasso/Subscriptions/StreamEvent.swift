/// The facts continuity needs from one subscription event's `result`: the block of a `newHeads`
/// header, or the position of a log. Read with one scan of the result's members and no full
/// decode; the event's bytes are delivered as they came.
///
/// ```swift
/// let (child, parent) = ("0x" + String(repeating: "b1", count: 32), "0x" + String(repeating: "a0", count: 32))
/// let result = Array(#"{"number":"0x64","hash":"\#(child)","parentHash":"\#(parent)","gasUsed":"0x0"}"#.utf8)
/// let event = StreamEvent(result: result, range: result.indices, kind: .newHeads)   // .head(number 100, hash, parentHash)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum StreamEvent: Hashable, Sendable {
    /// A `newHeads` header.
    case head(Head)
    /// A `logs` entry.
    case log(Log)

    /// What a header says about where it sits in the chain.
    public struct Head: Hashable, Sendable {
        /// The block.
        public var block: BlockRef
        /// The hash of the block before it.
        public var parentHash: BlockHash

        /// A header of block `number` (hash `hash`) whose parent is `parentHash`.
        public init(number: UInt64, hash: BlockHash, parentHash: BlockHash) {
            self.block = BlockRef(number: number, hash: hash)
            self.parentHash = parentHash
        }
    }

    /// Where a log sits: its identity is `(blockHash, logIndex)`, as in geth.
    public struct Log: Hashable, Sendable {
        /// The block holding the log.
        public var block: BlockRef
        /// The log's position in the block.
        public var logIndex: UInt64
        /// True when the upstream retracts the log after a reorg.
        public var removed: Bool

        /// A log at `logIndex` of block `blockNumber` (hash `blockHash`).
        public init(blockNumber: UInt64, blockHash: BlockHash, logIndex: UInt64, removed: Bool = false) {
            self.block = BlockRef(number: blockNumber, hash: blockHash)
            self.logIndex = logIndex
            self.removed = removed
        }
    }

    /// Reads the object at `range` of `bytes` as a `kind` event; nil when it is not an object
    /// or lacks a well-formed member continuity needs (`number`, `hash`, `parentHash` for heads;
    /// `blockNumber`, `blockHash`, `logIndex` for logs; `removed` may be absent: false).
    public init?(result bytes: UnsafeRawBufferPointer, range: Range<Int>, kind: SubscriptionKey.Kind) {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        guard cursor.peek() == UInt8(ascii: "{") else { return nil }
        var number: UInt64?, hash: BlockHash?, parent: BlockHash?, index: UInt64?, removed = false
        do {
            try cursor.scanObject { key, _, value, _ in
                switch kind {
                case .newHeads:
                    if Self.equals(bytes, key, #""number""#) {
                        number = Self.quantity(bytes, value)
                    } else if Self.equals(bytes, key, #""hash""#) {
                        hash = BlockHash(token: value, in: bytes)
                    } else if Self.equals(bytes, key, #""parentHash""#) {
                        parent = BlockHash(token: value, in: bytes)
                    }
                case .logs:
                    if Self.equals(bytes, key, #""blockNumber""#) {
                        number = Self.quantity(bytes, value)
                    } else if Self.equals(bytes, key, #""blockHash""#) {
                        hash = BlockHash(token: value, in: bytes)
                    } else if Self.equals(bytes, key, #""logIndex""#) {
                        index = Self.quantity(bytes, value)
                    } else if Self.equals(bytes, key, #""removed""#) {
                        removed = Self.equals(bytes, value, "true")
                    }
                }
            }
        } catch {
            return nil
        }
        guard let number, let hash else { return nil }
        switch kind {
        case .newHeads:
            guard let parent else { return nil }
            self = .head(Head(number: number, hash: hash, parentHash: parent))
        case .logs:
            guard let index else { return nil }
            self = .log(Log(blockNumber: number, blockHash: hash, logIndex: index, removed: removed))
        }
    }

    /// Reads the object at `range` of an array.
    public init?(result bytes: [UInt8], range: Range<Int>, kind: SubscriptionKey.Kind) {
        guard let event = bytes.withUnsafeBytes({ StreamEvent(result: $0, range: range, kind: kind) }) else { return nil }
        self = event
    }

    /// The block the event belongs to.
    public var block: BlockRef {
        switch self {
        case .head(let head): head.block
        case .log(let log): log.block
        }
    }

    /// A quantity token, `"0x…"` with 1 to 16 hex digits.
    private static func quantity(_ bytes: UnsafeRawBufferPointer, _ token: Range<Int>) -> UInt64? {
        guard token.count >= 5, token.count <= 20, bytes[token.lowerBound] == UInt8(ascii: "\""),
              bytes[token.lowerBound + 1] == UInt8(ascii: "0"), bytes[token.lowerBound + 2] == UInt8(ascii: "x"),
              bytes[token.upperBound - 1] == UInt8(ascii: "\"")
        else { return nil }
        var value: UInt64 = 0
        for offset in (token.lowerBound + 3)..<(token.upperBound - 1) {
            guard let digit = JSONCursor.hexValue(bytes[offset]) else { return nil }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    private static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ text: StaticString) -> Bool {
        JSONCursor.bytes(bytes, range, equal: text)
    }
}
