import Foundation
import Testing
import TestSupport

/// The dashboard in Debian's chromium, headless, against `lassod demo`:
/// `scripts/dashboard-browser-test.py` drives it over the DevTools protocol and checks the page
/// (live state, leaderboard filled by a load started from the page, a 403 for a read-only
/// action, a breaker forced open and closed, a simulated provider taken down from the page and
/// its breaker opening, its tree node killed and restarted, no console error); the
/// screenshot is written to `.build/test-artifacts/dashboard.png`.
///
/// Skipped, with the reason on stderr, where chromium or python3 cannot start (`make test`
/// installs chromium; `LASSO_CHROMIUM=/path` picks another binary).
@Suite(.serialized) struct DashboardBrowserTests {
    /// The package's root directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let script = root.appendingPathComponent("scripts/dashboard-browser-test.py").path
    static let screenshot = root.appendingPathComponent(".build/test-artifacts/dashboard.png").path
    /// `LASSO_CHROMIUM` names another browser binary (default: `chromium` on the PATH).
    static let chromium = ProcessInfo.processInfo.environment["LASSO_CHROMIUM"] ?? "chromium"

    /// Runs `arguments` with python3; exit status and combined output. Nil when python3 cannot run.
    static func python(_ arguments: [String]) -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return nil
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Whether chromium starts here; when it does not, says why on stderr.
    static let chromiumStarts: Bool = {
        guard let probe = python([script, "--probe", "--chromium", chromium, "--timeout", "60"]) else {
            FileHandle.standardError.write(Data("DashboardBrowserTests skipped: python3 cannot run\n".utf8))
            return false
        }
        guard probe.status == 0 else {
            FileHandle.standardError.write(Data("DashboardBrowserTests skipped: \(probe.output)".utf8))
            return false
        }
        return true
    }()

    @Test(.enabled(if: DashboardBrowserTests.chromiumStarts, "chromium cannot start here (the reason is on stderr)"))
    func theDashboardWorksInARealBrowserAgainstTheDemo() async throws {
        let binary = LassodProcessTests.binary
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "build lassod first: \(binary.path)")
        try? FileManager.default.removeItem(atPath: Self.screenshot)
        let result = await offPool {
            Self.python([Self.script, "--lassod", binary.path, "--chromium", Self.chromium, "--screenshot", Self.screenshot,
                         "--timeout", "60"])
        }
        let (status, output) = try #require(result, "python3 did not run")
        #expect(status == 0, "\(output)")
        for step in ["ok: live", "ok: read-only action refused: 403", "ok: load from the page filled the leaderboard",
                     "ok: breaker ethereum_sim_2/http forced open and closed",
                     "ok: breaker ethereum_sim_1/http opened after the provider went down",
                     "ok: ProviderSupervisor(ethereum_sim_1) killed from the page shows restarts",
                     "ok: no console errors", "ok: screenshot"] {
            #expect(output.contains(step), "missing '\(step)' in:\n\(output)")
        }
        let png = try #require(FileManager.default.contents(atPath: Self.screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "the screenshot is a PNG")
    }
}
