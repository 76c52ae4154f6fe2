/// The answers of the supervisor servers' calls, unpacked by `Supervisor` and
/// `DynamicSupervisor` into their typed API.
enum SupervisorReply: Sendable {
    case started(ProcessRef)
    case ok
    case children([ChildInfo])
    case counts(ChildCounts)
    case failure(SupervisorError)
}

extension ServerRef where Server.Reply == SupervisorReply {
    /// OTP calls supervisors with an infinite timeout; a day stands in for it.
    static var supervisorCallTimeout: Duration { .seconds(86_400) }

    /// A supervisor call; a supervisor that is not running surfaces as `SupervisorError.call`.
    func supervisorRequest(_ call: Server.Call) async throws -> SupervisorReply {
        do {
            return try await self.call(call, timeout: Self.supervisorCallTimeout)
        } catch {
            throw SupervisorError.call(error)
        }
    }

    /// Stops every child, then the supervisor; returns its exit reason.
    func stopSupervisor() async -> ExitReason {
        core.requestStop(.shutdown(nil))
        return await core.waitForExit()
    }

    /// The tree rooted at this supervisor, named `name`.
    func supervisorSnapshot(name: String) async -> TreeSnapshot {
        await TreeSnapshot.of(process, name: name, kind: .supervisor, restarts: 0, runtime: core.runtime)
    }
}
