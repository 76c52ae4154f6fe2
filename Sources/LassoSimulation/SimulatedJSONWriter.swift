import Lasso

/// Builds the JSON the simulated provider sends, straight into bytes.
///
/// Commas are placed by the writer — each container remembers whether it already holds a
/// value — so the rendering code for blocks, logs and envelopes reads as a list of members.
/// Strings go through `JSONRPCErrorBody.appendString`, the same escaping lassod uses for its
/// own errors.
///
/// ```swift
/// var writer = SimulatedJSONWriter()
/// writer.openObject()
/// writer.member("number", quantity: 26)
/// writer.closeObject()
/// writer.bytes   // {"number":"0x1a"}
/// ```
struct SimulatedJSONWriter {
    /// The JSON written so far.
    private(set) var bytes: [UInt8] = []
    /// One entry per open container: whether it already holds a value.
    private var containerHasValue: [Bool] = []
    /// True between a member name and its value, where no comma belongs.
    private var afterKey = false

    init() {}

    /// Writes the comma a new value needs, if any, and notes the container is no longer empty.
    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let hasValue = containerHasValue.last {
            if hasValue { bytes.append(UInt8(ascii: ",")) }
            containerHasValue[containerHasValue.count - 1] = true
        }
    }

    mutating func openObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        containerHasValue.append(false)
    }

    mutating func closeObject() {
        bytes.append(UInt8(ascii: "}"))
        _ = containerHasValue.popLast()
    }

    mutating func openArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        containerHasValue.append(false)
    }

    mutating func closeArray() {
        bytes.append(UInt8(ascii: "]"))
        _ = containerHasValue.popLast()
    }

    /// A member name; the next value written is its value.
    mutating func key(_ name: String) {
        beginValue()
        JSONRPCErrorBody.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    mutating func string(_ text: String) {
        beginValue()
        JSONRPCErrorBody.appendString(text, to: &bytes)
    }

    /// Bytes that are already one JSON value (a client's id, a pre-rendered object).
    mutating func raw(_ value: some Sequence<UInt8>) {
        beginValue()
        bytes.append(contentsOf: value)
    }

    mutating func quantity(_ value: UInt64) { string(SimulatedHex.quantity(value)) }

    mutating func integer(_ value: Int) { raw(String(value).utf8) }

    mutating func bool(_ value: Bool) { raw((value ? "true" : "false").utf8) }

    mutating func null() { raw("null".utf8) }

    mutating func member(_ name: String, string text: String) {
        key(name)
        string(text)
    }

    mutating func member(_ name: String, quantity value: UInt64) {
        key(name)
        quantity(value)
    }

    mutating func member(_ name: String, bool value: Bool) {
        key(name)
        bool(value)
    }
}
