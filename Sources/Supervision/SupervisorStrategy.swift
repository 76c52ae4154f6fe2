/// What else a static supervisor restarts when one child must be restarted.
public enum SupervisorStrategy: String, Sendable, Codable {
    /// Only the child that exited.
    case oneForOne = "one_for_one"
    /// Every child: the others are stopped in reverse start order, then all start in order.
    case oneForAll = "one_for_all"
    /// The exited child and those started after it.
    case restForOne = "rest_for_one"

    /// The indices restarted when the child at `index` of `count` children must restart, in
    /// start order. Pure, so each strategy is testable on its own.
    public func restartGroup(failedIndex index: Int, childCount count: Int) -> Range<Int> {
        switch self {
        case .oneForOne: return index..<(index + 1)
        case .oneForAll: return 0..<count
        case .restForOne: return index..<count
        }
    }
}
