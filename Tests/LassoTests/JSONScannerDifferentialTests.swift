import Foundation
import Testing
@testable import Lasso

/// SplitMix64: a seeded generator, so every run checks the same inputs.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random JSON-RPC-shaped documents, then random byte-level damage.
private struct InputGenerator {
    var rng: SeededGenerator

    mutating func pick<T>(_ options: [T]) -> T { options[Int.random(in: 0..<options.count, using: &rng)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    mutating func space() -> String { chance(70) ? "" : pick([" ", "\n", "\t", "\r\n", "  "]) }

    mutating func string() -> String {
        let pieces = ["a", "id", "method", "eth_call", "\\\"", "\\\\", "\\/", "\\n", "\\u0041", "\\u00e9", "é", "😀",
                      "\\ud83d\\ude00", " ", "{", "]", ":", ","]
        return "\"" + (0..<Int.random(in: 0...4, using: &rng)).map { _ in pick(pieces) }.joined() + "\""
    }

    mutating func number() -> String {
        var text = chance(30) ? "-" : ""
        text += chance(20) ? "0" : String(Int.random(in: 1...99_999, using: &rng))
        if chance(25) { text += "." + String(Int.random(in: 0...999, using: &rng)) }
        if chance(20) { text += pick(["e", "E"]) + pick(["", "+", "-"]) + String(Int.random(in: 0...30, using: &rng)) }
        return text
    }

    mutating func value(depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
        case 0: return string()
        case 1: return number()
        case 2: return pick(["true", "false", "null"])
        case 3: return pick(["\"2.0\"", "\"eth_blockNumber\"", "1", "null"])
        case 4:
            let count = Int.random(in: 0...3, using: &rng)
            let elements = (0..<count).map { _ in value(depth: depth + 1) }
            return "[" + space() + elements.joined(separator: space() + "," + space()) + space() + "]"
        default:
            return object(depth: depth)
        }
    }

    mutating func object(depth: Int) -> String {
        let keys = ["\"jsonrpc\"", "\"id\"", "\"method\"", "\"params\"", "\"result\"", "\"error\"", "\"x\"", "\"\\u0069d\""]
        let count = Int.random(in: 0...4, using: &rng)
        let members = (0..<count).map { _ in pick(keys) + space() + ":" + space() + value(depth: depth + 1) }
        return "{" + space() + members.joined(separator: space() + "," + space()) + space() + "}"
    }

    mutating func document() -> [UInt8] {
        let top: String
        switch Int.random(in: 0..<10, using: &rng) {
        case 0...5:
            top = #"{"jsonrpc":"2.0","id":"# + pick(["1", "\"a\"", "null", number()]) + #","method":"# + string()
                + (chance(50) ? #","params":"# + value(depth: 1) : "") + "}"
        case 6, 7: top = "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in object(depth: 1) }.joined(separator: ",") + "]"
        default: top = value(depth: 0)
        }
        var bytes = Array((space() + top + space()).utf8)
        if chance(55) { damage(&bytes) }
        return bytes
    }

    mutating func damage(_ bytes: inout [UInt8]) {
        let alphabet = Array("{}[]\":,\\ .-+eE0123456789tfnul\n".utf8) + [0xC3, 0xA9, 0xFF, 0x80]
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let index = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty: bytes.remove(at: index)
            case 1: bytes.insert(pick(alphabet), at: index)
            case 2 where !bytes.isEmpty: bytes[index] = pick(alphabet)
            case 3: bytes.removeSubrange(index...)
            default:
                let end = min(bytes.count, index + Int.random(in: 1...6, using: &rng))
                bytes.insert(contentsOf: bytes[index..<end], at: index)
            }
        }
    }
}

/// Where Foundation's `JSONSerialization` departs from RFC 8259, so a disagreement there is
/// Foundation's, not the scanner's. Each check rewrites the input to remove the one feature and
/// asks again, so an input that is wrong for another reason still counts as a disagreement.
private enum KnownDivergence {
    /// Foundation accepts trailing commas (`[1,]`, `{"a":1,}`); RFC 8259, and the Go nodes
    /// behind most providers, do not.
    static func isTrailingComma(_ bytes: [UInt8]) -> Bool {
        var stripped: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ","),
               let next = bytes[(index + 1)...].first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
               next == UInt8(ascii: "]") || next == UInt8(ascii: "}") {
                continue
            }
            stripped.append(byte)
        }
        return stripped != bytes && JSONRPCScanner.scanBody(stripped) != .parseError
    }

    /// Foundation rejects numbers beyond `Double`'s range (`1e400`); RFC 8259 allows them.
    static func isHugeExponent(_ bytes: [UInt8]) -> Bool {
        var rewritten: [UInt8] = []
        var index = 0
        while index < bytes.count {
            rewritten.append(bytes[index])
            if bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    rewritten.append(bytes[index])
                    index += 1
                }
                var digits = 0
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    digits += 1
                    index += 1
                }
                if digits > 0 { rewritten.append(UInt8(ascii: "1")) }
                continue
            }
            index += 1
        }
        return rewritten != bytes && (try? JSONSerialization.jsonObject(with: Data(rewritten), options: [.fragmentsAllowed])) != nil
    }
}

@Suite struct JSONScannerDifferentialTests {
    /// The scanner and Foundation must agree on which inputs are JSON, and on what a valid request
    /// or batch contains.
    @Test func agreesWithJSONSerialization() {
        var generator = InputGenerator(rng: SeededGenerator(state: 0x5EED_1A55_0D00))
        var validCount = 0, requestCount = 0, batchCount = 0, divergences = 0
        for _ in 0..<20_000 {
            let bytes = generator.document()
            let foundation = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            let verdict = JSONRPCScanner.scanBody(bytes)
            if (foundation != nil) != (verdict != .parseError) {
                let known = foundation != nil ? KnownDivergence.isTrailingComma(bytes) : KnownDivergence.isHugeExponent(bytes)
                if known {
                    divergences += 1
                } else {
                    let text = String(decoding: bytes, as: UTF8.self).debugDescription
                    Issue.record("disagree on \(text) \(bytes): foundation \(foundation != nil), scanner \(verdict)")
                }
                continue
            }
            guard let foundation else { continue }
            validCount += 1
            switch verdict {
            case .request(let head):
                requestCount += 1
                #expect((foundation as? [String: Any])?["method"] as? String == head.method)
            case .batch(let elements):
                batchCount += 1
                #expect((foundation as? [Any])?.count == elements.count)
            default:
                break
            }
        }
        // The generator must exercise both sides and every shape, or agreement proves little.
        #expect(validCount > 4_000 && validCount < 16_000)
        #expect(requestCount > 500 && batchCount > 500)
        #expect(divergences < 500)
    }

    @Test func knownDivergencesAreRecognised() {
        #expect(KnownDivergence.isTrailingComma(Array("[1, ]".utf8)))
        #expect(!KnownDivergence.isTrailingComma(Array("[1, ]]".utf8)))
        #expect(KnownDivergence.isHugeExponent(Array("[1e999]".utf8)))
        #expect(!KnownDivergence.isHugeExponent(Array("[1e999,]]".utf8)))
    }
}
