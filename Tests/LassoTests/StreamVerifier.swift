import Foundation
import LassoSimulation
import TestSupport

/// Checks what one client received on a subscription against the simulated chain, which
/// makes every block and log deterministically: the exact stream lassod promises.
struct StreamVerifier {
    let chain: SimulatedChain

    /// The problems of a `newHeads` stream: numbers must go up by one, each header must be
    /// the chain's block (same hash, its parent the previous one's hash), none twice.
    /// `skipsAllowed` lists blocks a logged skip may jump over.
    func headsProblems(_ results: [[String: Any]], skipsAllowed: ClosedRange<UInt64>? = nil) -> [String] {
        var problems: [String] = []
        var previous: (number: UInt64, hash: String)?
        for result in results {
            guard let number = TestWebSocket.blockNumber(result), let hash = result["hash"] as? String,
                  let parent = result["parentHash"] as? String else {
                problems.append("unreadable header \(result)")
                continue
            }
            if hash != chain.blockHash(number) { problems.append("block \(number) has hash \(hash), not the chain's") }
            if let previous {
                let skipped = skipsAllowed.map { number > previous.number + 1 && $0.contains(previous.number + 1)
                    && $0.contains(number - 1) } ?? false
                if number != previous.number + 1 && !skipped {
                    problems.append("block \(number) after \(previous.number)")
                } else if !skipped, parent != previous.hash {
                    problems.append("block \(number)'s parent is not block \(previous.number)")
                }
            }
            previous = (number, hash)
        }
        return problems
    }

    /// The problems of a `logs` stream over blocks `from...through`: it must be exactly the
    /// chain's matching logs of those blocks, in order.
    func logsProblems(_ results: [[String: Any]], filter: SimulatedLogFilter, from: UInt64, through: UInt64) -> [String] {
        let expected = (from...through).flatMap { chain.logs(inBlock: $0, matching: filter) }
            .map { "\($0.blockNumber)/\($0.logIndex)/\($0.blockHash)" }
        let received = results.compactMap { result -> String? in
            guard let number = TestWebSocket.blockNumber(result), (from...through).contains(number),
                  let index = (result["logIndex"] as? String).flatMap({ UInt64($0.dropFirst(2), radix: 16) }),
                  let hash = result["blockHash"] as? String else { return nil }
            return "\(number)/\(index)/\(hash)"
        }
        guard received != expected else { return [] }
        let missing = Set(expected).subtracting(received).sorted()
        let extra = received.count - Set(received).count
        return ["logs of blocks \(from)...\(through): \(received.count) received, \(expected.count) expected; missing "
            + "\(missing.prefix(5)); \(extra) repeated"]
    }
}
