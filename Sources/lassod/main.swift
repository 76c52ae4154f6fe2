import Foundation
import Lasso
import LassoSimulation
import LassoTransport

// lassod's command line (`lassod --help` lists it). Exit codes: 0 success, 1 runtime error,
// 2 bad usage or invalid config. `lassod ctl`: 0 ok reply, 1 error reply, 2 socket unreachable.

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

/// The demo's embedded config (`DemoConfig`), exiting 2 if the token variable is invalid.
func demoConfig() -> LassoConfig {
    do {
        return try DemoConfig.load()
    } catch {
        fail("invalid demo configuration:\n\(error)", code: 2)
    }
}

/// SIGHUP's default action ends the process; until the admin control exists (the tree is up)
/// a reload has nothing to act on, so one arriving during start-up is ignored.
func ignoreReloadsUntilReady() {
    signal(SIGHUP, SIG_IGN)
}

/// Opens the admin socket on `application` and routes SIGHUP to a reload. On failure (another
/// lassod owns the socket) stops the tree and exits 1.
func startAdmin(_ application: LassoApplication, config: LassoConfig, configPath: String?) async
    -> (AdminServer, ReloadSignal) {
    // A reload re-applies the command line's overrides, which outrank the file as at start.
    let control = TreeControl(application: application, configPath: configPath) { options.apply(to: $0) }
    do {
        let server = try AdminServer(application: application, path: config.server.adminSocket, control: control)
        return (server, ReloadSignal(control: control, logger: application.logger))
    } catch {
        await application.stop()
        fail("could not start: \(error)", code: 1)
    }
}

/// Runs lassod until SIGINT or SIGTERM, then closes the admin socket, stops the tree in reverse
/// order and exits 0. If the tree gives up on its own (the root exceeded its restart
/// intensity), exits 1 so that a service manager restarts lassod.
func serve(_ config: LassoConfig, configPath: String) async {
    ignoreReloadsUntilReady()
    let signals = TerminationSignal()
    let application: LassoApplication
    do {
        application = try await LassoApplication.start(config: config)
    } catch {
        fail("could not start: \(error)", code: 1)
    }
    let (admin, reload) = await startAdmin(application, config: config, configPath: configPath)
    // Stdout carries JSON log lines only; the banner is for the person at the terminal.
    let banner = "lassod \(LassoVersion.string) serving on http://\(config.server.host):"
        + "\(application.port) (\(config.chains.count) chains), admin socket \(admin.path); stop with Ctrl-C\n"
    await runUntilStopped(application, admin: admin, signals: signals, banner: banner)
    withExtendedLifetime(reload) {}
}

/// Prints `banner` on stderr, waits for SIGINT or SIGTERM (`signals`, routed since before the
/// tree started; one that came meanwhile ends the wait at once) or the tree's own exit, and
/// shuts down accordingly: the admin socket first (no commands against a stopping tree), then
/// the tree, then `cleanUp`.
func runUntilStopped(_ application: LassoApplication, admin: AdminServer, signals: TerminationSignal, banner: String,
                     cleanUp: () async -> Void = {}) async {
    let reason = await signals.wait(root: application.root.process) {
        FileHandle.standardError.write(Data(banner.utf8))
    }
    admin.stop()
    await application.stop()
    await cleanUp()
    if let reason { fail("the supervision tree stopped on its own (\(reason)); exiting", code: 1) }
}

/// Runs lassod in front of three simulated providers per chain until SIGINT or SIGTERM.
func demo(_ config: LassoConfig) async {
    ignoreReloadsUntilReady()
    let signals = TerminationSignal()
    let demo: LassoDemo
    do {
        demo = try await LassoDemo.start(config: config)
    } catch {
        fail("could not start the demo: \(error)", code: 1)
    }
    // The demo replaced every provider with a simulated one, so re-reading the file would not
    // reload what runs: its control refuses `reload` with a message saying so.
    let (admin, reload) = await startAdmin(demo.application, config: config, configPath: nil)
    // The page may switch the simulated providers (`POST /dashboard/simulate`).
    demo.application.dashboard.attach(simulator: demo)
    let port = demo.application.port
    let chain = config.chains.first?.key ?? "ethereum"
    let actions = config.server.adminToken == nil
        ? "read-only; set \(DemoConfig.tokenVariable) (16+ characters) to act from it"
        : "actions need the admin token"
    let banner = ["lassod \(LassoVersion.string) demo: dashboard http://\(config.server.host):\(port)/ (\(actions))",
                  "simulated providers:"]
        + demo.providerLines
        + ["try: curl -s -X POST -H 'content-type: application/json' "
           + "-d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_blockNumber\",\"params\":[]}' "
           + "http://\(config.server.host):\(port)/rpc/\(chain)",
           "     lassod ctl --socket \(admin.path) tree", "stop with Ctrl-C"]
    await runUntilStopped(demo.application, admin: admin, signals: signals, banner: banner.joined(separator: "\n") + "\n") {
        await demo.stopProviders()
    }
    withExtendedLifetime(reload) {}
}

/// `lassod ctl`: one command over the admin socket, on a small event loop of its own.
func ctl(socket: String, json: Bool, command: String, arguments: [String]) async -> Never {
    let loop: EventLoop
    do {
        loop = try EventLoop(configuration: .init(maxOpenFiles: 256))
    } catch {
        fail("ctl: \(error)", code: 1)
    }
    let outcome = await AdminCtl.run(command: command, arguments: arguments, socketPath: socket, json: json,
                                     color: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil, client: AdminClient(loop: loop))
    loop.stop()
    FileHandle.standardOutput.write(Data(outcome.output.utf8))
    FileHandle.standardError.write(Data(outcome.errorOutput.utf8))
    exit(outcome.exitCode)
}

let options: CommandLineOptions
switch CommandLineOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .success(let parsed): options = parsed
case .failure(let problem): fail("\(problem) (lassod --help shows the usage)", code: 2)
}

switch options.command {
case .version:
    print("lassod \(LassoVersion.string)")
case .help:
    print(CommandLineOptions.usage)
case .checkConfig(let path):
    let path = path ?? options.configPath
    print(ConfigSummary(config: options.apply(to: loadConfig(path)), source: path))
case .ctl(let socket, let json, let command, let arguments):
    await ctl(socket: socket, json: json, command: command, arguments: arguments)
case .battle(let battleOptions):
    await battle(battleOptions)
case .demo:
    await demo(options.apply(to: options.configGiven ? loadConfig(options.configPath) : demoConfig()))
case .serve:
    await serve(options.apply(to: loadConfig(options.configPath)), configPath: options.configPath)
}
