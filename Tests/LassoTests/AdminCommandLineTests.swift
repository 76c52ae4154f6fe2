import Testing
@testable import Lasso

/// lassod's flags as the pure parser sees them: overrides, subcommands, and bad values.
struct AdminCommandLineTests {
    private func parse(_ arguments: String) -> Result<CommandLineOptions, CommandLineOptions.Problem> {
        CommandLineOptions.parse(arguments.split(separator: " ").map(String.init))
    }

    private func problem(_ arguments: String) -> String? {
        if case .failure(let problem) = parse(arguments) { return problem.description }
        return nil
    }

    @Test func withoutFlagsItServesTheDefaultConfigUnchanged() throws {
        let options = try parse("").get()
        #expect(options == CommandLineOptions(command: .serve, configPath: "config/chains.yml"))
        let config = LassoConfig(chains: [])
        #expect(options.apply(to: config) == config)
        #expect(config.server.host == "127.0.0.1" && config.server.port == 4000 && config.server.adminSocket == "lassod.sock")
    }

    @Test func flagsOverrideTheConfigInEitherSpelling() throws {
        let options = try parse("--config /etc/lassod.yml --host=0.0.0.0 --port 4100 --admin-socket=/run/lassod.sock "
                                + "--log-level debug").get()
        #expect(options.command == .serve)
        #expect(options.configPath == "/etc/lassod.yml")
        let config = options.apply(to: LassoConfig(chains: []))
        #expect(config.server.host == "0.0.0.0")
        #expect(config.server.port == 4100)
        #expect(config.server.adminSocket == "/run/lassod.sock")
        #expect(config.observability.logLevel == .debug)
        // Untouched settings keep the file's values; the last of a repeated flag wins.
        #expect(config.server.maxBodyBytes == ServerConfig().maxBodyBytes)
        #expect(try parse("--port 4100 --port 4200").get().overrides.port == 4200)
    }

    @Test func subcommandsTakeTheSameFlagsOnEitherSide() throws {
        #expect(try parse("demo --port 4100").get() == CommandLineOptions(command: .demo, overrides: .init(port: 4100)))
        #expect(try parse("--admin-socket demo.sock demo").get()
                == CommandLineOptions(command: .demo, overrides: .init(adminSocket: "demo.sock")))
        #expect(try parse("check-config other.yml").get().command == .checkConfig(path: "other.yml"))
        #expect(try parse("--config x.yml check-config").get() == CommandLineOptions(command: .checkConfig(path: nil),
                                                                                     configPath: "x.yml"))
        #expect(try parse("--version").get().command == .version)
        #expect(try parse("--port 1 --help").get().command == .help)
    }

    @Test func badValuesAreRefusedWithAMessageThatSaysWhatIsExpected() {
        #expect(problem("--port 0") == "invalid --port \"0\": expected a number from 1 to 65535")
        #expect(problem("--port 65536") == "invalid --port \"65536\": expected a number from 1 to 65535")
        #expect(problem("--port=http") == "invalid --port \"http\": expected a number from 1 to 65535")
        #expect(problem("--log-level verbose") == "invalid --log-level \"verbose\": expected one of debug, info, warning, error")
        #expect(problem("--port") == "--port needs a value")
        #expect(problem("--host=") == "--host needs an address")
        #expect(problem("--admin-socket=@lassod")
                == "invalid --admin-socket \"@lassod\": abstract sockets (@…) have no file permissions; use a filesystem path")
        #expect(problem("--admin-socket /" + String(repeating: "s", count: 120))?.hasSuffix("longer than 107 bytes") == true)
        #expect(problem("--verbose") == "unknown option --verbose")
        #expect(problem("serve") == "unknown command serve")
        #expect(problem("demo extra") == "demo takes no arguments, got extra")
        #expect(problem("check-config a.yml b.yml") == "check-config takes at most one path")
    }

    @Test func ctlTakesItsOwnOptionsThenTheCommandVerbatim() throws {
        #expect(try parse("ctl tree").get().command
                == .ctl(socket: "./lassod.sock", json: false, command: "tree", arguments: []))
        #expect(try parse("ctl --socket /run/l.sock --json breaker ethereum ethereum_ankr http open").get().command
                == .ctl(socket: "/run/l.sock", json: true, command: "breaker",
                        arguments: ["ethereum", "ethereum_ankr", "http", "open"]))
        // After the command every word is an argument, even one that looks like a flag.
        #expect(try parse("ctl --socket=s.sock kill --json").get().command
                == .ctl(socket: "s.sock", json: false, command: "kill", arguments: ["--json"]))
        #expect(problem("ctl") == "ctl needs a command")
        #expect(problem("ctl --socket") == "ctl: --socket needs a path")
        #expect(problem("ctl --color tree") == "ctl: unknown option --color")
    }

    @Test func theHelpTextListsEveryAdminCommandFromTheTable() {
        for spec in AdminCommand.table {
            #expect(CommandLineOptions.usage.contains(spec.usage + " "), "\(spec.name) missing from --help")
        }
        #expect(CommandLineOptions.usage.contains("--admin-socket PATH"))
    }
}
