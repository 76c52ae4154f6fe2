import Foundation

/// The `lassod` executable of the build these tests belong to (`swift build --build-tests` builds
/// it next to the test bundle), and a way to run it to completion as a user would.
public enum LassodBinary {
    /// `lassod` from the same build directory as the running test bundle.
    public static var url: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("lassod")
    }

    /// How a finished `lassod` run ended.
    public struct Exit: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `lassod arguments…` in `directory` and returns once it has exited and both of its
    /// output streams are closed. The streams are drained while it runs (on Dispatch threads,
    /// not the cooperative pool), so a chatty run cannot block on a full pipe.
    public static func run(_ arguments: [String], in directory: URL) async throws -> Exit {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        async let out = drain(stdout)
        async let err = drain(stderr)
        let (text, errors) = await (out, err)
        process.waitUntilExit()
        return Exit(status: process.terminationStatus, stdout: text, stderr: errors)
    }

    private static func drain(_ pipe: Pipe) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                continuation.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
    }
}
