import Synchronization
import Supervision

/// Fetches what a subscription stream missed, over HTTP through the normal `RequestPipeline`:
/// breakers, failover between providers, error classification and benchmarks all apply, as to
/// any client request. Not a process: each fetch answers through its completion, which the
/// `StreamCoordinator` turns into a message to itself.
///
/// - Headers: one `eth_getBlockByNumber(n, false)` per block, at most `concurrency` at once;
///   each answer is the block's `result` object, or nil when the provider does not have it
///   (yet) or failed.
/// - Logs: one `eth_getLogs` over the range with the key's filter; the answer is the log
///   objects, sorted by block and log index.
///
/// A fetch names a `Source`: the stream's new upstream when it has one — pinned, as
/// `/rpc/provider/:id` is, so its breaker does not stand in the way: its live events prove it
/// up, while an outage may have opened every breaker for a minute — or else any provider the
/// pipeline picks.
public struct GapFiller: Sendable {
    let pipeline: RequestPipeline
    let clock: any RuntimeClock
    let ids: RequestIDGenerator

    /// Where a fetch is sent.
    public enum Source: Sendable {
        /// Only this provider.
        case pinned(String)
        /// The pipeline's choice, with failover.
        case any
    }

    /// `eth_getBlockByNumber` requests one headers fetch keeps in flight.
    static let concurrency = 8

    /// What one fetch brought back.
    public enum Fetched: Sendable {
        /// `results[i]` is block `range.lowerBound + i`'s result object, nil when missing.
        case headers(range: ClosedRange<UInt64>, results: [[UInt8]?])
        /// The range's logs in chain order (result objects), or why they could not be had.
        case logs(range: ClosedRange<UInt64>, logs: [[UInt8]]?, failure: String?)
    }

    /// Fetches the headers of `range` from `board`'s chain, from `source`.
    func headers(_ range: ClosedRange<UInt64>, board: ChainStateBoard, from source: Source,
                 completion: @escaping @Sendable (Fetched) -> Void) {
        let numbers = Array(range)
        let state = Mutex<(results: [[UInt8]?], next: Int, done: Int)>(
            (Array(repeating: nil, count: numbers.count), 0, 0))
        // Each answer starts the next request, so at most `concurrency` are in flight.
        @Sendable func startNext() {
            let index: Int? = state.withLock { state in
                guard state.next < numbers.count else { return nil }
                defer { state.next += 1 }
                return state.next
            }
            guard let index else { return }
            request("eth_getBlockByNumber", board: board, from: source, params: { json in
                json.beginArray("params")
                json.stringValue(Self.quantity(numbers[index]))
                json.boolValue(false)
                json.endArray()
            }) { body, result in
                let header = result.flatMap { range -> [UInt8]? in
                    let bytes = Array(body[range])
                    return bytes.elementsEqual("null".utf8) ? nil : bytes
                }
                let finished: [[UInt8]?]? = state.withLock { state in
                    state.results[index] = header
                    state.done += 1
                    return state.done == numbers.count ? state.results : nil
                }
                if let finished {
                    completion(.headers(range: range, results: finished))
                } else {
                    startNext()
                }
            }
        }
        for _ in 0..<min(Self.concurrency, numbers.count) { startNext() }
    }

    /// Fetches the logs of `range` matching `filter` (a canonical filter object, `{}` for all).
    func logs(_ range: ClosedRange<UInt64>, filter: String, board: ChainStateBoard, from source: Source,
              completion: @escaping @Sendable (Fetched) -> Void) {
        request("eth_getLogs", board: board, from: source, params: { json in
            json.beginArray("params")
            json.rawValue(Self.filter(filter, from: range.lowerBound, to: range.upperBound).utf8)
            json.endArray()
        }) { body, result in
            guard let result else {
                completion(.logs(range: range, logs: nil, failure: Self.failure(body)))
                return
            }
            completion(.logs(range: range, logs: Self.sortedLogs(body, result), failure: nil))
        }
    }

    /// Asks `source` for its head (`eth_blockNumber`); nil when it did not say.
    func head(board: ChainStateBoard, from source: Source, completion: @escaping @Sendable (UInt64?) -> Void) {
        request("eth_blockNumber", board: board, from: source, params: { json in
            json.beginArray("params")
            json.endArray()
        }) { body, result in
            guard let result, let text = JSONRPCScanner.decodeString(body, token: result), text.hasPrefix("0x") else {
                completion(nil)
                return
            }
            completion(UInt64(text.dropFirst(2), radix: 16))
        }
    }

    /// Sends one request; `completion` gets the answer's bytes and its `result` range (nil for
    /// an error or no answer).
    private func request(_ method: String, board: ChainStateBoard, from source: Source,
                         params: (inout JSONWriter) -> Void,
                         completion: @escaping @Sendable ([UInt8], Range<Int>?) -> Void) {
        let body = JSONRPCRequestBody.make(method, id: 1, params: params)
        guard case .request(let head) = JSONRPCScanner.scanBody(body) else {
            completion([], nil)
            return
        }
        var request = PipelineRequest(board: board, body: body, head: head, strategy: .priority, requestID: ids.next(),
                                      startedAtNanos: clock.now().nanoseconds)
        if case .pinned(let provider) = source { request.pinnedProvider = provider }
        request.httpOnly = true
        pipeline.execute(request) { outcome in
            guard let answer = outcome.body, let scan = JSONRPCScanner.scanResponse(answer), !scan.isError else {
                completion(outcome.body ?? [], nil)
                return
            }
            completion(answer, scan.result)
        }
    }

    /// `filter` with `fromBlock` and `toBlock` set.
    static func filter(_ filter: String, from: UInt64, to: UInt64) -> String {
        let range = #"{"fromBlock":"\#(quantity(from))","toBlock":"\#(quantity(to))""#
        let members = filter.drop { $0 != "{" }.dropFirst().drop { $0 == " " }
        return members.first == "}" || members.isEmpty ? range + "}" : range + "," + members
    }

    static func quantity(_ number: UInt64) -> String { "0x" + String(number, radix: 16) }

    /// The log objects of the array at `result`, sorted by (block number, log index); logs
    /// continuity cannot read are left out.
    private static func sortedLogs(_ body: [UInt8], _ result: Range<Int>) -> [[UInt8]] {
        var elements: [Range<Int>] = []
        let parsed: Bool = body.withUnsafeBytes { bytes in
            var cursor = JSONCursor(bytes, range: result)
            do {
                try cursor.scanArray { elements.append($0) }
                return true
            } catch {
                return false
            }
        }
        guard parsed else { return [] }
        let logs = elements.compactMap { range -> (StreamEvent.Log, [UInt8])? in
            let bytes = Array(body[range])
            guard case .log(let log)? = StreamEvent(result: bytes, range: bytes.indices, kind: .logs) else { return nil }
            return (log, bytes)
        }
        return logs.sorted { ($0.0.block.number, $0.0.logIndex) < ($1.0.block.number, $1.0.logIndex) }.map(\.1)
    }

    /// What an error answer said, for the log.
    private static func failure(_ body: [UInt8]) -> String {
        guard let scan = JSONRPCScanner.scanResponse(body), let message = scan.errorMessage,
              let text = JSONRPCScanner.decodeString(body, token: message) else { return "no answer" }
        return String(text.prefix(200))
    }
}
