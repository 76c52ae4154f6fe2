/// The answers of the supervisor servers' calls, unpacked by `Supervisor` and
/// `DynamicSupervisor` into their typed API.
enum SupervisorReply: Sendable {
    case started(ProcessRef)
    case ok
    case children([ChildInfo])
    case counts(ChildCounts)
    case failure(SupervisorError)
}
