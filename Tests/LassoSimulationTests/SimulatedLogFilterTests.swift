import Foundation
import Testing
import Lasso
@testable import LassoSimulation

/// Chain 1, head 100 at instant 0.
private let chain = SimulatedChain(chainID: 1, blockIntervalMs: 1_000, headAtStart: 100)

private func getLogs(_ filter: String, limits: SimulatedRPCHandler.Limits = .init(),
                     behavior: SimulatedProviderBehavior = .healthy) throws -> (logs: [[String: Any]]?, error: [String: Any]?) {
    let handler = SimulatedRPCHandler(chain: chain, limits: limits)
    let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[\#(filter)]}"#
    let reply = handler.handleHTTP(body: Array(body.utf8), behavior: behavior, now: .zero)
    let response = try #require(reply.response)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    return (object["result"] as? [[String: Any]], object["error"] as? [String: Any])
}

private func expected(_ blocks: ClosedRange<UInt64>, _ filter: SimulatedLogFilter = SimulatedLogFilter()) -> [SimulatedLog] {
    blocks.flatMap { chain.logs(inBlock: $0) }.filter(filter.matches)
}

@Suite struct SimulatedLogFilterTests {
    @Test func emptyFilterMatchesEverything() {
        let log = chain.logs(inBlock: 3)[0]
        #expect(SimulatedLogFilter().matches(log))
        #expect(SimulatedLogFilter(addresses: [], topics: [nil, [], nil]).matches(log))
    }

    @Test func addressesAreAnyOfAndCaseInsensitive() {
        let log = chain.logs(inBlock: 3)[0]
        #expect(SimulatedLogFilter(addresses: [log.address.uppercased()]).matches(log))
        let others = SimulatedChain.logEmitters.filter { $0 != log.address }
        #expect(!SimulatedLogFilter(addresses: others).matches(log))
        #expect(SimulatedLogFilter(addresses: others + [log.address]).matches(log))
    }

    @Test func topicsArePositionalWithAlternatives() {
        let log = chain.logs(inBlock: 3)[0]
        let otherEvent = log.topics[0] == SimulatedChain.transferTopic ? SimulatedChain.approvalTopic : SimulatedChain.transferTopic
        #expect(SimulatedLogFilter(topics: [[log.topics[0]]]).matches(log))
        #expect(!SimulatedLogFilter(topics: [[otherEvent]]).matches(log))
        #expect(SimulatedLogFilter(topics: [[otherEvent, log.topics[0]]]).matches(log))
        #expect(SimulatedLogFilter(topics: [nil, [log.topics[1]]]).matches(log))
        #expect(!SimulatedLogFilter(topics: [nil, [log.topics[2]]]).matches(log))
        #expect(SimulatedLogFilter(topics: [nil, nil, [log.topics[2].uppercased()]]).matches(log))
        #expect(!SimulatedLogFilter(topics: [nil, nil, nil, nil]).matches(log), "a 4th position needs a 4th topic")
    }

    @Test func defaultRangeIsTheLatestBlock() throws {
        let response = try getLogs("{}")
        let logs = try #require(response.logs)
        #expect(logs.count == chain.logs(inBlock: 100).count)
        #expect(logs.allSatisfy { $0["blockNumber"] as? String == "0x64" })
        #expect(logs.first?["logIndex"] as? String == "0x0")
        #expect(logs.first?["removed"] as? Bool == false)
    }

    @Test func rangeReturnsEveryLogInOrder() throws {
        let logs = try #require(try getLogs(#"{"fromBlock":"0x10","toBlock":"0x20"}"#).logs)
        let want = expected(16...32)
        #expect(logs.map { $0["transactionHash"] as? String } == want.map(\.transactionHash))
        #expect(logs.map { $0["blockHash"] as? String } == want.map(\.blockHash))
    }

    @Test func rangeIsClampedToTheProvidersHead() throws {
        let logs = try #require(try getLogs(#"{"fromBlock":"0x60","toBlock":"0x1000"}"#).logs)
        #expect(logs.count == expected(96...100).count)
        let lagging = try #require(try getLogs(#"{"fromBlock":"0x60","toBlock":"latest"}"#, behavior: .lagging(blocks: 2)).logs)
        #expect(lagging.count == expected(96...98).count)
        let ahead = try #require(try getLogs(#"{"fromBlock":"0x64","toBlock":"latest"}"#, behavior: .lagging(blocks: 2)).logs)
        #expect(ahead.isEmpty)
        #expect(try #require(try getLogs(#"{"fromBlock":"0x65","toBlock":"0x70"}"#).logs).isEmpty)
    }

    @Test func addressAndTopicFilters() throws {
        let usdc = SimulatedChain.logEmitters[0]
        let byAddress = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"0x64","address":"\#(usdc)"}"#).logs)
        let want = expected(0...100, SimulatedLogFilter(addresses: [usdc]))
        #expect(!want.isEmpty && want.count < expected(0...100).count)
        #expect(byAddress.map { $0["transactionHash"] as? String } == want.map(\.transactionHash))

        let topics = #"[["\#(SimulatedChain.approvalTopic)"]]"#
        let approvals = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"0x64","address":["\#(usdc)","\#(SimulatedChain.logEmitters[1])"],"topics":\#(topics)}"#).logs)
        let wantApprovals = expected(0...100, SimulatedLogFilter(addresses: Array(SimulatedChain.logEmitters.prefix(2)),
                                                                 topics: [[SimulatedChain.approvalTopic]]))
        #expect(!wantApprovals.isEmpty)
        #expect(approvals.map { $0["transactionHash"] as? String } == wantApprovals.map(\.transactionHash))
        #expect(approvals.allSatisfy { ($0["topics"] as? [String])?.first == SimulatedChain.approvalTopic })

        let sender = chain.logs(inBlock: 50)[1].topics[1]
        let bySender = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"0x64","topics":[null,"\#(sender)"]}"#).logs)
        #expect(bySender.map { $0["transactionHash"] as? String } == [chain.logs(inBlock: 50)[1].transactionHash])
    }

    @Test func blockHashSelectsOneBlock() throws {
        let logs = try #require(try getLogs(#"{"blockHash":"\#(chain.blockHash(42))"}"#).logs)
        #expect(logs.map { $0["transactionHash"] as? String } == chain.logs(inBlock: 42).map(\.transactionHash))
        let unknown = try #require(try getLogs(#"{"blockHash":"\#(chain.blockHash(101))"}"#).error)
        #expect(unknown["message"] as? String == "unknown block")
        let both = try #require(try getLogs(#"{"blockHash":"\#(chain.blockHash(42))","fromBlock":"0x1"}"#).error)
        #expect(both["code"] as? Int == -32602)
    }

    @Test func tooManyResultsIsTheInfuraError() throws {
        let limits = SimulatedRPCHandler.Limits(maxLogResults: 20)
        let failure = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"0x64"}"#, limits: limits).error)
        #expect(failure["code"] as? Int == -32005)
        #expect(failure["message"] as? String == "query returned more than 20 results")
        let verdict = ErrorClassification.classify(.response(httpStatus: 200,
            rpcError: UpstreamRPCError(code: -32005, message: "query returned more than 20 results"), retryAfter: nil))
        #expect(verdict == .providerFault(.capability))
        let narrow = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"0x4"}"#, limits: limits).logs)
        #expect(narrow.count == expected(0...4).count)
    }

    @Test func capAppliesToFiltersOnLaterTopicsToo() throws {
        let sender = chain.logs(inBlock: 50)[1].topics[1]
        let filter = #"{"fromBlock":"0x0","toBlock":"0x64","topics":[null,"\#(sender)"]}"#
        let failure = try #require(try getLogs(filter, limits: .init(maxLogResults: 0)).error)
        #expect(failure["message"] as? String == "query returned more than 0 results")
        #expect(try getLogs(filter, limits: .init(maxLogResults: 1)).logs?.count == 1)
    }

    @Test func cheapCountAgreesWithTheLogs() {
        let filters = [SimulatedLogFilter(), SimulatedLogFilter(addresses: [SimulatedChain.logEmitters[1]]),
                       SimulatedLogFilter(topics: [[SimulatedChain.approvalTopic], []])]
        for filter in filters {
            #expect(filter.checksOnlyEmitterAndEvent)
            for block: UInt64 in 0..<50 {
                #expect(chain.admittedLogCount(inBlock: block, filter: filter) == chain.logs(inBlock: block, matching: filter).count)
            }
        }
        #expect(!SimulatedLogFilter(topics: [nil, [SimulatedChain.paddedTopic(SimulatedChain.revertingAddress)]]).checksOnlyEmitterAndEvent)
    }

    @Test func tooWideRangeIsRefusedBeforeScanning() throws {
        let limits = SimulatedRPCHandler.Limits(maxLogBlockRange: 50)
        let failure = try #require(try getLogs(#"{"fromBlock":"0x0","toBlock":"latest"}"#, limits: limits).error)
        #expect(failure["code"] as? Int == -32005)
        #expect(failure["message"] as? String == "block range too large: 101 blocks requested, at most 50 allowed")
        #expect(try getLogs(#"{"fromBlock":"0x33","toBlock":"latest"}"#, limits: limits).logs != nil)
        let verdict = ErrorClassification.classify(.response(httpStatus: 200,
            rpcError: UpstreamRPCError(code: -32005, message: try #require(failure["message"] as? String)), retryAfter: nil))
        #expect(verdict == .providerFault(.capability))
    }

    @Test(arguments: [
        #"{"fromBlock":"0x20","toBlock":"0x10"}"#,
        #"{"fromBlock":"yesterday"}"#,
        #"{"address":"0x12"}"#,
        #"{"address":[1]}"#,
        #"{"address":true}"#,
        #"{"topics":["0x12"]}"#,
        #"{"topics":"0x12"}"#,
        #"{"topics":[null,null,null,null,null]}"#,
        #"{"topics":[[1]]}"#,
        #"{"blockHash":"0x12"}"#,
        #""latest""#,
    ])
    func malformedFiltersAreInvalidParams(filter: String) throws {
        let failure = try #require(try getLogs(filter).error)
        #expect(failure["code"] as? Int == -32602)
    }

    @Test func missingFilterIsInvalidParams() throws {
        let handler = SimulatedRPCHandler(chain: chain)
        let body = #"{"jsonrpc":"2.0","id":1,"method":"eth_getLogs","params":[]}"#
        let text = handler.handleHTTP(body: Array(body.utf8), behavior: .healthy, now: .zero).response?.bodyText ?? ""
        #expect(text.contains(#""code":-32602"#))
    }
}
