import Foundation
import Lasso

/// The config `lassod demo` runs when no `--config` is given, carried in the binary so the demo
/// works from any directory: four chains as in `config/chains.yml` (Ethereum, Base, Polygon,
/// Arbitrum), whose providers `LassoDemo` replaces with simulated ones, and the dashboard's
/// token from `LASSO_ADMIN_TOKEN` (unset: a read-only dashboard).
///
/// The admin socket goes to the temporary directory, named by the process id, since the
/// working directory may not be writable and two demos may run at once.
public enum DemoConfig {
    /// The environment variable that gives the demo's dashboard its admin token.
    public static let tokenVariable = "LASSO_ADMIN_TOKEN"

    static let yaml = """
        server:
          host: 127.0.0.1
          port: 4000
          admin_token: "${\(tokenVariable)}"
        selection:
          default_strategy: fastest
        chains:
          ethereum:
            chain_id: 1
            name: "Ethereum Mainnet"
            block_time_ms: 12000
            providers: [{id: ethereum_placeholder, url: "http://127.0.0.1:1"}]
            monitoring: {probe_interval_ms: 12000, lag_threshold_blocks: 3}
          base:
            chain_id: 8453
            name: "Base"
            block_time_ms: 2000
            providers: [{id: base_placeholder, url: "http://127.0.0.1:1"}]
            monitoring: {probe_interval_ms: 6000, lag_threshold_blocks: 5}
          polygon:
            chain_id: 137
            name: "Polygon PoS"
            block_time_ms: 2000
            providers: [{id: polygon_placeholder, url: "http://127.0.0.1:1"}]
            monitoring: {probe_interval_ms: 6000, lag_threshold_blocks: 5}
          arbitrum:
            chain_id: 42161
            name: "Arbitrum One"
            block_time_ms: 250
            providers: [{id: arbitrum_placeholder, url: "http://127.0.0.1:1"}]
            monitoring: {probe_interval_ms: 5000, lag_threshold_blocks: 40}
        """

    /// The embedded config, with `environment`'s token (none when unset or empty) and an admin
    /// socket in `temporaryDirectory`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            temporaryDirectory: String = NSTemporaryDirectory(),
                            processID: Int32 = ProcessInfo.processInfo.processIdentifier) throws -> LassoConfig {
        var environment = environment
        if environment[tokenVariable] == nil { environment[tokenVariable] = "" }
        var config = try LassoConfig.parse(yaml: yaml, environment: environment)
        let directory = temporaryDirectory.hasSuffix("/") ? String(temporaryDirectory.dropLast()) : temporaryDirectory
        config.server.adminSocket = "\(directory)/lassod-demo-\(processID).sock"
        return config
    }
}
