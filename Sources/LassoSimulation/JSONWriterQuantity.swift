import Lasso

extension JSONWriter {
    /// Writes the member `key` with an Ethereum quantity: `0x`-prefixed hex without leading
    /// zeros (`"0x1a"`), as every simulated number is sent.
    mutating func quantity(_ key: StaticString, _ value: UInt64) {
        string(key, SimulatedHex.quantity(value))
    }

    /// Writes a bare Ethereum quantity (after `key(_:)`, in an array, or alone).
    mutating func quantityValue(_ value: UInt64) {
        stringValue(SimulatedHex.quantity(value))
    }
}
