import Foundation

/// `lasso-bench upstream --port P [--threads N] [--exit-on-stdin-eof]`: the benchmarks' upstream,
/// a stand-in for an Ethereum node's HTTP JSON-RPC front. It reads each request's whole body,
/// echoes its `id` and answers `"result":"0x1234"` (see `UpstreamConnection`), on N epoll
/// threads (default 1) with one `SO_REUSEPORT` listener each.
///
/// The benchmarks run it as a child process so its CPU is its own (visible in `top`, counted
/// apart from the proxy's) and it never shares lassod's event-loop thread. They pass
/// `--exit-on-stdin-eof` with a pipe as standard input: if the benchmark dies, the pipe closes
/// and the upstream follows instead of lingering on the port.
///
/// `lasso-bench upstream --self-check` checks the behaviour that makes it node-like (no answer
/// before the body is complete, ids echoed, pipelining) and exits 1 on a failure.
enum NodeUpstream {
    static func run(_ words: [String]) throws {
        let arguments = try BenchArguments(words, options: ["port", "threads"],
                                           flagNames: ["exit-on-stdin-eof", "self-check"])
        if arguments.flag("self-check") {
            exit(UpstreamSelfCheck.run() ? 0 : 1)
        }
        guard let text = arguments.string("port"), let port = Int(text) else {
            throw BenchArguments.Invalid(description: "usage: lasso-bench upstream --port P [--threads N] [--exit-on-stdin-eof]")
        }
        let threads = try arguments.int("threads", default: 1)
        // Every listener is bound before anything is served, so a connection that succeeds means
        // the upstream is ready (what the benchmarks' readiness check relies on).
        let listeners = try (0..<threads).map { _ in try PosixSocket.listen(port: port, reusePort: true) }
        if arguments.flag("exit-on-stdin-eof") { exitOnStandardInputEOF() }
        Console.out("lasso-bench upstream: 127.0.0.1:\(port), \(threads) thread(s)")
        for listener in listeners.dropFirst() {
            Thread { serve(listener) }.start()
        }
        serve(listeners[0])
    }

    /// Starts one loop on `listener` in a background thread; for the self-check.
    static func serveInBackground(_ listener: Int32) {
        Thread { serve(listener) }.start()
    }

    private static func serve(_ listener: Int32) -> Never {
        do {
            let failure = try UpstreamLoop(listener: listener).run()
            Console.error("lasso-bench upstream: \(failure)")
        } catch {
            Console.error("lasso-bench upstream: \(error)")
        }
        exit(1)
    }

    private static func exitOnStandardInputEOF() {
        Thread {
            var byte: UInt8 = 0
            while true {
                let count = read(0, &byte, 1)
                if count == 0 || (count < 0 && errno != EINTR) { exit(0) }
            }
        }.start()
    }
}
