import Synchronization

/// Several ``EventLoop``s, each a libwebsockets context with its own thread, that share the
/// work of one server and one client: lws 4.1 runs one thread per context, so more loops are
/// how lassod uses more than one core.
///
/// Nothing crosses loops: a connection, its requests and the upstream connections they use all
/// stay on the loop that accepted it (servers listen on every loop with `SO_REUSEPORT` and the
/// kernel spreads connections; a client request made on a loop's thread uses that loop's
/// upstream pool).
///
/// ```swift
/// let group = try EventLoopGroup(count: 2)
/// let server = try await HTTPServer.start(group: group, configuration: .init(port: 0), router: router)
/// let client = HTTPClient(group: group)
/// // …
/// group.stop()
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
public final class EventLoopGroup: Sendable {
    /// The loops, in a fixed order; a loop's index also tags the connections it owns.
    public let loops: [EventLoop]
    private let owned: Bool
    private let nextIndex = Atomic<Int>(0)

    /// Starts `count` loops (at least one).
    public init(count: Int, configuration: EventLoop.Configuration = .init()) throws(EventLoopError) {
        var loops: [EventLoop] = []
        for _ in 0..<max(1, count) {
            do {
                loops.append(try EventLoop(configuration: configuration))
            } catch {
                loops.forEach { $0.stop() }
                throw error
            }
        }
        self.loops = loops
        owned = true
    }

    /// A group of one loop that someone else owns and stops.
    public init(_ loop: EventLoop) {
        loops = [loop]
        owned = false
    }

    /// The first loop: where work that needs one loop (the admin socket, provider WebSockets)
    /// lives.
    public var primary: EventLoop { loops[0] }

    /// The index of the loop whose thread this is, or nil off the loops.
    public var currentIndex: Int? {
        loops.firstIndex { $0.inEventLoop }
    }

    /// The loop whose thread this is, else the next in turn.
    func currentOrNext() -> Int {
        if let current = currentIndex { return current }
        return nextIndex.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count
    }

    /// Stops every loop this group started (a group wrapping an existing loop stops nothing).
    public func stop() {
        guard owned else { return }
        loops.forEach { $0.stop() }
    }
}
