import Foundation
import Supervision

/// One scenario for `supervision-trace`: a tree of supervisors and workers, and the steps to run.
/// Steps name children by path from the root (`s/x`).
struct TraceScenario {
    enum Step {
        case crash(TracePath)
        case exitNormal(TracePath)
        case advance(Duration)
        case terminateChild(TracePath)
        case restartChild(TracePath)
        case deleteChild(TracePath)
        /// A worker; `restart` is `nil` under a dynamic supervisor, whose workers all restart as
        /// its `worker_restart` says.
        case startChild(TracePath, restart: RestartType?)
        /// The children of the supervisor at this path (the root's: `.root`).
        case whichChildren(TracePath)
    }

    var root: TraceSupervisorSpec
    var steps: [Step]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the scenario JSON; every mistake is reported with what was expected.
    static func parse(_ data: Data) throws -> TraceScenario {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Invalid(description: "the scenario must be a JSON object")
        }
        let root = try orderedSupervisor(object, at: "")
        let steps = try (object["steps"] as? [Any] ?? []).enumerated().map { index, step in
            try parseStep(step, at: "steps[\(index)]", root: root)
        }
        return TraceScenario(root: root, steps: steps)
    }

    // MARK: - The tree

    private static func orderedSupervisor(_ object: [String: Any], at path: String) throws -> TraceSupervisorSpec {
        let strategyName = object["strategy"] as? String ?? "one_for_one"
        guard let strategy = SupervisorStrategy(rawValue: strategyName) else {
            throw Invalid(description: "\(path)strategy: expected one_for_one, one_for_all or rest_for_one, got \(strategyName)")
        }
        var children: [TraceChildSpec] = []
        for (index, child) in (object["children"] as? [Any] ?? []).enumerated() {
            let spec = try childSpec(child, at: "\(path)children[\(index)]")
            if children.contains(where: { $0.id == spec.id }) {
                throw Invalid(description: "\(path)children[\(index)].id: \(spec.id) is used twice")
            }
            children.append(spec)
        }
        return TraceSupervisorSpec(kind: .ordered(strategy, children: children), intensity: try intensity(object, at: path))
    }

    private static func childSpec(_ value: Any, at path: String) throws -> TraceChildSpec {
        guard let object = value as? [String: Any] else { throw Invalid(description: "\(path): expected an object") }
        let id = try identifier(object["id"] as Any, at: "\(path).id")
        let restart = try restartType(object["restart"], at: "\(path).restart")
        switch object["type"] as? String ?? "worker" {
        case "worker":
            return TraceChildSpec(id: id, restart: restart, supervisor: nil)
        case "supervisor":
            return TraceChildSpec(id: id, restart: restart, supervisor: try orderedSupervisor(object, at: "\(path)."))
        case "dynamic":
            let workers = try restartType(object["worker_restart"], at: "\(path).worker_restart")
            let dynamic = TraceSupervisorSpec(kind: .dynamic(workerRestart: workers), intensity: try intensity(object, at: "\(path)."))
            return TraceChildSpec(id: id, restart: restart, supervisor: dynamic)
        case let other:
            throw Invalid(description: "\(path).type: expected worker, supervisor or dynamic, got \(other)")
        }
    }

    private static func intensity(_ object: [String: Any], at path: String) throws -> RestartIntensity {
        let maxRestarts = try integer(object["intensity"] ?? 3, at: "\(path)intensity")
        let periodMs = try integer(object["period_ms"] ?? 5000, at: "\(path)period_ms")
        guard maxRestarts >= 0, periodMs > 0 else {
            throw Invalid(description: "\(path)intensity must be >= 0 and \(path)period_ms > 0")
        }
        return RestartIntensity(maxRestarts: maxRestarts, period: .milliseconds(periodMs))
    }

    // MARK: - Steps

    private static func parseStep(_ value: Any, at path: String, root: TraceSupervisorSpec) throws -> Step {
        guard let object = value as? [String: Any], object.count == 1, let (name, argument) = object.first else {
            throw Invalid(description: "\(path): expected an object with exactly one key")
        }
        let at = "\(path).\(name)"
        switch name {
        case "crash": return .crash(try worker(argument, at: at, root: root))
        case "exit_normal": return .exitNormal(try worker(argument, at: at, root: root))
        case "advance_ms": return .advance(.milliseconds(try integer(argument, at: at)))
        case "terminate_child": return .terminateChild(try child(argument, at: at, root: root))
        case "restart_child": return .restartChild(try child(argument, at: at, root: root))
        case "delete_child": return .deleteChild(try child(argument, at: at, root: root))
        case "start_child":
            guard let spec = argument as? [String: Any] else { throw Invalid(description: "\(at): expected an object") }
            let child = try child(spec["id"] as Any, at: "\(at).id", root: root)
            guard root.supervisor(at: child) == nil else {
                throw Invalid(description: "\(at).id: \(child) names a supervisor of the tree; start_child starts workers")
            }
            if case .dynamic = root.supervisor(at: child.parent)?.kind {
                guard spec["restart"] == nil else {
                    throw Invalid(description: "\(at).restart: a dynamic supervisor's workers restart as its worker_restart")
                }
                return .startChild(child, restart: nil)
            }
            return .startChild(child, restart: try restartType(spec["restart"], at: "\(at).restart"))
        case "which_children":
            if argument as? Bool == true { return .whichChildren(.root) }
            let target = TracePath(try string(argument, at: at))
            guard root.supervisor(at: target) != nil else {
                throw Invalid(description: "\(at): \(target) is not a supervisor of the tree")
            }
            return .whichChildren(target)
        default: throw Invalid(description: "\(path): unknown step \(name)")
        }
    }

    /// A child's path: its parent must be a supervisor of the tree.
    private static func child(_ value: Any, at path: String, root: TraceSupervisorSpec) throws -> TracePath {
        let child = TracePath(try string(value, at: path))
        guard child.segments.allSatisfy({ !$0.isEmpty }), !child.isRoot else {
            throw Invalid(description: "\(path): expected a path like a or s/x")
        }
        guard root.supervisor(at: child.parent) != nil else {
            throw Invalid(description: "\(path): \(child.parent) is not a supervisor of the tree")
        }
        return child
    }

    /// A child that can crash or exit: a worker, not a supervisor.
    private static func worker(_ value: Any, at path: String, root: TraceSupervisorSpec) throws -> TracePath {
        let worker = try child(value, at: path, root: root)
        if root.supervisor(at: worker) != nil {
            throw Invalid(description: "\(path): \(worker) is a supervisor; only workers crash or exit")
        }
        return worker
    }

    private static func identifier(_ value: Any, at path: String) throws -> String {
        let id = try string(value, at: path)
        guard !id.isEmpty, !id.contains("/") else { throw Invalid(description: "\(path): an id is not empty and has no /") }
        return id
    }

    private static func restartType(_ value: Any?, at path: String) throws -> RestartType {
        let name = value as? String ?? "permanent"
        guard let restart = RestartType(rawValue: name) else {
            throw Invalid(description: "\(path): expected permanent, transient or temporary")
        }
        return restart
    }

    private static func string(_ value: Any, at path: String) throws -> String {
        guard let text = value as? String else { throw Invalid(description: "\(path): expected a string") }
        return text
    }

    private static func integer(_ value: Any, at path: String) throws -> Int {
        guard let exact = value as? Int else {
            throw Invalid(description: "\(path): expected an integer")
        }
        return exact
    }
}
