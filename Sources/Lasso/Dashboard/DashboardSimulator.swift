/// Simulated providers the dashboard can switch, when lassod runs in front of them
/// (`lassod demo`): the seed's "system simulator". Production code has none; `LassoDemo`
/// attaches itself (`DashboardHub.attach(simulator:)`), so `Lasso` never imports the simulator.
public protocol DashboardSimulator: Sendable {
    /// Each simulated provider's id and current behavior (`healthy`, `down`, `slow:250`, …).
    func behaviors() -> [(provider: String, behavior: String)]
    /// Switches `provider` to `behavior`; the error text when either is unknown, nil when done.
    func setBehavior(provider: String, behavior: String) -> String?
}
