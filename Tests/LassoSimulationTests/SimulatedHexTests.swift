import Testing
import Lasso
@testable import LassoSimulation

@Suite struct SimulatedHexTests {
    @Test func quantitiesHaveNoLeadingZeros() {
        #expect(SimulatedHex.quantity(0) == "0x0")
        #expect(SimulatedHex.quantity(26) == "0x1a")
        #expect(SimulatedHex.quantity(.max) == "0xffffffffffffffff")
    }

    @Test func wordsAndData() {
        #expect(SimulatedHex.word(0xAB) == "00000000000000ab")
        #expect(SimulatedHex.data([]) == "0x")
        #expect(SimulatedHex.data([1, .max]) == "0x0000000000000001ffffffffffffffff")
        #expect(SimulatedHex.word(in: "0x0000000000000001ffffffffffffffff", at: 1) == .max)
        #expect(SimulatedHex.word(in: "0x0000000000000001", at: 1) == nil)
        #expect(SimulatedHex.word(in: "0x000000000000000g", at: 0) == nil)
    }

    @Test func parsingQuantities() {
        #expect(SimulatedHex.parseQuantity("0x0") == 0)
        #expect(SimulatedHex.parseQuantity("0X1A") == 26)
        #expect(SimulatedHex.parseQuantity("0x00ff") == 255)
        #expect(SimulatedHex.parseQuantity("0xffffffffffffffff") == .max)
        for bad in ["", "0x", "26", "x1", "0x1g", "0x10000000000000000", "-0x1", "0x 1"] {
            #expect(SimulatedHex.parseQuantity(bad) == nil, "\(bad)")
        }
    }

    @Test func dataChecks() {
        #expect(SimulatedHex.isData("0x" + String(repeating: "aB", count: 20), byteCount: 20))
        #expect(!SimulatedHex.isData("0x" + String(repeating: "ab", count: 19), byteCount: 20))
        #expect(!SimulatedHex.isData(String(repeating: "ab", count: 21), byteCount: 20))
        #expect(SimulatedHex.isData("0x"))
        #expect(SimulatedHex.isData("0xa9059cbb"))
        #expect(!SimulatedHex.isData("0xa9059cb"))
        #expect(!SimulatedHex.isData("0xzz"))
        #expect(SimulatedHex.address(0xFFFF_FFFF_0000_0001, 2, 3) == "0x000000010000000000000002" + "0000000000000003")
    }
}
