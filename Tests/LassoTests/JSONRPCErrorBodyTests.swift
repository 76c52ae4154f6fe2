import Foundation
import Testing
@testable import Lasso

@Suite struct JSONRPCErrorBodyTests {
    @Test func echoesRawIdBytes() {
        let body = JSONRPCErrorBody.make(id: Array(#""a-1""#.utf8), code: JSONRPCErrorBody.methodNotFound, message: "eth_sign is disabled")
        #expect(String(decoding: body, as: UTF8.self)
            == #"{"jsonrpc":"2.0","id":"a-1","error":{"code":-32601,"message":"eth_sign is disabled"}}"#)
        #expect(String(decoding: JSONRPCErrorBody.make(code: -32700, message: "Parse error"), as: UTF8.self)
            == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
    }

    @Test func escapesMessagesSoTheyRoundTrip() throws {
        let message = "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} unicode é😀 slash /"
        let body = JSONRPCErrorBody.make(id: Array("7".utf8), code: -32000, message: message)
        #expect(String(decoding: body, as: UTF8.self).contains(#"quote \" backslash \\ newline \n tab \t bell \u0007 nul \u0000"#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["message"] as? String == message)
        #expect(error["code"] as? Int == -32000)
        #expect(object["id"] as? Int == 7)
        let scan = try #require(JSONRPCScanner.scanResponse(body))
        #expect(scan.errorCode == -32000)
        #expect(JSONRPCScanner.decodeString(body, token: try #require(scan.errorMessage)) == message)
    }
}
