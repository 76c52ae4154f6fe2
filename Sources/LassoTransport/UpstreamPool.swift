/// The keep-alive connections of one client to one upstream (scheme, host, port) on one loop.
///
/// Guarantees:
/// - A request takes an idle connection when there is one (the most recently used: it is the
///   least likely to have been closed by the upstream), else opens a new one while fewer than
///   `maxConnections` are open, else waits its turn in arrival order.
/// - Every request completes exactly once: with the response, or with the first error among
///   its connection's failure, its deadline and the client's shutdown.
/// - A request that is safe to repeat is sent once more on a fresh connection when a reused
///   connection closes before any byte of the response arrived — the upstream closed it as idle
///   just as the request went out (a keep-alive race every HTTP client meets). Others fail as
///   `connectionClosed`: their bytes may have reached the upstream.
///
/// Threading: loop thread only.
final class UpstreamPool {
    let core: LoopCore
    let tls: TLSContext?
    let maxResponseBytes: Int
    private let maxConnections: Int
    private let idleTimeout: UInt64
    private var address: SocketAddress?
    /// The text `address` was parsed from: the same resolved address is not parsed again.
    private var addressText: String?
    private var open: [ObjectIdentifier: HTTPClientConnection] = [:]
    private var idle: [HTTPClientConnection] = []
    private var waiting: [HTTPClientRequest] = []
    private var waitingHead = 0

    init(core: LoopCore, tls: TLSContext?, maxConnections: Int, maxResponseBytes: Int, idleTimeout: Duration) {
        core.assertOnLoop()
        self.core = core
        self.tls = tls
        self.maxConnections = max(1, maxConnections)
        self.maxResponseBytes = maxResponseBytes
        self.idleTimeout = LoopTimers.nanoseconds(idleTimeout)
    }

    /// True while the pool holds connections or requests (the client's sweep keeps running).
    var isActive: Bool {
        core.assertOnLoop()
        return !open.isEmpty || waitingHead < waiting.count
    }

    /// Where new connections go from now on; false when `text` is not an IP address.
    func use(address text: String, port: Int) -> Bool {
        core.assertOnLoop()
        if text == addressText { return true }
        guard let parsed = SocketAddress(ip: text, port: port) else { return false }
        address = parsed
        addressText = text
        return true
    }

    /// Sends `request` (new connections go to the address last given to `use`).
    func submit(_ request: HTTPClientRequest) {
        core.assertOnLoop()
        dispatch(request)
    }

    private func dispatch(_ request: HTTPClientRequest) {
        while let connection = idle.popLast() {
            if connection.isIdle {
                connection.send(request)
                return
            }
        }
        if open.count < maxConnections, let address {
            if let connection = HTTPClientConnection.open(pool: self, address: address, request: request) {
                open[ObjectIdentifier(connection)] = connection
            }
            return
        }
        waiting.append(request)
    }

    /// `connection` answered `request`; it is idle now unless it closed.
    func completed(_ connection: HTTPClientConnection, _ request: HTTPClientRequest, _ result: Result<HTTPClientResponse, HTTPClientError>) {
        core.assertOnLoop()
        if connection.isIdle {
            if let next = nextWaiting() {
                connection.send(next)
            } else {
                idle.append(connection)
            }
        } else {
            forget(connection)
        }
        request.finish(result)
        startWaiting()
    }

    /// `connection` failed while carrying `request`.
    func failed(_ connection: HTTPClientConnection, _ request: HTTPClientRequest, _ error: HTTPClientError, retry: Bool) {
        core.assertOnLoop()
        forget(connection)
        if retry, request.idempotent, request.attempts < 2, !request.isFinished, let address,
           let fresh = HTTPClientConnection.open(pool: self, address: address, request: request) {
            open[ObjectIdentifier(fresh)] = fresh
        } else {
            request.finish(.failure(error))
        }
        startWaiting()
    }

    /// `connection` closed with no request (an idle one the upstream closed, or the pool's).
    func closed(_ connection: HTTPClientConnection) {
        core.assertOnLoop()
        forget(connection)
        startWaiting()
    }

    private func forget(_ connection: HTTPClientConnection) {
        open[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
    }

    private func nextWaiting() -> HTTPClientRequest? {
        while waitingHead < waiting.count {
            let request = waiting[waitingHead]
            waitingHead += 1
            if waitingHead == waiting.count {
                waiting.removeAll(keepingCapacity: true)
                waitingHead = 0
            }
            if !request.isFinished { return request }
        }
        return nil
    }

    /// Opens connections for waiting requests while there is room.
    private func startWaiting() {
        while open.count < maxConnections || !idle.isEmpty, let next = nextWaiting() {
            dispatch(next)
        }
    }

    /// Deadlines: requests (waiting or in flight) past theirs fail as `timeout`; idle
    /// connections past the idle timeout close.
    func sweep(_ now: UInt64) {
        core.assertOnLoop()
        for index in waitingHead..<waiting.count where !waiting[index].isFinished && now >= waiting[index].deadline {
            waiting[index].finish(.failure(.timeout(address: waiting[index].address)))
        }
        for connection in Array(open.values) {
            if let request = connection.request, now >= request.deadline {
                connection.close()
                forget(connection)
                request.finish(.failure(.timeout(address: request.address)))
            } else if connection.isIdle, now &- connection.idleSince >= idleTimeout {
                connection.close()
                forget(connection)
            }
        }
        startWaiting()
    }

    /// Fails everything with `error` and closes every connection.
    func shutdown(_ error: (HTTPClientRequest) -> HTTPClientError) {
        core.assertOnLoop()
        let requests = waiting[waitingHead...].filter { !$0.isFinished }
        waiting = []
        waitingHead = 0
        let connections = Array(open.values)
        open = [:]
        idle = []
        for connection in connections {
            let request = connection.request
            connection.close()
            if let request { request.finish(.failure(error(request))) }
        }
        for request in requests { request.finish(.failure(error(request))) }
    }
}
