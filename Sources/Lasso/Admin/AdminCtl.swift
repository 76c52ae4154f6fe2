/// `lassod ctl`: sends one command to the admin socket and says what came back.
///
/// Exit codes: 0 when the reply is ok, 1 for an error reply (its message on stderr) or a reply
/// that never came, 2 when the socket cannot be reached (the message names the path). With
/// `json` the reply line is printed as received.
public enum AdminCtl {
    /// What `lassod ctl` prints and how it exits.
    public struct Outcome: Sendable, Equatable {
        /// The process exit code (see above).
        public var exitCode: Int32
        /// For stdout; ends in a newline when not empty.
        public var output: String
        /// For stderr; ends in a newline when not empty.
        public var errorOutput: String
    }

    /// Socket used when `--socket` is not given.
    public static let defaultSocketPath = "./lassod.sock"

    /// How long to wait for a reply. Reloads and chain starts, stops and restarts stop and start
    /// processes: lassod gives them up to `AdminCommand.changeTimeout` and then answers itself,
    /// so ctl waits 10 s longer and the operator reads lassod's answer, not a ctl timeout.
    public static func timeout(for command: String) -> Duration {
        guard ["reload", "restart-chain", "stop-chain", "start-chain"].contains(command) else { return .seconds(10) }
        return AdminCommand.changeTimeout + .seconds(10)
    }

    /// Runs `command` with `arguments` against the socket at `socketPath` through `client`.
    public static func run(command: String, arguments: [String], socketPath: String, json: Bool, color: Bool,
                           client: AdminClient, timeout: Duration? = nil) async -> Outcome {
        let line = AdminRequest.line(name: command, arguments: arguments)
        let reply: [UInt8]
        switch await client.send(line, to: socketPath, timeout: timeout ?? Self.timeout(for: command)) {
        case .failure(let error):
            let code: Int32 = if case .unreachable = error { 2 } else { 1 }
            return Outcome(exitCode: code, output: "", errorOutput: "lassod ctl: \(error)\n")
        case .success(let line):
            reply = line
        }
        guard let decoded = AdminReply.decode(reply) else {
            return Outcome(exitCode: 1, output: json ? String(decoding: reply, as: UTF8.self) + "\n" : "",
                           errorOutput: "lassod ctl: lassod at \(socketPath) sent something that is not a reply\n")
        }
        switch decoded {
        case .failure(let message):
            if json { return Outcome(exitCode: 1, output: String(decoding: reply, as: UTF8.self) + "\n", errorOutput: "") }
            return Outcome(exitCode: 1, output: "", errorOutput: "lassod ctl: \(message)\n")
        case .success(let result):
            let text = json ? String(decoding: reply, as: UTF8.self)
                : AdminRenderer.render(command: command, result: result, color: color)
            return Outcome(exitCode: 0, output: text + "\n", errorOutput: "")
        }
    }
}
