import Supervision

/// A supervisor in a scenario: the root, or a child of type `supervisor` or `dynamic`.
struct TraceSupervisorSpec {
    enum Kind {
        /// A `Supervisor` with its strategy and ordered children.
        case ordered(SupervisorStrategy, children: [TraceChildSpec])
        /// A `DynamicSupervisor` whose workers all restart as `workerRestart` (OTP's
        /// `simple_one_for_one` with one worker spec).
        case dynamic(workerRestart: RestartType)
    }

    var kind: Kind
    var intensity: RestartIntensity

    /// The supervisor at `path` below this one (`self` for the root path); `nil` if the path
    /// names no supervisor.
    func supervisor(at path: TracePath) -> TraceSupervisorSpec? {
        var current = self
        for id in path.segments {
            guard case .ordered(_, let children) = current.kind,
                  let next = children.first(where: { $0.id == id })?.supervisor else { return nil }
            current = next
        }
        return current
    }

    /// Every supervisor path in the tree below and including `path`.
    func supervisorPaths(at path: TracePath = .root) -> Set<TracePath> {
        var paths: Set<TracePath> = [path]
        if case .ordered(_, let children) = kind {
            for child in children {
                if let nested = child.supervisor { paths.formUnion(nested.supervisorPaths(at: path.appending(child.id))) }
            }
        }
        return paths
    }
}

/// One child of an ordered supervisor in a scenario.
struct TraceChildSpec {
    var id: String
    var restart: RestartType
    /// `nil` for a worker.
    var supervisor: TraceSupervisorSpec?
}
