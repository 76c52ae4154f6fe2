import Dispatch
import Foundation
import Lasso

/// SIGHUP reloads the config through the admin control, exactly like `lassod ctl reload`, and
/// logs the outcome as one JSON line (`lassod.reload`, at `info`, or `error` with the reasons
/// when the file is invalid and nothing changed).
final class ReloadSignal {
    private let source: any DispatchSourceSignal

    /// Routes SIGHUP here for the life of the returned object.
    init(control: any AdminControl, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task {
                do {
                    let diff = try await control.reload()
                    logger.log(.info, "lassod.reload", ["trigger": "sighup", "ok": .bool(true),
                                                        "added": .string(diff.added.joined(separator: ",")),
                                                        "removed": .string(diff.removed.joined(separator: ",")),
                                                        "changed": .string(diff.changed.joined(separator: ",")),
                                                        "unchanged": .int(diff.unchanged.count)])
                } catch {
                    logger.log(.error, "lassod.reload", ["trigger": "sighup", "ok": .bool(false),
                                                         "error": .string("\(error)")])
                }
            }
        }
        source.resume()
    }

    deinit {
        source.cancel()
    }
}
