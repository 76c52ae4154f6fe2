import Foundation

/// `lasso-bench supervision --vs-otp [--runs N]`: the runtime's figures beside Erlang/OTP's,
/// measured in the same invocation.
///
/// Each run is a fresh OS process per side, taken in turns (lassod, then OTP, then lassod …):
/// memory per worker is the growth of resident memory, which only a fresh process shows, and
/// taking turns exposes both sides to the same background load. The OTP side is
/// `Benchmarks/otp/supervision_bench.escript`, which mirrors `SupervisionBenchmark` step for step.
/// Without `erl` (Debian's erlang-base; `make bench` installs it) only lassod's runs are printed.
/// `--runs N` without `--vs-otp` repeats lassod's own runs, each in a fresh process.
enum OTPComparison {
    typealias Figures = [String: Double]

    static func run(_ arguments: BenchArguments) async throws {
        let runs = try arguments.int("runs", default: 1)
        var otp: (escript: String, script: URL)?
        if arguments.flag("vs-otp") {
            if let escript = executableOnPath("escript") {
                otp = (escript, try script(arguments.string("otp-script")))
            } else {
                Console.error("lasso-bench supervision: escript not found (install erlang-base; `make bench` does): lassod only")
            }
        }
        var ours: [Figures] = []
        var theirs: [Figures] = []
        for run in 1...runs {
            let lassod = try measure(executable: CommandLine.arguments[0], arguments: ["supervision"])
            ours.append(lassod)
            Console.out("run \(run) lassod: \(line(lassod))")
            if let otp {
                let erlang = try measure(executable: otp.escript, arguments: [otp.script.path])
                theirs.append(erlang)
                Console.out("run \(run) otp:    \(line(erlang))")
            }
        }
        Console.out("")
        Console.out(table(ours: ours, theirs: theirs))
    }

    /// Where the Erlang script is: `--otp-script`, else beside this source file (the checkout
    /// this binary was built from), else above the executable or the working directory.
    static func script(_ explicit: String?) throws -> URL {
        let relative = "Benchmarks/otp/supervision_bench.escript"
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("otp/supervision_bench.escript"))
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory.appendingPathComponent(relative))
            directory = directory.deletingLastPathComponent()
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relative))
        if let found = candidates.first(where: { FileManager.default.isReadableFile(atPath: $0.path) }) { return found }
        throw BenchmarkFailure("the Erlang side is missing; looked for \(relative) at:\n"
                               + candidates.map { "  " + $0.path }.joined(separator: "\n")
                               + "\n(pass --otp-script PATH)")
    }

    /// Runs one side in a fresh process and reads the JSON line it prints last.
    private static func measure(executable: String, arguments: [String]) throws -> Figures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0,
              let last = text.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
              let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] else {
            throw BenchmarkFailure("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(text)")
        }
        var figures: Figures = [:]
        for name in SupervisionBenchmark.figureNames {
            guard let value = (object[name] as? NSNumber)?.doubleValue else {
                throw BenchmarkFailure("\(executable) printed no \(name): \(text)")
            }
            figures[name] = value
        }
        return figures
    }

    private static func line(_ figures: Figures) -> String {
        SupervisionBenchmark.figureNames.map { "\($0)=\(format(figures[$0] ?? 0))" }.joined(separator: " ")
    }

    /// The Markdown table: each side's range over the runs, and per run the ratio oriented so
    /// that above 1 means lassod is better (their time over ours; our rate over theirs).
    static func table(ours: [Figures], theirs: [Figures]) -> String {
        let runs = ours.count
        var rows = ["| figure | lassod (\(runs) runs) | Erlang/OTP (same runs) | lassod better by (per run) | lassod better in |",
                    "|---|---|---|---|---|"]
        for name in SupervisionBenchmark.figureNames {
            let mine = ours.compactMap { $0[name] }
            let other = theirs.compactMap { $0[name] }
            let higherIsBetter = name == "casts_per_s"
            let advantages = zip(mine, other).map { higherIsBetter ? $0 / $1 : $1 / $0 }
            let wins = advantages.filter { $0 >= 1 }.count
            rows.append("| \(name) | \(range(mine)) | \(other.isEmpty ? "—" : range(other)) | "
                        + (advantages.isEmpty ? "— | —" : "\(range(advantages, suffix: "×")) | \(wins) of \(advantages.count)") + " |")
        }
        return rows.joined(separator: "\n")
    }

    private static func range(_ values: [Double], suffix: String = "") -> String {
        guard let low = values.min(), let high = values.max() else { return "—" }
        let text = { (value: Double) in suffix.isEmpty ? format(value) : String(format: "%.2f", value) }
        return low == high ? text(low) + suffix : "\(text(low))–\(text(high))\(suffix)"
    }

    private static func executableOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
