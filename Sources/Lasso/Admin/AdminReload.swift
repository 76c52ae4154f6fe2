/// A reload that is not asked for over the socket (SIGHUP): carried out on the same
/// ``AdminControl`` as `lassod ctl reload`, with its outcome written as one log line, since
/// nobody waits for a reply.
///
/// ```
/// {"ts":…,"level":"info","event":"config.reload","trigger":"sighup","ok":true,"added":"base","removed":"","changed":"ethereum","unchanged":1}
/// {"ts":…,"level":"error","event":"config.reload","trigger":"sighup","ok":false,"error":"invalid configuration, nothing changed:\n…"}
/// ```
public enum AdminReload {
    /// Reloads through `control` and logs the result (chain lists comma-separated).
    public static func perform(on control: any AdminControl, logger: Logger, trigger: String) async {
        do {
            let diff = try await control.reload()
            logger.log(.info, "config.reload", ["trigger": .string(trigger), "ok": .bool(true),
                                                "added": .string(diff.added.joined(separator: ",")),
                                                "removed": .string(diff.removed.joined(separator: ",")),
                                                "changed": .string(diff.changed.joined(separator: ",")),
                                                "unchanged": .int(diff.unchanged.count)])
        } catch {
            logger.log(.error, "config.reload", ["trigger": .string(trigger), "ok": .bool(false),
                                                 "error": .string("\(error)")])
        }
    }
}
