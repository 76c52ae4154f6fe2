import Glibc

/// Unbuffered lines to standard output and error. `print` buffers when stdout is a pipe, and
/// the load client's `reached <n>` lines must reach the benchmark the moment they happen; C's
/// `stdout`/`stderr` globals are not usable from Swift 6's strict concurrency.
enum Console {
    static func out(_ line: String) { write(1, line + "\n") }

    static func error(_ line: String) { write(2, line + "\n") }

    private static func write(_ descriptor: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }
}
