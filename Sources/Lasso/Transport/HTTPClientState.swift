import CLassoShim
import CLibWebSockets

/// The loop-thread side of an ``HTTPClient``: one ``UpstreamConnectionPool`` per upstream and
/// the requests in flight.
///
/// Threading: confined to the loop thread (`@unchecked Sendable` to travel through the queue).
final class HTTPClientState: @unchecked Sendable {
    let core: LoopCore
    let configuration: HTTPClient.Configuration
    private var pools: [PoolKey: UpstreamConnectionPool] = [:]
    private var inFlight: [UInt: HTTPClientRequest] = [:]
    private var hookID: UInt?
    /// Set by `shutdown`: no request starts any more.
    private var closed = false
    let cStrings = CStringArena()

    private struct PoolKey: Hashable { let host: String; let port: Int; let secure: Bool }

    init(core: LoopCore, configuration: HTTPClient.Configuration) {
        self.core = core
        self.configuration = configuration
    }

    /// Starts a request whose host is resolved to `address`. Loop thread.
    func start(_ spec: HTTPClientRequest.Spec, address: String, completion: @escaping HTTPClient.Completion) {
        guard let context = core.context else {
            completion(.failure(.loopStopped))
            return
        }
        guard !closed else {
            completion(.failure(.clientClosed(address: spec.url.description)))
            return
        }
        if hookID == nil {
            let id = core.uniqueNumber()
            hookID = id
            core.onShutdown(id) { [weak self] in self?.failAll() }
            // Requests and pool vhosts point back here (and at our C strings) until the loop
            // stops, even if the `HTTPClient` is dropped first: keep this state alive as long.
            core.retain(self)
        }
        let key = PoolKey(host: spec.url.host, port: spec.url.port, secure: spec.url.isSecure)
        let pool: UpstreamConnectionPool
        if let existing = pools[key] {
            pool = existing
        } else {
            pool = UpstreamConnectionPool(state: self, size: configuration.connectionsPerUpstream)
            pools[key] = pool
        }
        guard let slot = pool.acquire(context: context) else {
            completion(.failure(.connectionRefused(address: spec.url.description)))
            return
        }
        let request = HTTPClientRequest(spec: spec, state: self, pool: pool, slot: slot, completion: completion)
        request.id = core.register(request)
        inFlight[request.id] = request
        request.connect(context: context, vhost: slot.vhost, address: address)
    }

    /// Called once by a request when it completes, whatever the outcome.
    func finished(_ request: HTTPClientRequest) {
        inFlight[request.id] = nil
        core.unregister(request.id)
    }

    /// The client is closing: pending requests fail as `connectionClosed`, pools close. Loop thread.
    func shutdown() {
        guard !closed else { return }
        closed = true
        for request in Array(inFlight.values) { request.abandon() }
        for pool in pools.values { pool.close() }
        pools = [:]
    }

    /// The loop is stopping: every pending request fails with `loopStopped`.
    private func failAll() {
        for request in Array(inFlight.values) { request.fail(.loopStopped) }
    }
}
