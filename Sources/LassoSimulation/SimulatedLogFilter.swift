/// The address and topic criteria of `eth_getLogs` and `logs` subscriptions, with geth's
/// matching rules.
///
/// - `addresses`: the log's emitter must be one of them; empty matches any.
/// - `topics`: position `i` constrains the log's topic `i`: `nil` (JSON `null`) or an empty list
///   matches anything, a list matches any of its values. A log with fewer topics than the filter
///   has positions does not match.
///
/// ```swift
/// // Transfers from any of the chain's emitters, to anyone, from one sender:
/// let filter = SimulatedLogFilter(addresses: [], topics: [[SimulatedChain.transferTopic], [SimulatedChain.paddedTopic(sender)]])
/// ```
/// (Compiled and run by `LassoSimulationTests/DocExampleTests`.)
public struct SimulatedLogFilter: Sendable, Equatable {
    /// Emitters to accept, lower-case; empty accepts all.
    public var addresses: [String]
    /// Accepted values per topic position, lower-case; `nil` accepts any value.
    public var topics: [[String]?]

    /// geth's cap on topic positions.
    static let maxTopicPositions = 4

    /// Creates a filter; values are lower-cased so matching ignores hex case.
    public init(addresses: [String] = [], topics: [[String]?] = []) {
        self.addresses = addresses.map { $0.lowercased() }
        self.topics = topics.map { $0?.map { $0.lowercased() } }
    }

    /// Whether `log` passes the filter.
    public func matches(_ log: SimulatedLog) -> Bool {
        if !addresses.isEmpty, !addresses.contains(log.address) { return false }
        if topics.count > log.topics.count { return false }
        for (position, accepted) in topics.enumerated() {
            guard let accepted, !accepted.isEmpty else { continue }
            if !accepted.contains(log.topics[position]) { return false }
        }
        return true
    }

    /// Whether a log from `address` with event signature `eventTopic` can pass: the cheap part
    /// of `matches(_:)`, checked before the rest of a log is built.
    func admits(address: String, eventTopic: String) -> Bool {
        if !addresses.isEmpty, !addresses.contains(address) { return false }
        if let first = topics.first, let accepted = first, !accepted.isEmpty, !accepted.contains(eventTopic) { return false }
        return true
    }

    /// True when `admits` decides alone: no topic beyond the event signature is constrained.
    var checksOnlyEmitterAndEvent: Bool {
        topics.dropFirst().allSatisfy { $0?.isEmpty ?? true }
    }

    /// The `address` and `topics` members of a filter object (other members are the caller's);
    /// errors name `argumentIndex`, the filter's position in `params`.
    static func parse(_ object: [String: SimulatedJSONValue], argumentIndex: Int) throws(SimulatedRPCError) -> SimulatedLogFilter {
        var addresses: [String] = []
        switch object["address"] {
        case nil, .null?:
            break
        case .string(let address)?:
            addresses = [try validAddress(address, argumentIndex)]
        case .array(let elements)?:
            for element in elements {
                guard let address = element.stringValue else {
                    throw .invalidArgument(argumentIndex, "address must be a string or a list of strings")
                }
                addresses.append(try validAddress(address, argumentIndex))
            }
        case let other?:
            throw .invalidArgument(argumentIndex, "address must be a string or a list of strings, not \(other.typeName)")
        }

        var topics: [[String]?] = []
        switch object["topics"] {
        case nil, .null?:
            break
        case .array(let positions)?:
            guard positions.count <= maxTopicPositions else { throw .invalidArgument(argumentIndex, "exceed max topics") }
            for position in positions {
                switch position {
                case .null:
                    topics.append(nil)
                case .string(let topic):
                    topics.append([try validTopic(topic, argumentIndex)])
                case .array(let alternatives):
                    var accepted: [String] = []
                    for alternative in alternatives {
                        switch alternative {
                        case .string(let topic): accepted.append(try validTopic(topic, argumentIndex))
                        case .null: continue
                        default: throw .invalidArgument(argumentIndex, "topic must be a hex string")
                        }
                    }
                    topics.append(accepted)
                default:
                    throw .invalidArgument(argumentIndex, "topic must be null, a hex string or a list of them")
                }
            }
        case let other?:
            throw .invalidArgument(argumentIndex, "topics must be a list, not \(other.typeName)")
        }
        return SimulatedLogFilter(addresses: addresses, topics: topics)
    }

    private static func validAddress(_ text: String, _ argumentIndex: Int) throws(SimulatedRPCError) -> String {
        guard SimulatedHex.isData(text, byteCount: 20) else {
            throw .invalidArgument(argumentIndex, "invalid address \(text.prefix(64))")
        }
        return text
    }

    private static func validTopic(_ text: String, _ argumentIndex: Int) throws(SimulatedRPCError) -> String {
        guard SimulatedHex.isData(text, byteCount: 32) else {
            throw .invalidArgument(argumentIndex, "invalid topic \(text.prefix(80))")
        }
        return text
    }
}
