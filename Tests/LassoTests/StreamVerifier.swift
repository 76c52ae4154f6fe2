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
            // Live or backfilled, a header is exactly what a live newHeads notification carries.
            if let live = TestWebSocket.object(String(decoding: chain.block(number).headerJSON, as: UTF8.self)),
               !NSDictionary(dictionary: result).isEqual(to: live) {
                problems.append("block \(number)'s header differs from a live newHeads header")
            }
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

    /// `check`'s problems once the client has had time to receive what lassod counts as
    /// delivered: a logs key's `completeThrough` moves when lassod hands the logs to the fan-out,
    /// a moment before they reach the client's socket. Checks again until there is no problem,
    /// for at most 10 s, and returns the last problems seen: a lost log never arrives, so it is
    /// still reported, and so is a duplicate.
    static func settled(_ check: () -> [String]) async -> [String] {
        var problems = check()
        _ = await waitFor {
            problems = check()
            return problems.isEmpty
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

    /// The problems of a `newHeads` stream across a reorg to `fork`: headers of the original
    /// chain, then — from one point on — headers of the fork, each linked to the one before
    /// except at that point (the new head whose parent the client never saw, as geth sends it).
    func headsProblems(_ results: [[String: Any]], reorgingTo fork: SimulatedFork) -> [String] {
        let branch = chain.forked(fork)
        var problems: [String] = []
        var previous: (number: UInt64, hash: String)?
        var onBranch = false
        var switches = 0
        for result in results {
            guard let number = TestWebSocket.blockNumber(result), let hash = result["hash"] as? String,
                  let parent = result["parentHash"] as? String else { continue }
            if !onBranch && number >= fork.fromBlock && hash == branch.blockHash(number) {
                onBranch = true
                switches += 1
            } else {
                let expected = onBranch ? branch.blockHash(number) : chain.blockHash(number)
                if hash != expected { problems.append("block \(number): unexpected hash") }
                if let previous, parent != previous.hash { problems.append("block \(number) not linked") }
            }
            if let previous, number > previous.number + 1 { problems.append("block \(number) after \(previous.number)") }
            previous = (number, hash)
        }
        if switches != 1 { problems.append("\(switches) switches to the fork") }
        return problems
    }

    /// The problems of a `logs` stream across a reorg to `fork`: once every `"removed":true`
    /// retraction is applied, what the client holds for blocks `from...through` must be the
    /// original chain's logs below the fork point and the fork's from it on.
    func logsProblems(_ results: [[String: Any]], filter: SimulatedLogFilter, from: UInt64, through: UInt64,
                      reorgingTo fork: SimulatedFork) -> [String] {
        let branch = chain.forked(fork)
        let expected = Set((from...through).flatMap { number in
            (number < fork.fromBlock ? chain : branch).logs(inBlock: number, matching: filter)
                .map { "\($0.blockNumber)/\($0.logIndex)/\($0.blockHash)" }
        })
        var held: Set<String> = []
        var problems: [String] = []
        for result in results {
            guard let number = TestWebSocket.blockNumber(result), (from...through).contains(number),
                  let index = (result["logIndex"] as? String).flatMap({ UInt64($0.dropFirst(2), radix: 16) }),
                  let hash = result["blockHash"] as? String else { continue }
            let id = "\(number)/\(index)/\(hash)"
            if result["removed"] as? Bool == true {
                if held.remove(id) == nil { problems.append("retracted \(id), never delivered") }
            } else if !held.insert(id).inserted {
                problems.append("\(id) delivered twice")
            }
        }
        if held != expected {
            problems.append("held \(held.count) logs, expected \(expected.count); missing "
                + "\(expected.subtracting(held).sorted().prefix(3)); extra \(held.subtracting(expected).sorted().prefix(3))")
        }
        return problems
    }
}
