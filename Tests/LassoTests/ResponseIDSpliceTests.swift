import Foundation
import Testing
@testable import Lasso

private func splice(_ response: String, _ id: String) -> String? {
    ResponseIDSplice.splice(response: Array(response.utf8), clientID: Array(id.utf8)).map { String(decoding: $0, as: UTF8.self) }
}

@Suite struct ResponseIDSpliceTests {
    @Test(arguments: ["1", #""abc""#, "null", "-1.5e3", #""\"q\"""#, "18446744073709551616"])
    func replacesOnlyTheTopLevelId(clientID: String) {
        let response = #"{"jsonrpc":"2.0", "id" : 9001 ,"result":{"id":7,"logs":[{"id":"x"}],"s":"\"id\":1"}}"#
        #expect(splice(response, clientID)
            == #"{"jsonrpc":"2.0", "id" : "# + clientID + #" ,"result":{"id":7,"logs":[{"id":"x"}],"s":"\"id\":1"}}"#)
    }

    @Test func idAfterAHugeResultIsFound() throws {
        let big = String(repeating: #"{"blockHash":"0xabc","data":"0x00"},"#, count: 5_000)
        let response = #"{"jsonrpc":"2.0","result":["# + big + #"1],"id":"upstream-1"}"#
        let output = try #require(splice(response, "42"))
        #expect(output == #"{"jsonrpc":"2.0","result":["# + big + #"1],"id":42}"#)
    }

    @Test func missingIdIsInserted() {
        #expect(splice(#"{"jsonrpc":"2.0","result":1}"#, "5") == #"{"id":5,"jsonrpc":"2.0","result":1}"#)
        #expect(splice(" {} ", "5") == #" {"id":5} "#)
    }

    @Test func roundTripKeepsEverythingElseByteForByte() throws {
        let response = "{\n  \"id\": 3,\n  \"jsonrpc\": \"2.0\",\n  \"result\": \"0x1\\u0041é\"\n}\n"
        let spliced = try #require(splice(response, #""client""#))
        #expect(try #require(splice(spliced, "3")) == response)
        let object = try JSONSerialization.jsonObject(with: Data(spliced.utf8)) as? [String: Any]
        #expect(object?["id"] as? String == "client")
        #expect(object?["result"] as? String == "0x1Aé")
    }

    @Test(arguments: ["", "[]", #"[{"id":1}]"#, "1", #"{"id":1"#, #"{"id":1} trailing"#, "<html>502 Bad Gateway</html>"])
    func nonObjectResponsesAreRejected(response: String) {
        #expect(splice(response, "1") == nil)
        #expect(JSONRPCScanner.scanResponse(Array(response.utf8)) == nil)
    }

    @Test func requestsCanBeGivenAnUpstreamId() {
        #expect(splice(#"{"jsonrpc":"2.0","id":"client","method":"eth_subscribe","params":["newHeads"]}"#, "17")
            == #"{"jsonrpc":"2.0","id":17,"method":"eth_subscribe","params":["newHeads"]}"#)
        #expect(splice(#"{"jsonrpc":"2.0","method":"m"}"#, "18") == #"{"id":18,"jsonrpc":"2.0","method":"m"}"#)
    }

    @Test func scanOfAnotherBufferIsRefused() throws {
        let long = Array(#"{"jsonrpc":"2.0","result":"0x1234567890","id":1}"#.utf8)
        let short = Array(#"{"id":1}"#.utf8)
        let scan = try #require(JSONRPCScanner.scanResponse(long))
        let clientID = Array("7".utf8)
        let output = short.withUnsafeBytes { response in
            clientID.withUnsafeBytes { ResponseIDSplice.splice(response: response, scan: scan, clientID: $0) }
        }
        #expect(output == nil)
    }

    @Test func extractsErrorCodeAndMessage() throws {
        let response = #"{"jsonrpc":"2.0","id":1,"error":{"data":{"code":1,"message":"decoy"},"code":-32005,"#
            + #""message":"rate \"limited\""}}"#
        let bytes = Array(response.utf8)
        let scan = try #require(JSONRPCScanner.scanResponse(bytes))
        #expect(scan.isError)
        #expect(scan.errorCode == -32005)
        #expect(scan.result == nil)
        let message = try #require(scan.errorMessage)
        #expect(JSONRPCScanner.decodeString(bytes, token: message) == #"rate "limited""#)
    }

    @Test func resultResponsesAndOddErrorsClassify() throws {
        let ok = #"{"jsonrpc":"2.0","id":1,"result":null,"error":null}"#
        let okScan = try #require(JSONRPCScanner.scanResponse(Array(ok.utf8)))
        #expect(!okScan.isError)
        #expect(okScan.result.map { String(decoding: Array(ok.utf8)[$0], as: UTF8.self) } == "null")

        let fractional = try #require(JSONRPCScanner.scanResponse(Array(#"{"id":1,"error":{"code":-32000.5,"message":5}}"#.utf8)))
        #expect(fractional.isError && fractional.errorCode == nil && fractional.errorMessage == nil)
        let huge = try #require(JSONRPCScanner.scanResponse(Array(#"{"id":1,"error":{"code":-99999999999999999999}}"#.utf8)))
        #expect(huge.errorCode == nil)
        let stringError = try #require(JSONRPCScanner.scanResponse(Array(#"{"id":1,"error":"boom"}"#.utf8)))
        #expect(stringError.isError && stringError.errorCode == nil)
        let minimum = try #require(JSONRPCScanner.scanResponse(Array(#"{"error":{"code":-9223372036854775808}}"#.utf8)))
        #expect(minimum.errorCode == Int.min)
    }
}
