/// The loop-thread side of an ``HTTPClient``: one ``UpstreamPool`` per upstream, and the sweep
/// that enforces deadlines and idle timeouts while any pool is active.
///
/// Threading: confined to the loop thread; every entry checks it (``LoopCore/assertOnLoop(_:_:)``).
/// `@unchecked Sendable` so the client facade can carry it to the loop through the command
/// queue: off the loop it is only held, never used. `init` runs on the caller's thread before
/// the state is handed to the loop.
final class HTTPClientState: @unchecked Sendable {
    let core: LoopCore
    let configuration: HTTPClient.Configuration
    private let tls: Result<TLSContext, EventLoopError>
    private var pools: [PoolKey: UpstreamPool] = [:]
    private var hookID: UInt?
    private var sweep: LoopTimers.ID?
    /// Set by `shutdown`: no request starts any more.
    private var closed = false

    private struct PoolKey: Hashable { let host: String; let port: Int; let secure: Bool }

    /// How often deadlines are checked: a request times out at most this late.
    static let sweepInterval: Duration = .milliseconds(50)

    init(core: LoopCore, configuration: HTTPClient.Configuration) {
        self.core = core
        self.configuration = configuration
        tls = TLSContext.client(caFilePath: configuration.caFilePath)
    }

    /// Starts a request whose host resolved to `address`. Loop thread.
    func start(_ request: HTTPClientRequest, address: String) {
        core.assertOnLoop()
        guard core.context != nil else {
            request.finish(.failure(.loopStopped))
            return
        }
        guard !closed else {
            request.finish(.failure(.clientClosed(address: request.address)))
            return
        }
        if hookID == nil {
            let id = core.uniqueNumber()
            hookID = id
            core.onShutdown(id) { [weak self] in self?.failAll(.loopStopped) }
        }
        let key = PoolKey(host: request.url.host, port: request.url.port, secure: request.url.isSecure)
        let pool: UpstreamPool
        if let existing = pools[key] {
            pool = existing
        } else {
            var context: TLSContext?
            if request.url.isSecure {
                guard case .success(let made) = tls else {
                    request.finish(.failure(.tlsFailure(address: request.address)))
                    return
                }
                context = made
            }
            pool = UpstreamPool(core: core, tls: context, maxConnections: configuration.connectionsPerUpstream,
                                maxResponseBytes: configuration.maxResponseBytes,
                                idleTimeout: configuration.keepAlive)
            pools[key] = pool
        }
        guard pool.use(address: address, port: request.url.port) else {
            request.finish(.failure(.dnsFailure(host: request.url.host)))
            return
        }
        pool.submit(request)
        scheduleSweep()
    }

    private func scheduleSweep() {
        guard sweep == nil, let context = core.context else { return }
        sweep = core.timers.schedule(in: context, after: Self.sweepInterval) { [weak self] in
            guard let self else { return }
            self.sweep = nil
            let now = LoopTimers.now()
            for pool in self.pools.values { pool.sweep(now) }
            if self.pools.values.contains(where: \.isActive) { self.scheduleSweep() }
        }
    }

    /// The client is closing: pending requests fail as `clientClosed`, connections close.
    func shutdown() {
        core.assertOnLoop()
        guard !closed else { return }
        closed = true
        failAll(nil)
        if let hookID { core.removeShutdownHook(hookID) }
        if let sweep { core.timers.cancel(sweep) }
        sweep = nil
    }

    private func failAll(_ error: HTTPClientError?) {
        let all = pools.values
        pools = [:]
        for pool in all { pool.shutdown { error ?? .clientClosed(address: $0.address) } }
    }
}
