import Supervision

/// The worker every scenario child runs: it crashes or exits normally when told to.
struct TraceChild: GenServer {
    enum Cast: Sendable { case crash, exitNormal }

    struct Crash: Error, CustomStringConvertible {
        var description: String { "crash" }
    }

    mutating func handleCast(_ message: Cast, context: ServerContext<Self>) async throws {
        switch message {
        case .crash: throw Crash()
        case .exitNormal: context.stop(.normal)
        }
    }

    static func spec(id: String, restart: RestartType) -> ChildSpec {
        ChildSpec(id: id, restart: restart) { runtime in
            try await ServerRef.start(label: id, runtime: runtime) { TraceChild() }.process
        }
    }
}
