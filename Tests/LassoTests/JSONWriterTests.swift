import Foundation
import Testing
@testable import Lasso

@Suite struct JSONWriterTests {
    @Test func escapesQuotesBackslashesAndControlCharacters() {
        var json = JSONWriter()
        json.beginObject()
        json.string("m", "a\"b\\c\nd\u{01}é")
        json.endObject()
        #expect(String(decoding: json.finish(), as: UTF8.self) == #"{"m":"a\"b\\c\nd\u0001é"}"#)
    }

    /// The eight-bytes-at-a-time scan must find a special character at every offset within a
    /// word, and must not flag UTF-8 continuation bytes.
    @Test(arguments: ["\"", "\\", "\n", "\u{1F}", "é", "🇩🇪", "\u{7F}"])
    func escapingFindsSpecialsAtEveryOffset(special: String) throws {
        for offset in 0..<20 {
            let text = String(repeating: "a", count: offset) + special + String(repeating: "b", count: 19 - offset)
            var json = JSONWriter()
            json.beginObject()
            json.string("k", text)
            json.endObject()
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.finish())) as? [String: String])
            #expect(object["k"] == text)
        }
    }

    @Test(arguments: [
        (UInt64(0), "0"), (592_000_000, "592"), (1_500_000, "1.5"), (12_345, "0.012"),
        (999, "0"), (1_000_120_000, "1000.12"),
    ])
    func millisecondsAtMicrosecondResolution(nanos: UInt64, expected: String) {
        var json = JSONWriter()
        json.beginObject()
        json.milliseconds("t", nanos: nanos)
        json.endObject()
        #expect(String(decoding: json.finish(), as: UTF8.self) == "{\"t\":\(expected)}")
    }

    @Test func nestedContainersGetCommasAndParseBack() throws {
        var json = JSONWriter()
        json.beginObject()
        json.int("a", -42)
        json.beginArray("list")
        json.stringValue("x")
        json.stringValue("p", UInt8(ascii: ":"), "http")
        json.endArray()
        json.beginObject("o")
        json.bool("t", true)
        json.null("n")
        json.endObject()
        json.int("z", Int.min)
        json.key("grown")
        json.stringValue(String(repeating: "x", count: 700))
        json.endObject()
        let bytes = json.finish()
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == #"{"a":-42,"list":["x","p:http"],"o":{"t":true,"n":null},"z":-9223372036854775808,"grown":""#
            + String(repeating: "x", count: 700) + #""}"#)
        #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
    }

    // The simulated providers write every value with one function whatever its place (member,
    // array element, whole document): these pin that, from the simulator's former writer.

    @Test func commasGoBetweenMembersAndElementsAtEveryLevel() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.string("a", "0xff")
        writer.key("b")
        writer.beginArray()
        writer.beginArray()
        writer.endArray()
        writer.stringValue("x")
        writer.beginObject()
        writer.endObject()
        writer.nullValue()
        writer.endArray()
        writer.bool("c", false)
        writer.key("d")
        writer.rawValue("7".utf8)
        writer.key("e")
        writer.integerValue(-32602)
        writer.endObject()
        #expect(String(decoding: writer.finish(), as: UTF8.self) == #"{"a":"0xff","b":[[],"x",{},null],"c":false,"d":7,"e":-32602}"#)
    }

    @Test func stringsAreEscaped() {
        var writer = JSONWriter()
        writer.stringValue("q\"\\\n\u{1}é")
        #expect(String(decoding: writer.finish(), as: UTF8.self) == #""q\"\\\n\u0001é""#)
    }

    @Test func topLevelScalarsNeedNoContainer() {
        var writer = JSONWriter()
        writer.stringValue("0x0")
        #expect(writer.finish() == Array(#""0x0""#.utf8))
    }

    @Test func lassodsOwnRequestsHaveOneEnvelope() {
        let body = JSONRPCRequestBody.make("eth_subscribe", id: 0) { $0.raw("params", #"["newHeads"]"#.utf8) }
        #expect(body == Array(#"{"jsonrpc":"2.0","id":0,"method":"eth_subscribe","params":["newHeads"]}"#.utf8))
    }
}
