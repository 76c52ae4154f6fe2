import Synchronization
import LassoTransport

/// Where senders find the upstream `HTTPClient` of the running `HTTPClientPool` incarnation.
///
/// The pool process publishes its client here when it starts and withdraws it when it stops;
/// a sender reads it under a lock held for a pointer copy, once per request, and never sends
/// the pool a message. `nil` means no pool has published a client: before its first start, or
/// after a normal stop (lassod shutting down). After a crash the old client stays here until
/// the next incarnation replaces it.
public final class HTTPClientHandle: Sendable {
    private let client = Mutex<HTTPClient?>(nil)

    public init() {}

    /// The client of the running pool, if one runs.
    public var current: HTTPClient? { client.withLock { $0 } }

    /// Publishes `new` and returns the client it replaces.
    func replace(with new: HTTPClient?) -> HTTPClient? {
        client.withLock { current in
            defer { current = new }
            return current
        }
    }

    /// Withdraws `old` if it is still the published one.
    func withdraw(_ old: HTTPClient) {
        client.withLock { current in
            if current === old { current = nil }
        }
    }
}
