/// Where finished log lines go. lassod writes one JSON object per line; a sink must keep
/// each line whole (never interleave two lines' bytes) and keep their order per caller.
public protocol LogSink: Sendable {
    /// Takes one complete line, ending in `\n`. Called on the request hot path, so it must not
    /// block on I/O.
    func write(_ line: [UInt8])

    /// Writes out everything taken so far and returns when it is written. The daemon calls it
    /// on shutdown so no line is lost on a normal exit.
    func flush()
}
