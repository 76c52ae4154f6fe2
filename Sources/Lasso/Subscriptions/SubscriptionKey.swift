import Foundation

/// What one upstream subscription follows: its kind and, for `logs`, the filter in canonical
/// form. Clients whose `eth_subscribe` parameters mean the same thing get equal keys, so they
/// share one upstream subscription.
///
/// Canonical filters: addresses lower-cased, deduplicated and sorted; each topic position
/// lower-cased, deduplicated and sorted, `null` for "any" (as geth reads it, a position whose
/// alternatives include `null`, or are empty, matches anything), trailing "any" positions
/// dropped; members in a fixed order. A filter holds at most `maxFilterValues` addresses and
/// as many alternatives per topic position: a key lives as long as its subscriptions, so its
/// size is bounded like theirs. The canonical JSON is also what goes upstream, so the upstream
/// subscription matches exactly the events the clients asked for.
///
/// ```swift
/// let address = "0x" + String(repeating: "AB", count: 20)
/// let key = try SubscriptionKey.parse(params: Array(#"["logs",{"topics":[null],"address":"\#(address)"}]"#.utf8))
/// let kind = key.kind                  // .logs
/// let upstream = key.upstreamParams    // ["logs",{"address":["0xabab…ab"]}]: lower-cased, empty topics dropped
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct SubscriptionKey: Hashable, Sendable, CustomStringConvertible {
    /// The subscription types lassod multiplexes.
    public enum Kind: String, Sendable {
        /// Every new block header.
        case newHeads
        /// Logs matching a filter.
        case logs
    }

    /// Why `eth_subscribe` parameters were refused: the message of a -32602 error.
    public struct InvalidParams: Error, Equatable {
        /// The message, geth's wording.
        public var message: String
    }

    /// Addresses, and alternatives per topic position, one filter may list.
    public static let maxFilterValues = 1_000

    /// What is followed.
    public let kind: Kind
    /// The canonical filter object (`{}` for no filter); empty for `newHeads`.
    public let filter: String

    /// A key; `filter` must already be canonical (use `parse(params:)` for client input).
    public init(kind: Kind, filter: String = "") {
        self.kind = kind
        self.filter = kind == .logs ? (filter.isEmpty ? "{}" : filter) : ""
    }

    /// The `params` array to send upstream.
    public var upstreamParams: String {
        var json = JSONWriter(capacity: 32 + filter.utf8.count)
        json.beginArray()
        json.stringValue(kind.rawValue)
        if kind == .logs, filter != "{}" { json.rawValue(filter.utf8) }
        json.endArray()
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// `newHeads` or `logs{…}`, for logs and status.
    public var description: String { kind.rawValue + filter }

    /// Reads the `params` of a client's `eth_subscribe` (the raw JSON array, or nil when absent).
    /// - Throws: `InvalidParams` with geth-style wording (`invalid argument 1: …`).
    public static func parse(params: [UInt8]?) throws(InvalidParams) -> SubscriptionKey {
        guard let params,
              let value = try? JSONSerialization.jsonObject(with: Data(params), options: [.fragmentsAllowed])
        else { throw InvalidParams(message: "missing value for required argument 0") }
        guard let array = value as? [Any] else {
            throw InvalidParams(message: "params must be an array: [name] or [\"logs\", filter]")
        }
        guard let first = array.first else { throw InvalidParams(message: "missing value for required argument 0") }
        guard let name = first as? String else {
            throw InvalidParams(message: "invalid argument 0: subscription name must be a string")
        }
        switch name {
        case Kind.newHeads.rawValue:
            guard array.count == 1 else { throw InvalidParams(message: "too many arguments, want at most 1") }
            return SubscriptionKey(kind: .newHeads)
        case Kind.logs.rawValue:
            guard array.count <= 2 else { throw InvalidParams(message: "too many arguments, want at most 2") }
            guard array.count == 2, !(array[1] is NSNull) else { return SubscriptionKey(kind: .logs) }
            guard let filter = array[1] as? [String: Any] else {
                throw InvalidParams(message: "invalid argument 1: filter must be an object with address and topics")
            }
            return SubscriptionKey(kind: .logs, filter: try canonicalFilter(filter))
        default:
            throw InvalidParams(message: "invalid argument 0: unsupported subscription \"\(name.prefix(64))\"; "
                                + "lassod multiplexes newHeads and logs")
        }
    }

    private static func canonicalFilter(_ filter: [String: Any]) throws(InvalidParams) -> String {
        if let unknown = filter.keys.sorted().first(where: { $0 != "address" && $0 != "topics" }) {
            throw InvalidParams(message: "invalid argument 1: unsupported filter field \"\(unknown.prefix(64))\"; "
                                + "a logs subscription takes address and topics")
        }
        var addresses: [String] = []
        switch filter["address"] {
        case nil, is NSNull:
            break
        case let address as String:
            addresses = [try hex(address, bytes: 20, what: "address")]
        case let list as [Any]:
            guard list.count <= maxFilterValues else {
                throw InvalidParams(message: "invalid argument 1: at most \(maxFilterValues) addresses in a filter, "
                                    + "not \(list.count)")
            }
            for element in list {
                guard let address = element as? String else {
                    throw InvalidParams(message: "invalid argument 1: address must be a string or a list of strings")
                }
                addresses.append(try hex(address, bytes: 20, what: "address"))
            }
        default:
            throw InvalidParams(message: "invalid argument 1: address must be a string or a list of strings")
        }
        var topics: [[String]?] = []
        switch filter["topics"] {
        case nil, is NSNull:
            break
        case let list as [Any]:
            guard list.count <= 4 else { throw InvalidParams(message: "invalid argument 1: at most 4 topic positions") }
            for (index, position) in list.enumerated() {
                switch position {
                case is NSNull:
                    topics.append(nil)
                case let topic as String:
                    topics.append([try hex(topic, bytes: 32, what: "topic")])
                case let alternatives as [Any]:
                    guard alternatives.count <= maxFilterValues else {
                        throw InvalidParams(message: "invalid argument 1: at most \(maxFilterValues) alternatives in "
                                            + "topic position \(index), not \(alternatives.count)")
                    }
                    var accepted: [String] = []
                    var matchesAny = alternatives.isEmpty
                    for alternative in alternatives {
                        if alternative is NSNull {
                            matchesAny = true
                            continue
                        }
                        guard let topic = alternative as? String else {
                            throw InvalidParams(message: "invalid argument 1: a topic must be a string, null or a list")
                        }
                        accepted.append(try hex(topic, bytes: 32, what: "topic"))
                    }
                    topics.append(matchesAny ? nil : Array(Set(accepted)).sorted())
                default:
                    throw InvalidParams(message: "invalid argument 1: a topic must be a string, null or a list")
                }
            }
        default:
            throw InvalidParams(message: "invalid argument 1: topics must be a list")
        }
        while let last = topics.last, last == nil { topics.removeLast() }

        let uniqueAddresses = Array(Set(addresses)).sorted()
        var json = JSONWriter()
        json.beginObject()
        if !uniqueAddresses.isEmpty {
            json.beginArray("address")
            for address in uniqueAddresses { json.stringValue(address) }
            json.endArray()
        }
        if !topics.isEmpty {
            json.beginArray("topics")
            for position in topics {
                guard let alternatives = position else {
                    json.nullValue()
                    continue
                }
                json.beginArray()
                for topic in alternatives { json.stringValue(topic) }
                json.endArray()
            }
            json.endArray()
        }
        json.endObject()
        return String(decoding: json.finish(), as: UTF8.self)
    }

    /// `text` lower-cased when it is `0x` and exactly `bytes` bytes of hex.
    private static func hex(_ text: String, bytes: Int, what: String) throws(InvalidParams) -> String {
        let lower = text.lowercased()
        let digits = lower.utf8.dropFirst(2)
        guard lower.hasPrefix("0x"), digits.count == bytes * 2,
              digits.allSatisfy({ ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                  || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) })
        else {
            throw InvalidParams(message: "invalid argument 1: \(what) must be 0x and \(bytes * 2) hex digits, "
                                + "not \"\(text.prefix(80))\"")
        }
        return lower
    }
}
