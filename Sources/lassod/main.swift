import Foundation
import Lasso

// lassod's command line. Exit codes: 0 success, 1 runtime error, 2 bad usage or invalid config.

let usage = """
    usage: lassod [--config PATH]             serve (SIGINT/SIGTERM stop it cleanly)
           lassod demo [--config PATH]        serve in front of simulated providers (no network)
           lassod check-config [PATH]     validate a config file and print a summary
           lassod --version | --help

    PATH defaults to config/chains.yml.
    """

func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data("lassod: \(message)\n".utf8))
    exit(code)
}

/// Loads and validates the config, exiting 2 with every problem listed if it is invalid.
func loadConfig(_ path: String) -> LassoConfig {
    do {
        return try LassoConfig.load(path: path)
    } catch {
        fail("invalid configuration \(path):\n\(error)", code: 2)
    }
}

/// Runs lassod until SIGINT or SIGTERM, then stops the tree in reverse order and exits 0. If the
/// tree gives up on its own (the root exceeded its restart intensity), exits 1 so that a service
/// manager restarts lassod.
func serve(_ config: LassoConfig) async {
    let application: LassoApplication
    do {
        application = try await LassoApplication.start(config: config)
    } catch {
        fail("could not start: \(error)", code: 1)
    }
    // Stdout carries JSON log lines only; the banner is for the person at the terminal.
    FileHandle.standardError.write(Data(("lassod \(LassoVersion.string) serving on http://\(config.server.host):"
        + "\(application.port) (\(config.chains.count) chains); stop with Ctrl-C\n").utf8))
    await runUntilStopped(application)
}

/// Waits for a stop signal or the tree's own exit, and shuts down accordingly.
func runUntilStopped(_ application: LassoApplication, cleanUp: () async -> Void = {}) async {
    if let reason = await TerminationSignal.wait(root: application.root.process) {
        await application.stop()
        await cleanUp()
        fail("the supervision tree stopped on its own (\(reason)); exiting", code: 1)
    }
    await application.stop()
    await cleanUp()
}

/// Runs lassod in front of three simulated providers per chain until SIGINT or SIGTERM.
func demo(_ config: LassoConfig) async {
    let demo: LassoDemo
    do {
        demo = try await LassoDemo.start(config: config)
    } catch {
        fail("could not start the demo: \(error)", code: 1)
    }
    let port = demo.application.port
    let chain = config.chains.first?.key ?? "ethereum"
    let banner = ["lassod \(LassoVersion.string) demo on http://\(config.server.host):\(port), simulated providers:"]
        + demo.providerLines
        + ["try: curl -s -X POST -H 'content-type: application/json' "
           + "-d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}' "
           + "http://\(config.server.host):\(port)/rpc/\(chain)", "stop with Ctrl-C"]
    FileHandle.standardError.write(Data((banner.joined(separator: "\n") + "\n").utf8))
    await runUntilStopped(demo.application) { await demo.stopProviders() }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var configPath = "config/chains.yml"
if let flag = arguments.firstIndex(of: "--config") {
    guard flag + 1 < arguments.count else { fail("--config needs a path\n\(usage)", code: 2) }
    configPath = arguments[flag + 1]
    arguments.removeSubrange(flag...(flag + 1))
}

switch arguments.first {
case "--version":
    print("lassod \(LassoVersion.string)")
case "--help", "-h":
    print(usage)
case "demo":
    await demo(loadConfig(configPath))
case "check-config":
    let path = arguments.dropFirst().first ?? configPath
    print(ConfigSummary(config: loadConfig(path), source: path))
case nil:
    await serve(loadConfig(configPath))
default:
    fail("unknown command \(arguments[0])\n\(usage)", code: 2)
}
