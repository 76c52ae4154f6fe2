import Synchronization

/// A process identifier: unique for the life of the OS process and never reused.
///
/// PIDs are handed out from one monotonic counter, so a PID that has exited can never be
/// mistaken for a newer process (the reason supervisors compare PIDs before acting on an exit).
/// They print like Erlang's, `<0.42.0>`, so logs and the admin tree read familiarly.
public struct PID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The counter value; strictly increasing in allocation order.
    public let value: UInt64

    private static let counter = Atomic<UInt64>(0)

    /// Allocates the next PID.
    static func next() -> PID {
        PID(value: counter.add(1, ordering: .relaxed).newValue)
    }

    init(value: UInt64) { self.value = value }

    public var description: String { "<0.\(value).0>" }

    public static func < (lhs: PID, rhs: PID) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let digits = text.split(separator: ".").dropFirst().first.flatMap { UInt64($0) }
        guard let digits else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "not a PID: \(text)"))
        }
        value = digits
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
