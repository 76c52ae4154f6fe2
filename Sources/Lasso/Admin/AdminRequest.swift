import Foundation

/// The request half of the admin protocol: one JSON object per line,
/// `{"cmd":"restart-chain","args":["ethereum"]}` (`args` may be left out when empty).
///
/// Parsing is strict so that a typo gets an answer that says what is wrong rather than a
/// command run with a missing argument: only `cmd` and `args` are allowed, `args` holds strings.
public enum AdminRequest {
    /// The longest request line accepted, newline excluded.
    public static let maxLineBytes = 64 * 1024

    /// The command a line asks for, or the error reply explaining why it is not one.
    public static func parse(_ line: [UInt8]) -> Result<AdminCommand, AdminRequestError> {
        let shape = "a request is one JSON object per line, e.g. {\"cmd\":\"status\",\"args\":[\"ethereum\"]}"
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)), let fields = object as? [String: Any] else {
            return .failure(AdminRequestError("malformed request: \(shape)"))
        }
        if let unknown = fields.keys.sorted().first(where: { $0 != "cmd" && $0 != "args" }) {
            return .failure(AdminRequestError("unknown field \"\(unknown)\": \(shape)"))
        }
        guard let name = fields["cmd"] else {
            return .failure(AdminRequestError("missing \"cmd\"; commands: \(AdminCommand.commandList)"))
        }
        guard let name = name as? String else {
            return .failure(AdminRequestError("\"cmd\" must be a string; commands: \(AdminCommand.commandList)"))
        }
        var arguments: [String] = []
        if let value = fields["args"] {
            guard let strings = value as? [String] else {
                let usage = AdminCommand.table.first { $0.name == name }.map { "; usage: \($0.usage)" } ?? ""
                return .failure(AdminRequestError("\"args\" must be an array of strings\(usage)"))
            }
            arguments = strings
        }
        return AdminCommand.parse(name: name, arguments: arguments)
    }

    /// The request line (newline included) for command `name` with `arguments`, unvalidated:
    /// `lassod ctl` leaves checking to the daemon so that both agree on what is valid.
    public static func line(name: String, arguments: [String]) -> [UInt8] {
        var json = JSONWriter(capacity: 64)
        json.beginObject()
        json.string("cmd", name)
        json.beginArray("args")
        for argument in arguments { json.stringValue(argument) }
        json.endArray()
        json.endObject()
        return json.finishLine()
    }
}
