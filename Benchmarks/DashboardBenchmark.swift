import Foundation
import Lasso
import Supervision

/// `lasso-bench dashboard [--duration 10s] [--pages 100] [--rounds 3] [--samples 40]`: what the
/// dashboard costs and how fast it is, against lassod in this process with one provider
/// (`lasso-bench upstream`), as in `lasso-bench proxy`:
///
/// - **push latency**: one page open; a single request is sent and the time is taken until a
///   push whose matrix counts it arrives — after a quiet spell (the throttle pushes at once), and
///   with requests every 37 ms (a push may have to wait out the 100 ms spacing);
/// - **100 open pages**: `wrk -t1 -c32` req/s on `/rpc/bench` with no page open and with
///   `--pages` pages open (each read and discarded), alternated `--rounds` times so drift on a
///   shared machine hits both alike; medians are compared.
enum DashboardBenchmark {
    static func run(_ arguments: BenchArguments) async throws {
        let harness = try LoadHarness(duration: arguments.duration)
        defer { harness.cleanUp() }
        let pages = try arguments.int("pages", default: 100)
        let rounds = try arguments.int("rounds", default: 3)
        let samples = try arguments.int("samples", default: 40)
        let upstream = try harness.nodeUpstream(threads: 1)
        defer { harness.stop(upstream.process) }
        let null = open("/dev/null", O_WRONLY)
        defer { close(null) }
        let application = try await LassoApplication.start(config: try ProxyBenchmark.config(providerPorts: [upstream.port]),
                                                           runtime: Runtime(), sink: StandardOutputSink(fileDescriptor: null),
                                                           port: 0)
        let port = application.port

        let quiet = try await LoadHarness.offThePool { try pushLatencies(port: port, samples: samples, spacingMs: nil) }
        let busy = try await LoadHarness.offThePool { try pushLatencies(port: port, samples: samples, spacingMs: 37) }

        var without: [Double] = []
        var with: [Double] = []
        var pushesPerPage: [Double] = []
        for round in 1...rounds {
            without.append(try await LoadHarness.offThePool {
                try harness.wrk(name: "round \(round): no page open", port: port, path: "/rpc/bench", connections: 32)
            }.requestsPerSecond)
            let readers = try PageReaders(port: port, count: pages)
            let opened = try await LoadHarness.offThePool { () -> Double in
                let result = try harness.wrk(name: "round \(round): \(pages) pages open", port: port, path: "/rpc/bench",
                                             connections: 32)
                return result.requestsPerSecond
            }
            let (messages, bytes, seconds) = readers.stop()
            with.append(opened)
            pushesPerPage.append(Double(messages) / Double(max(1, pages)) / max(seconds, 0.001))
            print("round \(round): \(pages) pages received \(messages) messages, \(bytes / 1_024) KiB in "
                  + String(format: "%.1f s", seconds))
        }
        await application.stop()

        print("")
        print("push latency: one page, a request sent, until a push counting it arrives (ms)")
        print("| when | samples | p50 | p95 | max |")
        print("|---|---|---|---|---|")
        for (name, values) in [("after a quiet spell (≥ 250 ms since the last push)", quiet),
                               ("requests every 37 ms", busy)] {
            let sorted = values.sorted()
            print("| \(name) | \(sorted.count) | \(ms(percentile(sorted, 0.5))) | \(ms(percentile(sorted, 0.95))) "
                  + "| \(ms(sorted.last ?? .nan)) |")
        }
        print("")
        print("wrk -t1 -c32 -d\(harness.duration) POST eth_blockNumber on /rpc/bench, rounds alternated")
        print("| pages open | req/s per round | median |")
        print("|---|---|---|")
        print("| 0 | \(without.map(format).joined(separator: ", ")) | \(format(median(without))) |")
        print("| \(pages) | \(with.map(format).joined(separator: ", ")) | \(format(median(with))) |")
        let change = (median(with) - median(without)) / max(median(without), 1) * 100
        print(String(format: "median change with %d pages open: %+.1f %%", pages, change)
              + "; pushes per page per second (≈, frames counted at read boundaries): "
              + pushesPerPage.map { String(format: "%.1f", $0) }.joined(separator: ", "))
    }

    /// Milliseconds from sending one request to the first push whose matrix counts it. With
    /// `spacingMs` nil each request waits for a quiet spell first (no push for 250 ms);
    /// otherwise requests go every `spacingMs`, whatever the pushes do.
    static func pushLatencies(port: Int, samples: Int, spacingMs: Int?) throws -> [Double] {
        let page = try DashboardSocket(port: port)
        defer { page.close() }
        var counted = try page.nextCalls(timeoutMs: 5_000) ?? 0
        let rpc = try PosixSocket.connect(port: port)
        defer { Foundation.close(rpc) }
        PosixSocket.setNoDelay(rpc)
        var latencies: [Double] = []
        var nextSend = ContinuousClock.now
        for _ in 0..<samples {
            if let spacingMs {
                while ContinuousClock.now < nextSend { _ = try page.nextCalls(timeoutMs: 5) }
                nextSend = nextSend + .milliseconds(spacingMs)
            } else {
                // Quiet: no push for 250 ms, so the throttle's interval has passed.
                while try page.nextCalls(timeoutMs: 250) != nil {}
            }
            let sent = ContinuousClock.now
            try sendRequest(rpc)
            let target = counted + 1
            while true {
                guard let calls = try page.nextCalls(timeoutMs: 5_000) else {
                    throw PosixSocket.Failure(call: "no push counted the request within 5 s", code: 0)
                }
                counted = max(counted, calls)
                if calls >= target { break }
            }
            latencies.append(LoadHarness.seconds(ContinuousClock.now - sent) * 1_000)
        }
        return latencies
    }

    /// Sends one keep-alive POST and reads its reply (by Content-Length).
    static func sendRequest(_ fd: Int32) throws {
        let body = LoadHarness.requestBody
        try PosixSocket.sendAll(fd, Array(("POST /rpc/bench HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)").utf8))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { throw PosixSocket.Failure(call: "recv reply", code: errno) }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length { return }
        }
    }

    static func percentile(_ sorted: [Double], _ quantile: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * quantile).rounded()))]
    }

    static func median(_ values: [Double]) -> Double { percentile(values.sorted(), 0.5) }
    static func ms(_ value: Double) -> String { String(format: "%.1f", value) }
    static func format(_ value: Double) -> String { String(format: "%.0f", value) }
}

/// A blocking dashboard page: a WebSocket on `/ws/dashboard` whose state pushes are read for
/// the total of the matrix's calls.
final class DashboardSocket {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = try PosixSocket.connect(port: port)
        try PosixSocket.sendAll(fd, Array(("GET /ws/dashboard HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8))
        while true {
            guard let end = find([13, 10, 13, 10]) else {
                guard try fill(timeoutMs: 5_000) else { throw PosixSocket.Failure(call: "dashboard upgrade", code: 0) }
                continue
            }
            guard String(decoding: pending[0..<end], as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
                throw PosixSocket.Failure(call: "dashboard upgrade refused", code: 0)
            }
            pending.removeFirst(end + 4)
            return
        }
    }

    func close() { Foundation.close(fd) }

    /// The calls counted by the next state push, or nil when none arrives within `timeoutMs`.
    func nextCalls(timeoutMs: Int32) throws -> Int? {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutMs))
        while true {
            if let message = takeMessage() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(message)) as? [String: Any],
                      object["type"] as? String == "state" else { continue }
                let chains = object["chains"] as? [[String: Any]] ?? []
                return chains.flatMap { $0["matrix"] as? [[String: Any]] ?? [] }.reduce(0) { $0 + ($1["calls"] as? Int ?? 0) }
            }
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return nil }
            guard try fill(timeoutMs: Int32(max(1, LoadHarness.seconds(left) * 1_000))) else { return nil }
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard pending.count >= needle.count else { return nil }
        for index in 0...(pending.count - needle.count) where Array(pending[index..<index + needle.count]) == needle {
            return index
        }
        return nil
    }

    /// Reads what is there within `timeoutMs`; false on timeout.
    private func fill(timeoutMs: Int32) throws -> Bool {
        guard PosixSocket.waitReadable(fd, milliseconds: timeoutMs) else { return false }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { throw PosixSocket.Failure(call: "dashboard socket closed", code: errno) }
        pending += buffer[0..<count]
        return true
    }

    /// One whole message from what was read, joining continuation frames; nil when incomplete.
    private func takeMessage() -> [UInt8]? {
        var offset = 0
        var message: [UInt8] = []
        while true {
            guard pending.count >= offset + 2 else { return nil }
            let first = pending[offset], second = pending[offset + 1]
            var length = Int(second & 0x7F)
            var header = 2
            if length == 126 {
                guard pending.count >= offset + 4 else { return nil }
                length = Int(pending[offset + 2]) << 8 | Int(pending[offset + 3])
                header = 4
            } else if length == 127 {
                guard pending.count >= offset + 10 else { return nil }
                length = pending[offset + 2..<offset + 10].reduce(0) { $0 << 8 | Int($1) }
                header = 10
            }
            guard pending.count >= offset + header + length else { return nil }
            let opcode = first & 0x0F
            if opcode != 0x9 && opcode != 0xA { message += pending[offset + header..<offset + header + length] }
            offset += header + length
            if first & 0x80 != 0 && opcode != 0x9 && opcode != 0xA {
                pending.removeFirst(offset)
                return message
            }
        }
    }
}

/// `count` dashboard pages read and discarded by one thread, as many browsers would: so that
/// the server's pushes all go out and none is closed for falling behind.
final class PageReaders: @unchecked Sendable {
    // @unchecked: `running` is an atomic flag set by stop(); the counts are read after join.
    private let fds: [Int32]
    private let thread: Thread
    private let state = NSLock()
    private var running = true
    private var messages = 0
    private var bytes = 0
    private let started = ContinuousClock.now
    private let done = DispatchSemaphore(value: 0)

    init(port: Int, count: Int) throws {
        var fds: [Int32] = []
        for _ in 0..<count { fds.append(try DashboardSocket(port: port).fd) }
        self.fds = fds
        var thread: Thread?
        let box = Box()
        thread = Thread { box.readers?.loop() }
        self.thread = thread ?? Thread {}
        box.readers = self
        self.thread.start()
    }

    private final class Box: @unchecked Sendable { var readers: PageReaders? }

    private func loop() {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while state.withLock({ running }) {
            guard poll(&polls, nfds_t(polls.count), 50) > 0 else { continue }
            for index in polls.indices where polls[index].revents != 0 {
                let count = recv(polls[index].fd, &buffer, buffer.count, 0)
                if count > 0 {
                    // A push is one frame whose first byte is 0x81 (FIN, text); close enough to count.
                    let frames = buffer[0..<count].first == 0x81 ? 1 : 0
                    state.withLock { bytes += count; messages += frames }
                }
            }
        }
        done.signal()
    }

    /// Stops reading, closes the pages; messages and bytes received, and over how long.
    func stop() -> (messages: Int, bytes: Int, seconds: Double) {
        state.withLock { running = false }
        done.wait()
        for fd in fds { close(fd) }
        return state.withLock { (messages, bytes, LoadHarness.seconds(ContinuousClock.now - started)) }
    }
}
