import Dispatch
import Foundation
import Lasso

/// SIGHUP reloads the config through the admin control, exactly like `lassod ctl reload`, and
/// logs the outcome as one JSON line (see ``AdminReload``).
final class ReloadSignal {
    private let source: any DispatchSourceSignal

    /// Routes SIGHUP here for the life of the returned object.
    init(control: any AdminControl, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task { await AdminReload.perform(on: control, logger: logger, trigger: "sighup") }
        }
        source.resume()
    }

    deinit {
        source.cancel()
    }
}
