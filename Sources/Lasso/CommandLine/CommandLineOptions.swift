import Foundation

/// lassod's command line, parsed without side effects so every rule can be tested:
///
/// ```
/// lassod [--config PATH] [--host H] [--port P] [--admin-socket PATH] [--log-level L] [demo]
/// lassod check-config [PATH]
/// lassod ctl [--socket PATH] [--json] COMMAND [ARGS…]
/// lassod --version | --help
/// ```
/// Flags take their value as the next argument or after `=` (`--port=4100`), in any order
/// around `demo`. A flag given twice keeps the last value. Values are checked here (a port is
/// 1…65535, a level is one of the config's), so a typo exits 2 before anything starts.
public struct CommandLineOptions: Sendable, Equatable {
    /// What lassod was asked to do.
    public enum Command: Sendable, Equatable {
        /// Serve the configured chains.
        case serve
        /// Serve in front of simulated providers.
        case demo
        /// Validate a config file (`nil`: the `--config` path) and print a summary.
        case checkConfig(path: String?)
        /// Send one admin command to a running lassod.
        case ctl(socket: String, json: Bool, command: String, arguments: [String])
        /// Run a battle scenario against simulated providers (`BattleOptions`).
        case battle(BattleOptions)
        case version
        case help
    }

    /// Values that replace the config file's.
    public struct Overrides: Sendable, Equatable {
        /// `--host`.
        public var host: String?
        /// `--port`.
        public var port: Int?
        /// `--admin-socket`.
        public var adminSocket: String?
        /// `--log-level`.
        public var logLevel: ObservabilityConfig.LogLevel?

        /// Overrides as given; `nil` keeps the file's value.
        public init(host: String? = nil, port: Int? = nil, adminSocket: String? = nil,
                    logLevel: ObservabilityConfig.LogLevel? = nil) {
            self.host = host
            self.port = port
            self.adminSocket = adminSocket
            self.logLevel = logLevel
        }
    }

    /// A command line that cannot be run; `description` says why.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, for stderr.
        public let description: String
    }

    /// The config read when `--config` is not given.
    public static let defaultConfigPath = "config/chains.yml"

    /// What to do.
    public var command: Command
    /// The config file (`--config`).
    public var configPath: String
    /// Whether `--config` was given (the demo runs its embedded config otherwise).
    public var configGiven: Bool
    /// The flags that replace config values.
    public var overrides: Overrides

    /// Options as given; `configGiven` defaults to whether `configPath` is not the default.
    public init(command: Command, configPath: String = Self.defaultConfigPath, configGiven: Bool? = nil,
                overrides: Overrides = .init()) {
        self.command = command
        self.configPath = configPath
        self.configGiven = configGiven ?? (configPath != Self.defaultConfigPath)
        self.overrides = overrides
    }

    /// The config with the flags' values in place of the file's.
    public func apply(to config: LassoConfig) -> LassoConfig {
        var config = config
        if let host = overrides.host { config.server.host = host }
        if let port = overrides.port { config.server.port = port }
        if let adminSocket = overrides.adminSocket { config.server.adminSocket = adminSocket }
        if let logLevel = overrides.logLevel { config.observability.logLevel = logLevel }
        return config
    }

    /// Parses the arguments after the program name.
    public static func parse(_ arguments: [String]) -> Result<CommandLineOptions, Problem> {
        if arguments.first == "ctl" { return parseCtl(Array(arguments.dropFirst())) }
        if arguments.first == "battle" { return BattleOptions.parse(Array(arguments.dropFirst())).map { .init(command: .battle($0)) } }
        var options = CommandLineOptions(command: .serve)
        var positionals: [String] = []
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else {
                positionals.append(argument)
                continue
            }
            let (flag, inline) = split(argument)
            switch flag {
            case "--version": return .success(CommandLineOptions(command: .version))
            case "--help": return .success(CommandLineOptions(command: .help))
            case "--config", "--host", "--port", "--admin-socket", "--log-level":
                guard let value = inline ?? remaining.popFirst() else { return problem("\(flag) needs a value") }
                if let failure = options.set(flag, value) { return .failure(failure) }
            default:
                return problem("unknown option \(flag)")
            }
        }
        switch positionals.first {
        case nil:
            break
        case "demo":
            guard positionals.count == 1 else { return problem("demo takes no arguments, got \(positionals[1])") }
            options.command = .demo
        case "check-config":
            guard positionals.count <= 2 else { return problem("check-config takes at most one path") }
            options.command = .checkConfig(path: positionals.count == 2 ? positionals[1] : nil)
        case "-h":
            return .success(CommandLineOptions(command: .help))
        case let other?:
            return problem("unknown command \(other)")
        }
        return .success(options)
    }

    /// Checks and stores one flag's value; the problem when it is invalid.
    private mutating func set(_ flag: String, _ value: String) -> Problem? {
        switch flag {
        case "--config":
            guard !value.isEmpty else { return Problem(description: "--config needs a path") }
            configPath = value
            configGiven = true
        case "--host":
            guard !value.isEmpty else { return Problem(description: "--host needs an address") }
            overrides.host = value
        case "--port":
            guard let port = Int(value), (1...65535).contains(port) else {
                return Problem(description: "invalid --port \"\(value)\": expected a number from 1 to 65535")
            }
            overrides.port = port
        case "--admin-socket":
            if let reason = AdminSocketPath.problem(with: value) {
                return Problem(description: "invalid --admin-socket \"\(value)\": \(reason)")
            }
            overrides.adminSocket = value
        default:
            guard let level = ObservabilityConfig.LogLevel(rawValue: value) else {
                let levels = ObservabilityConfig.LogLevel.allCases.map(\.rawValue).joined(separator: ", ")
                return Problem(description: "invalid --log-level \"\(value)\": expected one of \(levels)")
            }
            overrides.logLevel = level
        }
        return nil
    }

    private static func parseCtl(_ arguments: [String]) -> Result<CommandLineOptions, Problem> {
        var socket = AdminCtl.defaultSocketPath
        var json = false
        var remaining = arguments[...]
        while let argument = remaining.first, argument.hasPrefix("-") {
            remaining.removeFirst()
            let (flag, inline) = split(argument)
            switch flag {
            case "--json":
                json = true
            case "--socket":
                guard let value = inline ?? remaining.popFirst(), !value.isEmpty else {
                    return problem("ctl: --socket needs a path")
                }
                socket = value
            case "--help", "-h":
                return .success(CommandLineOptions(command: .help))
            default:
                return problem("ctl: unknown option \(flag)")
            }
        }
        guard let command = remaining.popFirst() else { return problem("ctl needs a command") }
        return .success(CommandLineOptions(command: .ctl(socket: socket, json: json, command: command,
                                                         arguments: Array(remaining))))
    }

    /// `--port=4100` → (`--port`, `4100`); `--port` → (`--port`, nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private static func problem(_ text: String) -> Result<CommandLineOptions, Problem> {
        .failure(Problem(description: text))
    }

    /// The `--help` text.
    public static var usage: String {
        let width = AdminCommand.table.map(\.usage.count).max() ?? 0
        let commands = AdminCommand.table.map { spec in
            "  " + spec.usage + String(repeating: " ", count: width - spec.usage.count + 2) + spec.summary
        }
        return """
            usage: lassod [OPTIONS]                 serve (SIGINT/SIGTERM stop it cleanly, SIGHUP reloads the config)
                   lassod demo [OPTIONS]            serve in front of simulated providers (no network); without
                                                    --config, an embedded config of four chains
                   lassod check-config [PATH]       validate a config file and print a summary
                   lassod ctl [--socket PATH] [--json] COMMAND [ARGS...]
                                                    send a command to a running lassod's admin socket
                   lassod battle SCENARIO|--list [--duration D] [--report DIR] [--seed N]
                                                    run a battle scenario (docs/battle.md); exit 1 when an SLO fails
                   lassod --version | --help

            options (each overrides the config file):
              --config PATH          config file (default \(defaultConfigPath))
              --host H               listen address (server.host, default 127.0.0.1)
              --port P               listen port, 1-65535 (server.port, default 4000)
              --admin-socket PATH    admin Unix socket, mode 0600 (server.admin_socket, default ./lassod.sock)
              --log-level L          debug, info, warning or error (observability.log_level, default info)

            ctl options:
              --socket PATH          the admin socket (default \(AdminCtl.defaultSocketPath))
              --json                 print the raw reply line instead of a table

            ctl commands:
            \(commands.joined(separator: "\n"))

            exit codes: 0 success; 1 runtime error, or an error reply to ctl;
                        2 bad usage or invalid config, or ctl cannot reach the admin socket.
            """
    }
}
