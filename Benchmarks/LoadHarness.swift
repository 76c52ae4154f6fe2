import Foundation

/// What the HTTP benchmarks share: a scratch directory, nginx from Debian with a generated
/// config, the node-like upstream (`lasso-bench upstream`) as a child process, and `wrk` with
/// its figures parsed.
struct LoadHarness {
    struct Result: Sendable {
        let name: String
        let requestsPerSecond: Double
        let p50: String
        let p99: String
        let p50Microseconds: Double
        let p99Microseconds: Double
        /// Non-2xx answers plus socket errors: a run with errors measured something else.
        let errors: Int
        /// Per subject passed to `wrk`, its CPU use during the run in % of one core.
        let cpuPercent: [Double]
    }

    /// A running `lasso-bench upstream` child.
    struct Upstream: Sendable {
        let process: Process
        let port: Int
    }

    enum Failure: Error {
        case noFreePort
        case serverDidNotStart(port: Int)
        case noExecutablePath
    }

    let directory: URL
    let script: URL
    /// wrk's `-d`, e.g. `10s`.
    let duration: String

    /// The body every load generator POSTs.
    static let requestBody = #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#

    /// A scratch directory with a wrk script POSTing `eth_blockNumber`; removed by `cleanUp`.
    init(duration: String) throws {
        self.duration = duration
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lasso-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        script = directory.appendingPathComponent("post.lua")
        try """
        wrk.method = "POST"
        wrk.body = '\(Self.requestBody)'
        wrk.headers["Content-Type"] = "application/json"
        """.write(to: script, atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Runs blocking work (waiting for wrk, reading a child's output) on a thread of its own,
    /// so it does not hold one of the few cooperative-pool threads lassod's processes run on
    /// for the length of a run.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Swift.Result { try work() }) }.start()
        }
    }

    // MARK: Servers

    /// Starts `lasso-bench upstream` (this executable) on a free port with `threads` epoll
    /// threads and returns it once it accepts connections. Its stdin is a pipe held by this
    /// process, so it exits when the benchmark does, even on a crash.
    func nodeUpstream(threads: Int) throws -> Upstream {
        let port = try freePort()
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = ["upstream", "--port", String(port), "--threads", String(threads), "--exit-on-stdin-eof"]
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        try waitUntilListening(port: port, seconds: 10)
        return Upstream(process: process, port: port)
    }

    /// Starts `lasso-bench <arguments>` (this executable) with its stdout piped to the caller.
    func child(_ arguments: [String]) throws -> (Process, FileHandle) {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = arguments
        process.standardInput = Pipe()
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return (process, output.fileHandleForReading)
    }

    /// Starts nginx with `serverBlock` (inside `http {}`) and returns it once it listens on `port`.
    func nginx(name: String, workers: String, port: Int, serverBlock: String) throws -> Process {
        let dir = directory.path
        let conf = directory.appendingPathComponent("nginx-\(name).conf")
        try """
        worker_processes \(workers);
        daemon off;
        pid \(dir)/nginx-\(name).pid;
        error_log \(dir)/error-\(name).log;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path \(dir)/body-\(name);
            proxy_temp_path \(dir)/proxy-\(name);
            fastcgi_temp_path \(dir)/fastcgi-\(name);
            uwsgi_temp_path \(dir)/uwsgi-\(name);
            scgi_temp_path \(dir)/scgi-\(name);
            \(serverBlock)
        }
        """.write(to: conf, atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", conf.path, "-p", dir]
        try nginx.run()
        try waitUntilListening(port: port, seconds: 10)
        return nginx
    }

    /// nginx answering every request on `port` with a fixed JSON-RPC result, as soon as the
    /// request head has arrived: fast, but unlike a node (it neither waits for the body nor
    /// echoes the id). Only for rows labelled as such.
    func fixedBodyNginx(workers: String, port: Int) throws -> Process {
        try nginx(name: "fixed-\(workers)-\(port)", workers: workers, port: port, serverBlock: """
            server {
                listen 127.0.0.1:\(port);
                location / {
                    default_type application/json;
                    return 200 '{"jsonrpc":"2.0","id":1,"result":"0x1"}';
                }
            }
            """)
    }

    /// nginx as a keep-alive reverse proxy on `port` in front of `upstreamPort`.
    func reverseProxyNginx(workers: String, port: Int, upstreamPort: Int) throws -> Process {
        try nginx(name: "proxy-\(workers)-\(port)", workers: workers, port: port, serverBlock: """
            upstream rpc { server 127.0.0.1:\(upstreamPort); keepalive 64; }
            server {
                listen 127.0.0.1:\(port);
                location / {
                    proxy_pass http://rpc;
                    proxy_http_version 1.1;
                    proxy_set_header Connection "";
                }
            }
            """)
    }

    /// SIGTERM, then SIGKILL if the process is still there after 3 s, so a stuck child cannot
    /// hang the benchmark at its end.
    func stop(_ process: Process) {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(3)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    // MARK: Load

    /// Runs `wrk -t1 -c<connections> --latency` against `http://127.0.0.1:<port><path>` and
    /// reports how much CPU each of `observing` used meanwhile.
    func wrk(name: String, port: Int, path: String, connections: Int, observing: [CPUTime.Subject] = []) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c\(connections)", "-d\(duration)", "--latency", "-s", script.path,
                             "http://127.0.0.1:\(port)\(path)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        let cpuBefore = observing.map(CPUTime.seconds)
        let started = ContinuousClock.now
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let elapsed = Self.seconds(ContinuousClock.now - started)
        let cpu = zip(observing.map(CPUTime.seconds), cpuBefore).map { 100 * ($0 - $1) / max(elapsed, 0.001) }
        let output = String(decoding: data, as: UTF8.self)
        print("— \(name), \(connections) connection(s)\n\(output)")
        var rps = 0.0, p50 = "?", p99 = "?", errors = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            switch fields.first {
            case "Requests/sec:": rps = fields.count > 1 ? Double(fields[1]) ?? 0 : 0
            case "50%": p50 = fields.count > 1 ? fields[1] : "?"
            case "99%": p99 = fields.count > 1 ? fields[1] : "?"
            case "Non-2xx": errors += Int(fields.last ?? "") ?? 0
            // "Socket errors: connect 0, read 0, write 0, timeout 0"
            case "Socket": errors += fields.compactMap { Int($0) }.reduce(0, +)
            default: break
            }
        }
        return Result(name: name, requestsPerSecond: rps, p50: p50, p99: p99,
                      p50Microseconds: Self.microseconds(p50), p99Microseconds: Self.microseconds(p99),
                      errors: errors, cpuPercent: cpu)
    }

    /// wrk prints latencies as `123.45us`, `1.23ms` or `1.02s`.
    static func microseconds(_ text: String) -> Double {
        for (suffix, scale) in [("us", 1.0), ("ms", 1_000.0), ("s", 1_000_000.0)] where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? .nan) * scale
        }
        return .nan
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Ports

    func freePort() throws -> Int {
        do {
            let fd = try PosixSocket.listen(port: 0, reusePort: false)
            defer { close(fd) }
            return try PosixSocket.localPort(fd)
        } catch {
            throw Failure.noFreePort
        }
    }

    func waitUntilListening(port: Int, seconds: Double) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1_000))
        while ContinuousClock.now < deadline {
            if let fd = try? PosixSocket.connect(port: port) {
                close(fd)
                return
            }
            usleep(20_000)
        }
        throw Failure.serverDidNotStart(port: port)
    }

    /// This executable, for starting its own subcommands as child processes.
    private static func executable() throws -> URL {
        var path = [CChar](repeating: 0, count: 4_096)
        let length = readlink("/proc/self/exe", &path, path.count - 1)
        guard length > 0 else { throw Failure.noExecutablePath }
        return URL(fileURLWithPath: String(decoding: path[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}
