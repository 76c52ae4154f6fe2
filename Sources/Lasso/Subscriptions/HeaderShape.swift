/// Turns a block fetched with `eth_getBlockByNumber(n, false)` into the header a `newHeads`
/// subscription would have pushed, so that backfilled headers look like live ones.
///
/// Nodes differ in which members a `newHeads` header has (and in what order), so the shape is
/// learned from a live header of the key: the block is projected onto that header's member
/// names, in that order, with the block's value bytes untouched. Without a sample, the block
/// loses what only blocks carry: `transactions`, `uncles`, `size`, `totalDifficulty`,
/// `withdrawals`.
///
/// ```swift
/// let shape = HeaderShape(sample: liveHeader) ?? .blockWithoutBody
/// let header = shape.project(fetchedBlock)   // the header's members, in the live header's order
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct HeaderShape: Equatable, Sendable {
    /// The member names to keep, as raw key tokens (quotes included), in order; nil keeps the
    /// block's own members less `blockOnlyMembers`.
    private let members: [[UInt8]]?

    /// Members a block has and a header does not.
    static let blockOnlyMembers: [StaticString] = [#""transactions""#, #""uncles""#, #""size""#,
                                                    #""totalDifficulty""#, #""withdrawals""#]

    /// The shape used before any live header was seen.
    public static let blockWithoutBody = HeaderShape(members: nil)

    private init(members: [[UInt8]]?) {
        self.members = members
    }

    /// The shape of `sample`, a live header object; nil when it is not a JSON object.
    public init?(sample: [UInt8]) {
        guard let members = Self.scan(sample)?.map({ Array(sample[$0.key]) }) else { return nil }
        self.members = members
    }

    /// `block` (a block object) cut to this shape; nil when it is not a JSON object.
    public func project(_ block: [UInt8]) -> [UInt8]? {
        guard let found = Self.scan(block) else { return nil }
        var output: [UInt8] = [UInt8(ascii: "{")]
        output.reserveCapacity(block.count)
        func append(_ member: (key: Range<Int>, value: Range<Int>)) {
            if output.count > 1 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: block[member.key])
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: block[member.value])
        }
        if let members {
            for name in members {
                if let member = found.first(where: { block[$0.key].elementsEqual(name) }) { append(member) }
            }
        } else {
            block.withUnsafeBytes { bytes in
                for member in found where !Self.blockOnlyMembers.contains(where: { JSONCursor.bytes(bytes, member.key, equal: $0) }) {
                    append(member)
                }
            }
        }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// The top-level members of the object in `bytes`.
    private static func scan(_ bytes: [UInt8]) -> [(key: Range<Int>, value: Range<Int>)]? {
        bytes.withUnsafeBytes { buffer in
            var cursor = JSONCursor(buffer, range: 0..<buffer.count)
            cursor.skipWhitespace()
            guard cursor.peek() == UInt8(ascii: "{") else { return nil }
            var members: [(key: Range<Int>, value: Range<Int>)] = []
            do {
                try cursor.scanObject { key, _, value, _ in members.append((key, value)) }
            } catch {
                return nil
            }
            return members
        }
    }

    public static func == (lhs: HeaderShape, rhs: HeaderShape) -> Bool {
        lhs.members == rhs.members
    }
}
