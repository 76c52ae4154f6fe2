import Testing
@testable import Lasso

/// Helpers to read scanner results as text.
private func scan(_ text: String) -> JSONRPCBodyScan { JSONRPCScanner.scanBody(Array(text.utf8)) }

private func slice(_ text: String, _ range: Range<Int>?) -> String? {
    range.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
}

private func head(_ text: String) throws -> JSONRPCRequestHead {
    guard case .request(let head) = scan(text) else {
        Issue.record("not a valid request: \(scan(text))")
        throw CancellationError()
    }
    return head
}

@Suite struct JSONRPCScannerTests {
    @Test func readsASimpleRequest() throws {
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#
        let request = try head(body)
        #expect(request.method == "eth_blockNumber")
        #expect(slice(body, request.id) == "1")
        #expect(slice(body, request.params) == "[]")
        #expect(!request.isNotification)
    }

    @Test(arguments: [
        (#"1"#, "1"), (#"-7"#, "-7"), (#"1.5e+10"#, "1.5e+10"), (#"123456789012345678901234567890"#, "123456789012345678901234567890"),
        (#""abc""#, #""abc""#), (#""a\"b\\c""#, #""a\"b\\c""#), (#"null"#, "null"), (#""""#, #""""#),
        (#""é😀\u00e9""#, #""é😀\u00e9""#), ("-0.0E-0", "-0.0E-0"),
    ])
    func echoesEveryIdKindAsSent(id: String, expected: String) throws {
        let body = #"{"jsonrpc":"2.0","method":"m","id":"# + id + "}"
        #expect(slice(body, try head(body).id) == expected)
    }

    @Test func absentIdIsANotification() throws {
        let request = try head(#"{"jsonrpc":"2.0","method":"eth_subscribe","params":{"a":1}}"#)
        #expect(request.isNotification)
        #expect(request.params != nil)
    }

    @Test func nestedDecoysAreNotTopLevelMembers() throws {
        let body = #"""
            {"params":[{"method":"decoy","id":99,"jsonrpc":"1.0"},"\"method\":\"decoy2\"",{"x":["id",{"id":[]}]}],
             "id":"real","jsonrpc":"2.0","method":"eth_call"}
            """#
        let request = try head(body)
        #expect(request.method == "eth_call")
        #expect(slice(body, request.id) == #""real""#)
        #expect(slice(body, request.params)?.hasPrefix(#"[{"method":"decoy""#) == true)
    }

    @Test func decodesEscapesInMethodAndKeys() throws {
        #expect(try head(#"{"jsonrpc":"2.0","id":1,"method":"eth_\u0041\"\\\/\n\ud83d\ude00é"}"#).method == "eth_A\"\\/\n😀é")
        let escapedKeys = #"{"\u006a\u0073onrpc":"2\u002e0","\u0069d":5,"m\u0065thod":"x"}"#
        let request = try head(escapedKeys)
        #expect(request.method == "x")
        #expect(slice(escapedKeys, request.id) == "5")
    }

    @Test func toleratesWhitespaceEverywhere() throws {
        let body = " \n\t{ \r\n\"jsonrpc\" :\t\"2.0\" , \"id\" : [ ][0:0] }"
        #expect(scan(body) == .parseError)
        let spaced = " \n\t{ \r\n\"jsonrpc\" :\t\"2.0\" , \"id\" :  42 ,\n \"method\"\n:\n\"m\" , \"params\" : [ 1 , { } ] \t}\n "
        let request = try head(spaced)
        #expect(slice(spaced, request.id) == "42")
        #expect(slice(spaced, request.params) == "[ 1 , { } ]")
    }

    @Test func nullParamsCountAsAbsent() throws {
        #expect(try head(#"{"jsonrpc":"2.0","id":1,"method":"m","params":null}"#).params == nil)
    }

    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":{},"method":"m"}"#, JSONRPCInvalidRequest.Reason.invalidID),
        (#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#, .invalidID),
        (#"{"jsonrpc":"2.0","id":true,"method":"m"}"#, .invalidID),
        (#"{"id":1,"method":"m"}"#, .wrongVersion),
        (#"{"jsonrpc":"1.0","id":1,"method":"m"}"#, .wrongVersion),
        (#"{"jsonrpc":2.0,"id":1,"method":"m"}"#, .wrongVersion),
        (#"{"jsonrpc":"2.0","id":1}"#, .missingMethod),
        (#"{"jsonrpc":"2.0","id":1,"method":5}"#, .methodNotString),
        (#"{"jsonrpc":"2.0","id":1,"method":null}"#, .methodNotString),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":"x"}"#, .invalidParams),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","params":3}"#, .invalidParams),
        (#"{"jsonrpc":"2.0","id":1,"method":"m","method":"n"}"#, .duplicateMember),
        (#"{"jsonrpc":"2.0","id":1,"\u0069d":2,"method":"m"}"#, .duplicateMember),
        (#"{}"#, .wrongVersion),
        (#"1"#, .notAnObject),
        (#""str""#, .notAnObject),
        (#"null"#, .notAnObject),
        (#"  true "#, .notAnObject),
    ])
    func classifiesInvalidRequests(body: String, reason: JSONRPCInvalidRequest.Reason) {
        guard case .invalid(let invalid) = scan(body) else {
            Issue.record("expected invalid request for \(body), got \(scan(body))")
            return
        }
        #expect(invalid.reason == reason)
    }

    @Test func invalidRequestKeepsAValidIdForTheErrorReply() {
        let body = #"{"jsonrpc":"2.0","id":"x7","method":42}"#
        guard case .invalid(let invalid) = scan(body) else { Issue.record("not invalid"); return }
        #expect(slice(body, invalid.id) == #""x7""#)
        guard case .invalid(let badID) = scan(#"{"jsonrpc":"2.0","id":{},"method":"m"}"#) else { Issue.record("not invalid"); return }
        #expect(badID.id == nil)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[", "{\"jsonrpc\":\"2.0\"", #"{"jsonrpc":"2.0","id":1,"method":"m"} x"#,
        #"{"jsonrpc":"2.0","id":1,"method":"m"}{}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"[1,]"#, #"{a:1}"#, "{'a':1}",
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":1e}"#, #"{"a":-}"#, #"{"a":+1}"#, #"{"a":0x10}"#, #"{"a":NaN}"#,
        #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":True}"#, #"{"a":"x}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":"\u12G4"}"#,
        "{\"a\":\"tab\there\"}", "{\"a\":\"nl\nhere\"}", #"{"a":"\ud800"}"#, #"{"a":"\udc00\ud800"}"#, #"{"a":"\ud800\u0041"}"#,
        #"{"a":[1,2}"#, #"{"a":{"b":1]}"#, #"[[[]]"#, #"{"a":1}}"#, "{\"a\":1}\u{0}", "\u{FEFF}{}", #"{"a":"b":"c"}"#,
        #"{"a":1 "b":2}"#, #"{,"a":1}"#, #"[,1]"#, #"{"jsonrpc":"2.0","method":"m","params":[1 2]}"#,
        "\u{0C}{}", "{}\u{0B}", "\u{A0}{}", #"{"a":-01}"#, #"{"a":1e+}"#, #"{"a":--1}"#, #"{"a":"\u00"}"#,
    ])
    func malformedBodiesAreParseErrors(body: String) {
        #expect(scan(body) == .parseError, "\(body.debugDescription)")
    }

    @Test func rejectsInvalidUTF8ButAcceptsValidMultibyte() throws {
        let valid = Array(#"{"jsonrpc":"2.0","id":1,"method":"ü€😀"}"#.utf8)
        guard case .request(let request) = JSONRPCScanner.scanBody(valid) else { Issue.record("valid UTF-8 rejected"); return }
        #expect(request.method == "ü€😀")
        for bad: [UInt8] in [[0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF], [0xC3], [0x80]] {
            let body = Array(#"{"a":""#.utf8) + bad + Array(#""}"#.utf8)
            #expect(JSONRPCScanner.scanBody(body) == .parseError, "\(bad)")
        }
    }

    @Test func deepNestingIsBoundedNotFatal() throws {
        let ok = #"{"jsonrpc":"2.0","id":1,"method":"m","params":"# + String(repeating: "[", count: 200)
            + String(repeating: "]", count: 200) + "}"
        #expect(try head(ok).method == "m")
        let tooDeep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(scan(tooDeep) == .parseError)
        let mismatched = "[" + String(repeating: "{\"a\":[", count: 50) + String(repeating: "]]", count: 50) + "]"
        #expect(scan(mismatched) == .parseError)
    }

    @Test func batchesExposeEachElement() throws {
        let body = #" [ {"jsonrpc":"2.0","id":1,"method":"a"} ,{"jsonrpc":"2.0","method":"b"}, 5 ,[], {"id":2} ] "#
        guard case .batch(let elements) = scan(body) else { Issue.record("not a batch"); return }
        #expect(elements.count == 5)
        #expect(slice(body, elements[2]) == "5")
        let bytes = Array(body.utf8)
        guard case .request(let first) = JSONRPCScanner.scanRequest(bytes, in: elements[0]) else { Issue.record("first"); return }
        #expect(first.method == "a")
        #expect(slice(body, first.id) == "1")
        guard case .request(let second) = JSONRPCScanner.scanRequest(bytes, in: elements[1]) else { Issue.record("second"); return }
        #expect(second.isNotification && second.method == "b")
        #expect(JSONRPCScanner.scanRequest(bytes, in: elements[2]) == .invalid(.init(reason: .notAnObject, id: nil)))
        #expect(JSONRPCScanner.scanRequest(bytes, in: elements[3]) == .invalid(.init(reason: .notAnObject, id: nil)))
        guard case .invalid(let fifth) = JSONRPCScanner.scanRequest(bytes, in: elements[4]) else { Issue.record("fifth"); return }
        #expect(fifth.reason == .wrongVersion && slice(body, fifth.id) == "2")
        #expect(JSONRPCScanner.scanRequest(bytes, in: 0..<(bytes.count + 1)) == .parseError)
    }

    @Test func emptyBatchAndMalformedBatch() {
        #expect(scan("[]") == .batch([]))
        #expect(scan(" [ \n ] ") == .batch([]))
        #expect(scan(#"[{"jsonrpc":"2.0","id":1,"method":"a"},{"id":]"#) == .parseError)
    }

    @Test func decodeStringChecksTheToken() {
        let bytes = Array(#"x"a\tb"y"#.utf8)
        #expect(JSONRPCScanner.decodeString(bytes, token: 1..<7) == "a\tb")
        #expect(JSONRPCScanner.decodeString(bytes, token: 0..<7) == nil)
        #expect(JSONRPCScanner.decodeString(bytes, token: 1..<6) == nil)
        #expect(JSONRPCScanner.decodeString(bytes, token: 1..<99) == nil)
    }
}
