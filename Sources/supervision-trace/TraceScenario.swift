import Foundation
import Supervision

/// One scenario for `supervision-trace`: supervisor flags, children, and the steps to run.
struct TraceScenario {
    enum Step {
        case crash(String)
        case exitNormal(String)
        case advance(Duration)
        case terminateChild(String)
        case restartChild(String)
        case deleteChild(String)
        case startChild(id: String, restart: RestartType)
        case whichChildren
    }

    var strategy: SupervisorStrategy
    var intensity: RestartIntensity
    var children: [(id: String, restart: RestartType)]
    var steps: [Step]

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Parses the scenario JSON; every mistake is reported with what was expected.
    static func parse(_ data: Data) throws -> TraceScenario {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Invalid(description: "the scenario must be a JSON object")
        }
        let strategyName = root["strategy"] as? String ?? "one_for_one"
        guard let strategy = SupervisorStrategy(rawValue: strategyName) else {
            throw Invalid(description: "strategy: expected one_for_one, one_for_all or rest_for_one, got \(strategyName)")
        }
        let maxRestarts = try integer(root["intensity"] ?? 3, at: "intensity")
        let periodMs = try integer(root["period_ms"] ?? 5000, at: "period_ms")
        guard maxRestarts >= 0, periodMs > 0 else {
            throw Invalid(description: "intensity must be >= 0 and period_ms > 0")
        }
        let children = try (root["children"] as? [Any] ?? []).enumerated().map { index, child in
            try childSpec(child, at: "children[\(index)]")
        }
        let steps = try (root["steps"] as? [Any] ?? []).enumerated().map { index, step in
            try parseStep(step, at: "steps[\(index)]")
        }
        return TraceScenario(strategy: strategy,
                             intensity: RestartIntensity(maxRestarts: maxRestarts, period: .milliseconds(periodMs)),
                             children: children, steps: steps)
    }

    private static func parseStep(_ value: Any, at path: String) throws -> Step {
        guard let object = value as? [String: Any], object.count == 1, let (name, argument) = object.first else {
            throw Invalid(description: "\(path): expected an object with exactly one key")
        }
        switch name {
        case "crash": return .crash(try string(argument, at: "\(path).crash"))
        case "exit_normal": return .exitNormal(try string(argument, at: "\(path).exit_normal"))
        case "advance_ms": return .advance(.milliseconds(try integer(argument, at: "\(path).advance_ms")))
        case "terminate_child": return .terminateChild(try string(argument, at: "\(path).terminate_child"))
        case "restart_child": return .restartChild(try string(argument, at: "\(path).restart_child"))
        case "delete_child": return .deleteChild(try string(argument, at: "\(path).delete_child"))
        case "start_child":
            let child = try childSpec(argument, at: "\(path).start_child")
            return .startChild(id: child.id, restart: child.restart)
        case "which_children": return .whichChildren
        default: throw Invalid(description: "\(path): unknown step \(name)")
        }
    }

    private static func childSpec(_ value: Any, at path: String) throws -> (id: String, restart: RestartType) {
        guard let object = value as? [String: Any] else { throw Invalid(description: "\(path): expected an object") }
        let id = try string(object["id"] as Any, at: "\(path).id")
        let restartName = object["restart"] as? String ?? "permanent"
        guard let restart = RestartType(rawValue: restartName) else {
            throw Invalid(description: "\(path).restart: expected permanent, transient or temporary")
        }
        return (id, restart)
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
