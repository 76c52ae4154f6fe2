import Supervision

/// `StreamSupervisor(<chain>)`: the dynamic supervisor of a chain's `StreamCoordinator`s, one
/// per subscription key with clients (`lassod ctl tree` lists them, `lassod ctl kill` reaches
/// them). Coordinators are `transient`: one that crashes or is killed comes back and resumes
/// its key from the `SubscriptionTable`; one that retires is not restarted.
///
/// A new incarnation starts with no children, so it tells the table that no coordinator runs
/// and asks the running `ClientSubscriptionRegistry` (if any) to start one per key again.
enum StreamSupervisor {
    /// The registered name, for `ProcessNames`.
    static func processKey(chain: String) -> String {
        ProcessNames.chainKey(chain, "StreamSupervisor")
    }

    /// The running supervisor of `chain`, if any.
    static func running(chain: String, names: ProcessNames) -> DynamicSupervisor? {
        names.registry.whereis(processKey(chain: chain)).flatMap(DynamicSupervisor.init)
    }

    static func childSpec(chain: String, table: SubscriptionTable, names: ProcessNames) -> ChildSpec {
        ChildSpec(id: "StreamSupervisor", kind: .supervisor, name: names.name(processKey(chain: chain))) { runtime in
            let supervisor = try await DynamicSupervisor.start(name: "StreamSupervisor", runtime: runtime)
            table.forgetCoordinators()
            ClientSubscriptionRegistry.running(chain: chain, names: names)?.cast(.reconcile(supervisor))
            return supervisor.process
        }
    }
}
