import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedJSONWriterTests {
    @Test func commasGoBetweenMembersAndElementsAtEveryLevel() {
        var writer = SimulatedJSONWriter()
        writer.openObject()
        writer.member("a", quantity: 255)
        writer.key("b")
        writer.openArray()
        writer.openArray()
        writer.closeArray()
        writer.string("x")
        writer.openObject()
        writer.closeObject()
        writer.null()
        writer.closeArray()
        writer.member("c", bool: false)
        writer.key("d")
        writer.raw("7".utf8)
        writer.key("e")
        writer.integer(-32602)
        writer.closeObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":"0xff","b":[[],"x",{},null],"c":false,"d":7,"e":-32602}"#)
    }

    @Test func stringsAreEscaped() {
        var writer = SimulatedJSONWriter()
        writer.string("q\"\\\n\u{1}é")
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #""q\"\\\n\u0001é""#)
    }

    @Test func topLevelScalarsNeedNoContainer() {
        var writer = SimulatedJSONWriter()
        writer.quantity(0)
        #expect(writer.bytes == Array(#""0x0""#.utf8))
    }
}
