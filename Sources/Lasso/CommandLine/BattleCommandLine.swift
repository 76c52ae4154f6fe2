/// `lassod battle SCENARIO [--duration D] [--report DIR] [--seed N]` and `lassod battle --list`,
/// parsed like the rest of the command line (no side effects). `SCENARIO` is a built-in name or
/// a path to a scenario YAML file; `D` is `30s`, `1500ms`, `2m` or a number of seconds.
public struct BattleOptions: Sendable, Equatable {
    /// The built-in name or file; nil with `--list`.
    public var scenario: String?
    public var durationMs: Int?
    /// Where the report goes (default `battle-reports/<scenario>`).
    public var reportDirectory: String?
    public var seed: UInt64?
    public var list: Bool

    public init(scenario: String? = nil, durationMs: Int? = nil, reportDirectory: String? = nil, seed: UInt64? = nil,
                list: Bool = false) {
        self.scenario = scenario
        self.durationMs = durationMs
        self.reportDirectory = reportDirectory
        self.seed = seed
        self.list = list
    }

    /// `30s`, `1500ms`, `2m` or `45` (seconds) in milliseconds; nil when unreadable or not positive.
    public static func milliseconds(_ text: String) -> Int? {
        let (digits, scale): (Substring, Int) = if text.hasSuffix("ms") { (text.dropLast(2), 1) }
            else if text.hasSuffix("s") { (text.dropLast(), 1_000) }
            else if text.hasSuffix("m") { (text.dropLast(), 60_000) }
            else { (text[...], 1_000) }
        guard let value = Int(digits), value > 0, value <= Int.max / scale else { return nil }
        return value * scale
    }

    static func parse(_ arguments: [String]) -> Result<BattleOptions, CommandLineOptions.Problem> {
        var options = BattleOptions()
        var remaining = arguments[...]
        func problem(_ text: String) -> Result<BattleOptions, CommandLineOptions.Problem> {
            .failure(CommandLineOptions.Problem(description: "battle: " + text))
        }
        while let argument = remaining.popFirst() {
            guard argument.hasPrefix("--") else {
                guard options.scenario == nil else { return problem("one scenario at a time, got \(argument) too") }
                options.scenario = argument
                continue
            }
            let flag = argument.prefix { $0 != "=" }
            let inline = flag.count < argument.count ? String(argument.dropFirst(flag.count + 1)) : nil
            if flag == "--list" {
                options.list = true
                continue
            }
            guard ["--duration", "--report", "--seed"].contains(flag) else { return problem("unknown option \(flag)") }
            guard let value = inline ?? remaining.popFirst(), !value.isEmpty else { return problem("\(flag) needs a value") }
            switch flag {
            case "--duration":
                guard let ms = milliseconds(value) else { return problem("invalid --duration \"\(value)\": expected e.g. 30s, 1500ms, 2m") }
                options.durationMs = ms
            case "--report":
                options.reportDirectory = value
            default:
                guard let seed = UInt64(value) else { return problem("invalid --seed \"\(value)\": expected a whole number") }
                options.seed = seed
            }
        }
        guard options.list || options.scenario != nil else { return problem("needs a scenario (lassod battle --list names them)") }
        return .success(options)
    }
}
