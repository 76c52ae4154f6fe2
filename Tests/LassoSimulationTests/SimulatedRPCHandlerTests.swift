import Supervision
import Foundation
import Testing
import Lasso
@testable import LassoSimulation

/// Chain 1, head 100 at instant 0, one block per second.
private let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)
private let handler = SimulatedRPCHandler(chain: chain)

private func request(_ method: String, _ params: String = "[]", id: String = "1") -> String {
    #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":\#(params)}"#
}

private func reply(_ body: String, _ behavior: SimulatedProviderBehavior = .healthy,
                   now: RuntimeInstant = .zero, using handler: SimulatedRPCHandler = handler) -> SimulatedReply {
    handler.handleHTTP(body: Array(body.utf8), behavior: behavior, now: now)
}

private func text(_ body: String, _ behavior: SimulatedProviderBehavior = .healthy, now: RuntimeInstant = .zero,
                  using handler: SimulatedRPCHandler = handler) -> String {
    reply(body, behavior, now: now, using: handler).response?.bodyText ?? "<no response>"
}

private func object(_ body: String, _ behavior: SimulatedProviderBehavior = .healthy, now: RuntimeInstant = .zero,
                    using handler: SimulatedRPCHandler = handler) throws -> [String: Any] {
    let bytes = Data(text(body, behavior, now: now, using: handler).utf8)
    return try #require(try JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed]) as? [String: Any])
}

private func result(_ method: String, _ params: String = "[]", _ behavior: SimulatedProviderBehavior = .healthy,
                    now: RuntimeInstant = .zero, using handler: SimulatedRPCHandler = handler) throws -> Any? {
    let response = try object(request(method, params), behavior, now: now, using: handler)
    #expect(response["error"] == nil, "unexpected error: \(String(describing: response["error"]))")
    return response["result"]
}

private func error(_ method: String, _ params: String = "[]", _ behavior: SimulatedProviderBehavior = .healthy,
                   now: RuntimeInstant = .zero, using handler: SimulatedRPCHandler = handler) throws -> (code: Int, message: String, data: String?) {
    let response = try object(request(method, params), behavior, now: now, using: handler)
    let error = try #require(response["error"] as? [String: Any], "expected an error, got \(response)")
    return (try #require(error["code"] as? Int), try #require(error["message"] as? String), error["data"] as? String)
}

@Suite struct SimulatedRPCHandlerTests {
    // MARK: - Identity and head

    @Test func chainIdentity() throws {
        #expect(text(request("eth_chainId")) == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        #expect(try result("net_version") as? String == "1")
        #expect(try result("eth_syncing") as? Bool == false)
        #expect(try result("net_listening") as? Bool == true)
        #expect((try result("web3_clientVersion") as? String)?.hasPrefix("lassod-simulated/") == true)
        let base = SimulatedRPCHandler(chain: SimulatedChain(chainID: 8453, blockIntervalMs: 2_000))
        #expect(try result("eth_chainId", using: base) as? String == "0x2105")
    }

    @Test(arguments: ["7", #""abc""#, "null", "1.0e3", "-0", #""\u0041""#, "18446744073709551616", #""""#])
    func idIsEchoedByteForByte(id: String) {
        #expect(text(request("eth_chainId", id: id)) == #"{"jsonrpc":"2.0","id":\#(id),"result":"0x1"}"#)
        #expect(text(request("no_such_method", id: id)).hasPrefix(#"{"jsonrpc":"2.0","id":\#(id),"error":"#))
    }

    @Test func blockNumberFollowsTheClockAndRespectsLag() throws {
        #expect(try result("eth_blockNumber") as? String == "0x64")
        #expect(try result("eth_blockNumber", now: RuntimeInstant(milliseconds: 5_500)) as? String == "0x69")
        #expect(try result("eth_blockNumber", "[]", .lagging(blocks: 4)) as? String == "0x60")
        #expect(try result("eth_blockNumber", "[]", .lagging(blocks: 4), now: RuntimeInstant(milliseconds: 5_500)) as? String == "0x65")
        #expect(try result("eth_blockNumber", "[]", .lagging(blocks: 1_000)) as? String == "0x0")
        #expect(handler.providerHead(at: .zero, behavior: .lagging(blocks: 3)) == 97)
    }

    // MARK: - Blocks

    @Test func getBlockByNumberTagsAndNumbers() throws {
        func number(_ tag: String, _ behavior: SimulatedProviderBehavior = .healthy) throws -> String? {
            (try result("eth_getBlockByNumber", #"["\#(tag)", false]"#, behavior) as? [String: Any])?["number"] as? String
        }
        #expect(try number("0x2a") == "0x2a")
        #expect(try number("0X2A") == "0x2a")
        #expect(try number("latest") == "0x64")
        #expect(try number("pending") == "0x64")
        #expect(try number("earliest") == "0x0")
        #expect(try number("safe") == "0x44")
        #expect(try number("finalized") == "0x24")
        #expect(try number("latest", .lagging(blocks: 10)) == "0x5a")
    }

    @Test func getBlockByNumberBodyIsTheChainsBlock() {
        #expect(text(request("eth_getBlockByNumber", #"["0x2a", false]"#))
            == #"{"jsonrpc":"2.0","id":1,"result":"# + String(decoding: chain.block(42).json(fullTransactions: false), as: UTF8.self) + "}")
        #expect(text(request("eth_getBlockByNumber", #"["0x2a", true]"#))
            == #"{"jsonrpc":"2.0","id":1,"result":"# + String(decoding: chain.block(42).json(fullTransactions: true), as: UTF8.self) + "}")
        #expect(text(request("eth_getBlockByNumber", #"["0x2a"]"#)) == text(request("eth_getBlockByNumber", #"["0x2a", false]"#)))
    }

    @Test func futureBlocksAreNull() throws {
        #expect(text(request("eth_getBlockByNumber", #"["0x65", false]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getBlockByNumber", #"["0x64", false]"#), .lagging(blocks: 1))
            == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getBlockByNumber", #"["0x65", false]"#), now: RuntimeInstant(milliseconds: 1_000))
            != #"{"jsonrpc":"2.0","id":1,"result":null}"#)
    }

    @Test func getBlockByHash() throws {
        let block = try #require(try result("eth_getBlockByHash", #"["\#(chain.blockHash(77))", true]"#) as? [String: Any])
        #expect(block["number"] as? String == "0x4d")
        #expect((block["transactions"] as? [[String: Any]])?.count == chain.transactionCount(inBlock: 77))
        #expect(text(request("eth_getBlockByHash", #"["\#(chain.blockHash(101))", false]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getBlockByHash", #"["0x\#(String(repeating: "0", count: 64))"]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(try error("eth_getBlockByHash", #"["0x12"]"#).code == -32602)
    }

    @Test(arguments: [#"[]"#, #"["latest!"]"#, #"[12]"#, #"["0x"]"#, #"["0x1ffffffffffffffff"]"#, #"["latest", "yes"]"#, #"[null]"#])
    func badBlockParametersAreInvalidParams(params: String) throws {
        let failure = try error("eth_getBlockByNumber", params)
        #expect(failure.code == -32602)
        #expect(failure.message.contains("argument"))
    }

    // MARK: - State

    @Test func getBalance() throws {
        let address = "0x00000000219ab540356cBB839Cbe05303d7705Fa"
        #expect(try result("eth_getBalance", #"["\#(address)", "latest"]"#) as? String == chain.balance(of: address))
        #expect(try result("eth_getBalance", #"["\#(address)"]"#) as? String == chain.balance(of: address))
        #expect(try result("eth_getBalance", #"["\#(address)", "0x10"]"#) as? String == chain.balance(of: address))
        #expect(try error("eth_getBalance", #"["0x1234", "latest"]"#).code == -32602)
        #expect(try error("eth_getBalance", "[]").code == -32602)
        let future = try error("eth_getBalance", #"["\#(address)", "0x65"]"#)
        #expect(future.code == -32000)
        #expect(future.message == "header not found")
        #expect(try error("eth_getBalance", #"["\#(address)", "0x64"]"#, .lagging(blocks: 2)).message == "header not found")
    }

    @Test func stateQueriesTakeEIP1898BlockSelectors() throws {
        let address = "0x00000000219ab540356cbb839cbe05303d7705fa"
        #expect(try result("eth_getBalance", #"["\#(address)", {"blockHash":"\#(chain.blockHash(90))"}]"#) as? String
            == chain.balance(of: address))
        #expect(try result("eth_getBalance", #"["\#(address)", {"blockNumber":"0x5a"}]"#) as? String == chain.balance(of: address))
        #expect(try error("eth_getBalance", #"["\#(address)", {"blockHash":"\#(chain.blockHash(101))"}]"#).message == "header not found")
        #expect(try error("eth_getBalance", #"["\#(address)", {"blockNumber":"0x65"}]"#).message == "header not found")
        #expect(try error("eth_getBalance", #"["\#(address)", {"blockHash":"0x12"}]"#).code == -32602)
        #expect(try error("eth_getBalance", #"["\#(address)", {}]"#).code == -32602)
        #expect(try error("eth_call", #"[{"to":"\#(SimulatedChain.revertingAddress)"}, {"blockNumber":"latest"}]"#).code == 3)
    }

    @Test func gasPrices() throws {
        #expect(try result("eth_gasPrice") as? String == SimulatedHex.quantity(chain.baseFee(ofBlock: 100) + SimulatedChain.gwei))
        #expect(try result("eth_maxPriorityFeePerGas") as? String == "0x3b9aca00")
    }

    @Test func ethCallReturnsADeterministicWord() throws {
        let call = #"[{"to":"0xA0b86991c6218b36c1d19d4a2e9eb0ce3606eB48","data":"0x70a08231"}, "latest"]"#
        let word = try #require(try result("eth_call", call) as? String)
        #expect(SimulatedHex.isData(word, byteCount: 32))
        #expect(try result("eth_call", call) as? String == word)
        #expect(try result("eth_call", #"[{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","input":"0x70a08231"}]"#) as? String == word)
        #expect(try result("eth_call", #"[{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","data":"0x18160ddd"}]"#) as? String != word)
        #expect(try result("eth_call", #"[{"data":"0x6080"}]"#) as? String == "0x")
        #expect(try error("eth_call", #"[{"to":"0x12","data":"0x"}]"#).code == -32602)
        #expect(try error("eth_call", #"[{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48","data":"0x7"}]"#).code == -32602)
        #expect(try error("eth_call", #"["0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"]"#).code == -32602)
        #expect(try error("eth_call", #"[{"to":"0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"}, "0x99999"]"#).message == "header not found")
    }

    @Test func callToTheKnownAddressReverts() throws {
        let failure = try error("eth_call", #"[{"to":"\#(SimulatedChain.revertingAddress.uppercased().replacingOccurrences(of: "0X", with: "0x"))","data":"0x"}, "latest"]"#)
        #expect(failure.code == 3)
        #expect(failure.message == "execution reverted: simulated revert")
        let data = try #require(failure.data)
        #expect(data == "0x08c379a0"
            + "0000000000000000000000000000000000000000000000000000000000000020"
            + "0000000000000000000000000000000000000000000000000000000000000010"
            + "73696d756c617465642072657665727400000000000000000000000000000000")
        let verdict = ErrorClassification.classify(.response(httpStatus: 200,
            rpcError: UpstreamRPCError(code: failure.code, message: failure.message, data: data), retryAfter: nil))
        #expect(verdict == .callerFault(.executionReverted))
    }

    @Test func feeHistory() throws {
        let history = try #require(try result("eth_feeHistory", #"["0x4", "latest", [25, 75]]"#) as? [String: Any])
        #expect(history["oldestBlock"] as? String == "0x61")
        #expect(history["baseFeePerGas"] as? [String] == (97...101).map { SimulatedHex.quantity(chain.baseFee(ofBlock: $0)) })
        #expect((history["gasUsedRatio"] as? [Double])?.count == 4)
        #expect(history["reward"] as? [[String]] == Array(repeating: ["0x3b9aca00", "0x3b9aca00"], count: 4))
        let fromInteger = try #require(try result("eth_feeHistory", #"[2, "0x5"]"#) as? [String: Any])
        #expect(fromInteger["oldestBlock"] as? String == "0x4")
        #expect(fromInteger["reward"] == nil)
        let early = try #require(try result("eth_feeHistory", #"["0x400", "0x2"]"#) as? [String: Any])
        #expect(early["oldestBlock"] as? String == "0x0")
        #expect((early["baseFeePerGas"] as? [String])?.count == 4)
        let none = try #require(try result("eth_feeHistory", #"["0x0", "latest"]"#) as? [String: Any])
        #expect((none["baseFeePerGas"] as? [String])?.isEmpty == true)
        #expect(try error("eth_feeHistory", #"["0x4", "0x65"]"#).message == "header not found")
        #expect(try error("eth_feeHistory", #"["0x4"]"#).code == -32602)
        #expect(try error("eth_feeHistory", #"[true, "latest"]"#).code == -32602)
        #expect(try error("eth_feeHistory", #"["0x4", "latest", ["50"]]"#).code == -32602)
    }

    /// A chain whose head sits at the top of the number space answers every method without
    /// trapping on block arithmetic.
    @Test func extremeHeadsNeverTrap() throws {
        let top = SimulatedRPCHandler(chain: SimulatedChain(chainID: .max, blockIntervalMs: 1, headAtStart: .max - 1))
        let now = RuntimeInstant(milliseconds: .max)
        let requests = [
            request("eth_blockNumber"), request("eth_getBlockByNumber", #"["latest", true]"#),
            request("eth_getBlockByNumber", #"["safe"]"#), request("eth_getLogs", #"[{"fromBlock":"earliest"}]"#),
            request("eth_getLogs", #"[{}]"#), request("eth_feeHistory", #"["0x400", "latest", [50]]"#),
            request("eth_gasPrice"), request("eth_chainId"),
            request("eth_getBalance", #"["0x0000000000000000000000000000000000000001", "0xffffffffffffffff"]"#),
        ]
        for body in requests {
            let response = try #require(top.handleHTTP(body: Array(body.utf8), behavior: .healthy, now: now).response)
            #expect((try? JSONSerialization.jsonObject(with: Data(response.body))) != nil, "\(body)")
        }
        #expect(try result("eth_chainId", using: top) as? String == "0xffffffffffffffff")
        var subscriptions = top.makeSubscriptions(connectionSeed: 1)
        _ = top.handleWebSocket(message: Array(request("eth_subscribe", #"["newHeads"]"#).utf8), behavior: .healthy,
                                now: .zero, subscriptions: &subscriptions)
        #expect(subscriptions.tick(behavior: .healthy, now: now).map(\.blockNumber) == [.max])
    }

    @Test func estimateGas() throws {
        #expect(try result("eth_estimateGas", #"[{"to":"0x0000000000000000000000000000000000000001","value":"0x1"}]"#) as? String == "0x5208")
        #expect(try result("eth_estimateGas", #"[{"to":"\#(SimulatedChain.logEmitters[0])","data":"0xa9059cbb"}]"#) as? String == "0xc822")
        #expect(try error("eth_estimateGas", #"[{"to":"\#(SimulatedChain.revertingAddress)"}]"#).code == 3)
    }

    @Test func nonceAndCode() throws {
        let account = "0x00000000219ab540356cbb839cbe05303d7705fa"
        let nonce = try #require(try result("eth_getTransactionCount", #"["\#(account)", "latest"]"#) as? String)
        #expect(nonce == SimulatedHex.quantity(chain.transactionCount(of: account)))
        #expect(try result("eth_getCode", #"["\#(account)", "latest"]"#) as? String == "0x")
        #expect((try result("eth_getCode", #"["\#(SimulatedChain.logEmitters[2])"]"#) as? String)?.hasPrefix("0x6080") == true)
        #expect((try result("eth_getCode", #"["\#(SimulatedChain.revertingAddress)"]"#) as? String)?.count ?? 0 > 2)
        #expect(try error("eth_getCode", #"["0x01"]"#).code == -32602)
    }

    @Test func transactionsAndReceiptsByHash() throws {
        let transaction = chain.transaction(block: 60, index: 1)
        let byHash = try #require(try result("eth_getTransactionByHash", #"["\#(transaction.hash)"]"#) as? [String: Any])
        #expect(byHash["hash"] as? String == transaction.hash)
        #expect(byHash["blockNumber"] as? String == "0x3c")
        #expect(byHash["transactionIndex"] as? String == "0x1")
        #expect(byHash["from"] as? String == transaction.from)
        let receipt = try #require(try result("eth_getTransactionReceipt", #"["\#(transaction.hash)"]"#) as? [String: Any])
        #expect(receipt["status"] as? String == "0x1")
        #expect(receipt["blockHash"] as? String == chain.blockHash(60))
        let logs = try #require(receipt["logs"] as? [[String: Any]])
        #expect(logs.map { $0["transactionHash"] as? String } == [transaction.hash])
        #expect(logs.first?["logIndex"] as? String == "0x1")

        let future = chain.transaction(block: 101, index: 0).hash
        #expect(text(request("eth_getTransactionByHash", #"["\#(future)"]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getTransactionReceipt", #"["\#(future)"]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getTransactionByHash", #"["\#(chain.transactionHash(block: 60, index: 9))"]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(text(request("eth_getTransactionByHash", #"["\#(chain.blockHash(60))"]"#)) == #"{"jsonrpc":"2.0","id":1,"result":null}"#)
        #expect(try error("eth_getTransactionReceipt", "[]").code == -32602)
    }

    // MARK: - Errors and framing

    @Test func everySupportedMethodIsAnswered() {
        #expect(SimulatedRPCHandler.supportedMethods.count == 21)
        var subscriptions = handler.makeSubscriptions(connectionSeed: 1)
        for method in SimulatedRPCHandler.supportedMethods {
            let body = Array(request(method, "[]").utf8)
            let answer = handler.handleWebSocket(message: body, behavior: .healthy, now: .zero, subscriptions: &subscriptions)
            #expect(answer.response?.bodyText.contains("-32601") == false, "\(method)")
        }
    }

    @Test func unknownMethod() throws {
        let failure = try error("eth_sendRawTransaction", #"["0x00"]"#)
        #expect(failure.code == -32601)
        #expect(failure.message == "the method eth_sendRawTransaction does not exist/is not available")
    }

    @Test func namedParamsAreRefused() throws {
        #expect(try error("eth_getBalance", #"{"address":"0x00"}"#).code == -32602)
    }

    @Test(arguments: ["", "{", "[1,", #"{"jsonrpc":"2.0","id":1,"method":"eth_chainId""#, "nope", "\u{FF}"])
    func unparsableBodiesGetParseErrorWithNullId(body: String) {
        #expect(text(body) == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#)
    }

    @Test func invalidRequestsEchoTheirId() throws {
        #expect(text(#"{"jsonrpc":"1.0","id":"x","method":"eth_chainId"}"#)
            == #"{"jsonrpc":"2.0","id":"x","error":{"code":-32600,"message":"Invalid Request: jsonrpc must be \"2.0\""}}"#)
        #expect(text(#"{"jsonrpc":"2.0","id":5}"#)
            == #"{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"Invalid Request: missing method"}}"#)
        #expect(text(#"{"jsonrpc":"2.0","id":{"a":1},"method":"eth_chainId"}"#).contains(#""id":null"#))
        #expect(text("42").contains(#""code":-32600"#))
    }

    @Test func subscriptionsAreNotOfferedOverHTTP() throws {
        let failure = try error("eth_subscribe", #"["newHeads"]"#)
        #expect(failure.code == -32601)
        #expect(failure.message == "notifications not supported")
        #expect(try error("eth_unsubscribe", #"["0x1"]"#).message == "notifications not supported")
    }

    @Test func notificationGetsAnEmptyBody() throws {
        let response = try #require(reply(#"{"jsonrpc":"2.0","method":"eth_chainId"}"#).response)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    // MARK: - Batches

    @Test func batchWithMixedElements() throws {
        let body = "[" + [
            request("eth_chainId", id: "1"),
            #"{"jsonrpc":"2.0","method":"eth_blockNumber"}"#,
            "5",
            #"{"jsonrpc":"2.0","id":"v","method":7}"#,
            request("eth_nope", id: #""u""#),
            request("eth_blockNumber", id: "null"),
            request("eth_getBalance", #"["bad"]"#, id: "9"),
        ].joined(separator: " , ") + "]"
        let output = text(body)
        let elements = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(elements.count == 6)
        #expect(elements[0]["result"] as? String == "0x1")
        #expect(elements[0]["id"] as? Int == 1)
        #expect((elements[1]["error"] as? [String: Any])?["code"] as? Int == -32600)
        #expect(elements[1]["id"] is NSNull)
        #expect((elements[2]["error"] as? [String: Any])?["code"] as? Int == -32600)
        #expect(elements[2]["id"] as? String == "v")
        #expect((elements[3]["error"] as? [String: Any])?["code"] as? Int == -32601)
        #expect(elements[3]["id"] as? String == "u")
        #expect(elements[4]["result"] as? String == "0x64")
        #expect(elements[4]["id"] is NSNull)
        #expect((elements[5]["error"] as? [String: Any])?["code"] as? Int == -32602)
        #expect(output.hasPrefix(#"[{"jsonrpc":"2.0","id":1,"result":"0x1"},"#))
    }

    @Test func batchOfNotificationsHasAnEmptyBody() throws {
        let body = "[" + #"{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","method":"eth_blockNumber","params":[]}"# + "]"
        let response = try #require(reply(body).response)
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
    }

    @Test func emptyAndOversizedBatches() {
        #expect(text("[]") == #"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"empty batch"}}"#)
        let small = SimulatedRPCHandler(chain: chain, limits: .init(maxBatchSize: 2))
        let three = "[" + Array(repeating: request("eth_chainId"), count: 3).joined(separator: ",") + "]"
        #expect(text(three, using: small).contains(#""code":-32600"#))
        #expect(text(three).hasPrefix("[{"))
    }

    /// Thousands of deterministic mutations of real requests (truncations, byte flips, odd
    /// params): every answer is valid JSON or empty, and nothing traps.
    @Test func mutatedBodiesAlwaysGetJSONAnswers() throws {
        let seeds = [
            request("eth_getLogs", #"[{"fromBlock":"0x1","toBlock":"latest","address":["\#(SimulatedChain.logEmitters[0])"],"topics":[null,["\#(SimulatedChain.transferTopic)"]]}]"#),
            request("eth_call", #"[{"to":"\#(SimulatedChain.revertingAddress)","data":"0x1234"},{"blockNumber":"0x5"}]"#),
            request("eth_getBlockByNumber", #"["0x10",true]"#, id: #""x""#),
            "[" + request("eth_getBalance", #"["0x00000000219ab540356cbb839cbe05303d7705fa","earliest"]"#) + "," + request("eth_subscribe", #"["logs",{}]"#) + "]",
            request("eth_getTransactionReceipt", #"["\#(chain.transactionHash(block: 3, index: 1))"]"#),
        ].map { Array($0.utf8) }
        let alphabet = Array(#"{}[]",:0x1fnulltrue -\"#.utf8)
        var subscriptions = handler.makeSubscriptions(connectionSeed: 9)
        var answered = 0
        for (seedIndex, seed) in seeds.enumerated() {
            for round in 0..<400 {
                let noise = DeterministicMixer.mix(UInt64(seedIndex), UInt64(round))
                var body = seed
                switch round % 3 {
                case 0: body = Array(body.prefix(Int(noise % UInt64(body.count + 1))))
                case 1: body[Int(noise % UInt64(body.count))] = alphabet[Int((noise >> 32) % UInt64(alphabet.count))]
                default: body.insert(alphabet[Int((noise >> 32) % UInt64(alphabet.count))], at: Int(noise % UInt64(body.count)))
                }
                for reply in [handler.handleHTTP(body: body, behavior: .healthy, now: .zero),
                              handler.handleWebSocket(message: body, behavior: .lagging(blocks: 7), now: .zero, subscriptions: &subscriptions)] {
                    let response = try #require(reply.response)
                    if response.body.isEmpty { continue }
                    #expect((try? JSONSerialization.jsonObject(with: Data(response.body))) != nil, "\(response.bodyText)")
                    answered += 1
                }
            }
        }
        #expect(answered > 3_000)
    }

    // MARK: - Behaviors

    @Test func slowAnswersCarryTheDelay() throws {
        let response = try #require(reply(request("eth_chainId"), .slow(latencyMs: 1_500)).response)
        #expect(response.delayMs == 1_500)
        #expect(response.bodyText == #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#)
        #expect(reply(request("eth_chainId")).response?.delayMs == 0)
    }

    @Test func downKilledAndHanging() {
        #expect(reply(request("eth_chainId"), .down) == .closeConnection(graceful: true))
        #expect(reply(request("eth_chainId"), .killed) == .closeConnection(graceful: false))
        #expect(reply(request("eth_chainId"), .hanging) == .noReply)
        #expect(reply(request("eth_chainId"), .hanging).response == nil)
    }

    @Test func erroringAsHTTP500() throws {
        let response = try #require(reply(request("eth_chainId"), .erroring(.httpServerError)).response)
        #expect(response.status == 500)
        #expect(response.headers["Content-Type"] == "text/plain")
        #expect(response.bodyText == "Internal Server Error")
        let verdict = ErrorClassification.classify(.response(httpStatus: 500, rpcError: nil, retryAfter: nil))
        #expect(verdict == .providerFault(.httpServerError))
    }

    @Test func erroringAsInternalErrorPerRequest() throws {
        let single = try #require(reply(request("eth_chainId", id: #""q""#), .erroring(.internalError)).response)
        #expect(single.status == 200)
        #expect(single.bodyText == #"{"jsonrpc":"2.0","id":"q","error":{"code":-32603,"message":"internal error"}}"#)
        let batch = "[" + request("eth_chainId", id: "1") + "," + #"{"jsonrpc":"2.0","method":"x"}"# + "," + request("eth_blockNumber", id: "2") + "]"
        #expect(text(batch, .erroring(.internalError))
            == #"[{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"internal error"}},{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"internal error"}}]"#)
    }

    @Test func rateLimitedAnswers429WithRetryAfter() throws {
        let response = try #require(reply(request("eth_chainId", id: "3"), .rateLimited(retryAfterSeconds: 12)).response)
        #expect(response.status == 429)
        #expect(response.headers["Retry-After"] == "12")
        #expect(response.bodyText == #"{"jsonrpc":"2.0","id":3,"error":{"code":-32005,"message":"rate limit exceeded, retry in 12 s"}}"#)
        let retryAfter = ErrorClassification.retryAfter(headerValue: try #require(response.headers["Retry-After"]))
        #expect(ErrorClassification.classify(.response(httpStatus: response.status,
            rpcError: UpstreamRPCError(code: -32005, message: "rate limit exceeded, retry in 12 s"), retryAfter: retryAfter))
            == .rateLimited(retryAfter: .milliseconds(12_000)))
    }

    @Test func stalledSubscriptionStillAnswersRequests() throws {
        #expect(try result("eth_blockNumber", "[]", .stalledSubscription) as? String == "0x64")
    }
}
