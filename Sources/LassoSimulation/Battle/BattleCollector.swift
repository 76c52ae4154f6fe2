import Foundation
import Lasso
import Synchronization

extension Battle {
    /// lassod's log sink during a battle: keeps every line lassod writes (request log lines and
    /// supervision events), stamped with the time it arrived, and reads them once the run is over.
    /// Writing only appends bytes under a lock: the request hot path calls it.
    public final class Collector: LogSink {
        private let lines = Mutex<[(Double, [UInt8])]>([])
        private let origin = Mutex<ContinuousClock.Instant>(ContinuousClock.now)

        public init() {}

        /// Time zero for the stamps: the start of the load.
        public func markStart(_ instant: ContinuousClock.Instant) {
            origin.withLock { $0 = instant }
        }

        /// Milliseconds since the start.
        public func elapsedMs(_ instant: ContinuousClock.Instant = .now) -> Double {
            let duration = instant - origin.withLock { $0 }
            return Double(duration.components.seconds) * 1_000 + Double(duration.components.attoseconds) / 1e15
        }

        public func write(_ line: [UInt8]) {
            let at = elapsedMs()
            lines.withLock { $0.append((at, line)) }
        }

        public func flush() {}

        /// The request log lines (`rpc.request.completed`) and supervision events seen so far.
        public func parsed() -> (routed: [Observations.Routed], supervision: [Observations.Supervision]) {
            let snapshot = lines.withLock { $0 }
            var routed: [Observations.Routed] = []
            var supervision: [Observations.Supervision] = []
            for (at, bytes) in snapshot {
                guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any],
                      let event = object["event"] as? String else { continue }
                if event == RequestLogLine.event {
                    let routing = object["routing"] as? [String: Any]
                    let selected = (routing?["selected_provider"] as? [String: Any])?["id"] as? String
                    let status = (object["response"] as? [String: Any])?["status"] as? String
                    routed.append(Observations.Routed(atMs: at, chain: object["chain"] as? String ?? "",
                                                      selectedProvider: selected,
                                                      retries: routing?["retries"] as? Int ?? 0,
                                                      succeeded: status == "success"))
                } else if event.hasPrefix("supervision.") {
                    supervision.append(Observations.Supervision(atMs: at, kind: String(event.dropFirst("supervision.".count)),
                                                                supervisor: object["supervisor"] as? String ?? "",
                                                                child: object["child"] as? String))
                }
            }
            return (routed, supervision)
        }
    }
}
