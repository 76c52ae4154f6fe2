import Foundation

/// What the HTTP benchmarks share: a scratch directory, nginx from Debian with a generated
/// config, and `wrk` with its figures parsed.
struct LoadHarness {
    struct Result {
        let name: String
        let requestsPerSecond: Double
        let p50: String
        let p99: String
        let p50Microseconds: Double
        let p99Microseconds: Double
    }

    enum Failure: Error {
        case noFreePort
        case serverDidNotStart(port: Int)
    }

    let directory: URL
    let script: URL
    let duration = ProcessInfo.processInfo.environment["BENCH_DURATION"] ?? "10s"

    /// A scratch directory with a wrk script POSTing `eth_blockNumber`; removed by `cleanUp`.
    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lasso-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        script = directory.appendingPathComponent("post.lua")
        try """
        wrk.method = "POST"
        wrk.body = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
        wrk.headers["Content-Type"] = "application/json"
        """.write(to: script, atomically: true, encoding: .utf8)
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

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

    /// nginx answering every request on `port` with a fixed JSON-RPC result.
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

    func stop(_ process: Process) {
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs `wrk -t1 -c<connections> --latency` against `http://127.0.0.1:<port><path>`.
    func wrk(name: String, port: Int, path: String, connections: Int) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c\(connections)", "-d\(duration)", "--latency", "-s", script.path,
                             "http://127.0.0.1:\(port)\(path)"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        print("— \(name), \(connections) connection(s)\n\(output)")
        var rps = 0.0, p50 = "?", p99 = "?"
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first == "Requests/sec:", fields.count > 1 { rps = Double(fields[1]) ?? 0 }
            if fields.first == "50%", fields.count > 1 { p50 = String(fields[1]) }
            if fields.first == "99%", fields.count > 1 { p99 = String(fields[1]) }
        }
        return Result(name: name, requestsPerSecond: rps, p50: p50, p99: p99,
                      p50Microseconds: Self.microseconds(p50), p99Microseconds: Self.microseconds(p99))
    }

    /// wrk prints latencies as `123.45us`, `1.23ms` or `1.02s`.
    static func microseconds(_ text: String) -> Double {
        for (suffix, scale) in [("us", 1.0), ("ms", 1_000.0), ("s", 1_000_000.0)] where text.hasSuffix(suffix) {
            return (Double(text.dropLast(suffix.count)) ?? .nan) * scale
        }
        return .nan
    }

    func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else { throw Failure.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func waitUntilListening(port: Int, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return }
            usleep(20_000)
        }
        throw Failure.serverDidNotStart(port: port)
    }
}
