import Foundation
import Lasso

/// `lasso-bench transport`: a JSON-RPC echo server on the transport layer against nginx serving
/// a fixed body, both under the same `wrk` load on this machine, in the same run.
///
/// The echo handler does what the proxy's hot path does at minimum: find the request's `id`
/// with a byte scan (no JSON decoding) and answer on the loop thread without a hop.
enum TransportBenchmark {
    struct Result {
        let name: String
        let requestsPerSecond: Double
        let p50: String
        let p99: String
    }

    static let connections = 64
    static let duration = ProcessInfo.processInfo.environment["BENCH_DURATION"] ?? "10s"

    static func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lasso-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("post.lua")
        try """
        wrk.method = "POST"
        wrk.body = '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'
        wrk.headers["Content-Type"] = "application/json"
        """.write(to: script, atomically: true, encoding: .utf8)

        let lasso = try runLasso(script: script.path)
        // One worker is the like-for-like comparison with one loop thread; "auto" (one per core,
        // Debian's default) is what the issue's reference numbers were taken with.
        let nginxOne = try runNginx(workers: "1", script: script.path, directory: directory)
        let nginxAuto = try runNginx(workers: "auto", script: script.path, directory: directory)
        print("")
        print("wrk -t1 -c\(connections) -d\(duration) --latency, POST eth_blockNumber, loopback")
        print("| server | requests/s | p50 | p99 | lassod / this |")
        print("|---|---|---|---|---|")
        for result in [lasso, nginxOne, nginxAuto] {
            let ratio = result.requestsPerSecond > 0 ? lasso.requestsPerSecond / result.requestsPerSecond : 0
            print("| \(result.name) | \(String(format: "%.0f", result.requestsPerSecond)) | \(result.p50) | \(result.p99) "
                  + "| \(String(format: "%.2f", ratio))× |")
        }
        print("target: lassod ≥ 0.70× nginx")
    }

    private static func runLasso(script: String) throws -> Result {
        let loop = try EventLoop()
        defer { loop.stop() }
        var router = HTTPRouter()
        router.add(.post, "/rpc") { request, responder in
            let id = jsonRPCID(request.body) ?? ArraySlice("null".utf8)
            responder.respond(.json(Array(#"{"jsonrpc":"2.0","id":"#.utf8) + id + Array(#","result":"0x1"}"#.utf8)))
        }
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0)
        configuration.capturedHeaders = .only(["content-type"])
        let server = try HTTPServer(loop: loop, configuration: configuration, router: router)
        defer { server.stop() }
        return try wrk(name: "lassod transport (1 thread)", port: server.port, script: script)
    }

    private static func runNginx(workers: String, script: String, directory: URL) throws -> Result {
        let port = try freePort()
        let conf = directory.appendingPathComponent("nginx-\(workers).conf")
        let dir = directory.path
        try """
        worker_processes \(workers);
        daemon off;
        pid \(dir)/nginx-\(workers).pid;
        error_log \(dir)/error.log;
        events { worker_connections 4096; }
        http {
            access_log off;
            client_body_temp_path \(dir)/body;
            proxy_temp_path \(dir)/proxy;
            fastcgi_temp_path \(dir)/fastcgi;
            uwsgi_temp_path \(dir)/uwsgi;
            scgi_temp_path \(dir)/scgi;
            server {
                listen 127.0.0.1:\(port);
                location / {
                    default_type application/json;
                    return 200 '{"jsonrpc":"2.0","id":1,"result":"0x1"}';
                }
            }
        }
        """.write(to: conf, atomically: true, encoding: .utf8)
        let nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        nginx.arguments = ["-c", conf.path, "-p", dir]
        try nginx.run()
        defer {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        try waitUntilListening(port: port, seconds: 10)
        return try wrk(name: "nginx (worker_processes \(workers), fixed body)", port: port, script: script)
    }

    private static func wrk(name: String, port: Int, script: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wrk")
        process.arguments = ["-t1", "-c\(connections)", "-d\(duration)", "--latency", "-s", script, "http://127.0.0.1:\(port)/rpc"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        print("— \(name)\n\(output)")
        var rps = 0.0, p50 = "?", p99 = "?"
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.first == "Requests/sec:", fields.count > 1 { rps = Double(fields[1]) ?? 0 }
            if fields.first == "50%", fields.count > 1 { p50 = String(fields[1]) }
            if fields.first == "99%", fields.count > 1 { p99 = String(fields[1]) }
        }
        return Result(name: name, requestsPerSecond: rps, p50: p50, p99: p99)
    }

    /// The raw bytes of the top-level `"id"` value of a small JSON-RPC request, found by
    /// scanning; nil when absent. Good enough for the echo: the proxy has its own scanner.
    static func jsonRPCID(_ body: [UInt8]) -> ArraySlice<UInt8>? {
        let key = Array(#""id""#.utf8)
        guard body.count > key.count else { return nil }
        var i = 0
        while i + key.count <= body.count {
            if body[i..<(i + key.count)].elementsEqual(key) {
                var j = i + key.count
                while j < body.count, body[j] == UInt8(ascii: " ") || body[j] == UInt8(ascii: ":") { j += 1 }
                var end = j
                while end < body.count, body[end] != UInt8(ascii: ","), body[end] != UInt8(ascii: "}") { end += 1 }
                return body[j..<end]
            }
            i += 1
        }
        return nil
    }

    private static func freePort() throws -> Int {
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
        guard ok else { throw BenchmarkError.noFreePort }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitUntilListening(port: Int, seconds: Double) throws {
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
        throw BenchmarkError.serverDidNotStart
    }

    enum BenchmarkError: Error {
        case noFreePort
        case serverDidNotStart
    }
}
