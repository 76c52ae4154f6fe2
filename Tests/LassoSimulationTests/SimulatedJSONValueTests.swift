import Testing
import Lasso
@testable import LassoSimulation

private func decode(_ text: String) -> SimulatedJSONValue? {
    let bytes = Array(text.utf8)
    return SimulatedJSONValue.decode(bytes, range: 0..<bytes.count)
}

@Suite struct SimulatedJSONValueTests {
    @Test func scalars() {
        #expect(decode(#""a\u0041\n""#) == .string("aA\n"))
        #expect(decode("-1.5e3") == .number("-1.5e3"))
        #expect(decode("true") == .bool(true))
        #expect(decode("false") == .bool(false))
        #expect(decode("null") == .null)
        #expect(decode("  null  ") == .null)
    }

    @Test func containers() {
        #expect(decode(#"["latest", false, {"to":"0x1","x":[null]}]"#)
            == .array([.string("latest"), .bool(false), .object(["to": .string("0x1"), "x": .array([.null])])]))
        #expect(decode("{}") == .object([:]))
        #expect(decode("[]") == .array([]))
        #expect(decode(#"{"a":1,"a":2}"#) == .object(["a": .number("2")]), "the last duplicate wins")
    }

    @Test func nestingBeyondTheDepthIsLeftUndecoded() {
        #expect(decode("[[[[1]]]]") == .array([.array([.array([.array([.number("1")])])])]))
        #expect(decode("[[[[[1]]]]]") == .array([.array([.array([.array([.tooDeep])])])]))
        #expect(decode("[[[[[1]]]]] x") == nil)
        let hostile = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(decode(hostile) == .array([.array([.array([.array([.tooDeep])])])]))
    }

    @Test(arguments: ["", "[1,]", "{", #"{"a"}"#, "tru", "01", #""\x""#])
    func invalidJSONIsNil(text: String) {
        #expect(decode(text) == nil)
    }

    @Test func outOfBoundsRangeIsNil() {
        #expect(SimulatedJSONValue.decode(Array("[1]".utf8), range: 0..<9) == nil)
    }
}
