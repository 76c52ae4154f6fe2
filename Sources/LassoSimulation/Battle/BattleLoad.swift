import Foundation
import Lasso
import LassoTransport
import Supervision

extension Battle {
    /// Carries out one `Workload`: its clients in parallel, each one request at a time, until the
    /// run's end. Each answer is checked against an oracle: a healthy simulated handler of the
    /// same chain, which agrees byte for byte with every provider on fixed blocks.
    struct Load: Sendable {
        let workload: Workload
        let url: String
        let chain: SimulatedChain
        let client: HTTPClient
        let clock: any RuntimeClock
        let seed: UInt64
        let collector: Collector
        let end: RunEnd

        /// The blocks fixed-block methods ask for: well below the head at start.
        static let pastBlocks: UInt64 = 8

        func run(workloadIndex: Int) async -> [Observations.Sample] {
            await withTaskGroup(of: [Observations.Sample].self) { group in
                for client in 0..<workload.concurrency {
                    group.addTask { await runClient(UInt64(workloadIndex * 10_000 + client)) }
                }
                var samples: [Observations.Sample] = []
                for await part in group { samples += part }
                return samples
            }
        }

        private func now() -> RuntimeInstant { clock.now() }

        private func runClient(_ clientID: UInt64) async -> [Observations.Sample] {
            let oracle = SimulatedRPCHandler(chain: chain)
            let totalWeight = workload.methods.reduce(0) { $0 + $1.1 }
            let firstBlock = chain.head(at: now()) - 20
            var samples: [Observations.Sample] = []
            var counter: UInt64 = 0
            while collector.elapsedMs() < end.ms, totalWeight > 0 {
                counter += 1
                let draw = Int(DeterministicMixer.mix(seed, clientID, counter) % UInt64(totalWeight))
                var cumulative = 0
                let method = workload.methods.first { cumulative += $0.1; return draw < cumulative }?.0 ?? .chainID
                // Never 1, lassod's probe id: a provider telling client requests from probes by id.
                let id = (clientID + 1) * 1_000_000 + counter
                let block = "0x" + String(firstBlock - counter % Self.pastBlocks, radix: 16)
                let params = switch method {
                case .chainID, .blockNumber: "[]"
                case .blockByNumber: "[\"\(block)\",false]"
                case .balance: "[\"0x\(String(repeating: "0", count: 38))aa\",\"\(block)\"]"
                }
                let body = #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method.rawValue)","params":\#(params)}"#
                let headBefore = chain.head(at: now())
                let start = collector.elapsedMs()
                let failure: String?
                // The latency ends when the reply is in: checking it is the load generator's work.
                let end: Double
                do {
                    let response = try await client.post(url, body: Array(body.utf8), timeout: .seconds(15))
                    end = collector.elapsedMs()
                    failure = check(response.body, id: id, method: method, request: Array(body.utf8), oracle: oracle,
                                    heads: headBefore...chain.head(at: now()))
                } catch {
                    end = collector.elapsedMs()
                    failure = Self.reason(error)
                }
                samples.append(Observations.Sample(startMs: start, latencyMs: end - start,
                                                   chain: workload.chain, method: method.rawValue, failure: failure, id: id))
            }
            return samples
        }

        /// A short, countable reason for a transport failure (no addresses, no numbers that vary).
        static func reason(_ error: HTTPClientError) -> String {
            let text = "\(error)"
            let head = text.prefix { $0 != "(" && $0 != ":" }
            return "http: " + head
        }

        /// Nil when `body` is the right answer to request `id`; otherwise why not.
        func check(_ body: [UInt8], id: UInt64, method: Workload.Method, request: [UInt8], oracle: SimulatedRPCHandler,
                   heads: ClosedRange<UInt64>) -> String? {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
                return "unparsable reply"
            }
            guard let echoed = object["id"] as? NSNumber, echoed.uint64Value == id else { return "wrong id" }
            if let error = object["error"] as? [String: Any] {
                return "error \(error["code"].map { "\($0)" } ?? "?")"
            }
            guard let result = object["result"] else { return "no result" }
            switch method {
            case .chainID:
                return result as? String == "0x" + String(chain.chainID, radix: 16) ? nil : "wrong chain id"
            case .blockNumber:
                guard let text = result as? String, text.hasPrefix("0x"), let number = UInt64(text.dropFirst(2), radix: 16) else {
                    return "block number not a quantity"
                }
                // A head a few blocks behind is a provider still catching up, not a wrong answer.
                let lowest = heads.lowerBound > Self.pastBlocks ? heads.lowerBound - Self.pastBlocks : 0
                return (lowest...(heads.upperBound + 1)).contains(number) ? nil : "block number out of range"
            case .blockByNumber, .balance:
                guard let expected = oracle.handleHTTP(body: request, behavior: .healthy, now: now()).response?.body,
                      let wanted = (try? JSONSerialization.jsonObject(with: Data(expected))) as? [String: Any],
                      let wantedResult = wanted["result"] else { return "oracle has no answer" }
                return Self.canonical(result) == Self.canonical(wantedResult) ? nil : "wrong result"
            }
        }

        static func canonical(_ value: Any) -> Data? {
            try? JSONSerialization.data(withJSONObject: ["v": value], options: [.sortedKeys])
        }
    }
}
