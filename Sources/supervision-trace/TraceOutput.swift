import Foundation
import Synchronization

/// Prints one JSON object per line, in the order events happen, from any thread.
final class TraceOutput: Sendable {
    private let lock = Mutex(())

    func emit(_ fields: KeyValuePairs<String, Any>) {
        var parts: [String] = []
        for (key, value) in fields { parts.append("\(quote(key)):\(encode(value))") }
        let line = "{" + parts.joined(separator: ",") + "}\n"
        lock.withLock { _ in
            FileHandle.standardOutput.write(Data(line.utf8))
        }
    }

    private func encode(_ value: Any) -> String {
        if let text = value as? String { return quote(text) }
        if let list = value as? [String] { return "[" + list.map(quote).joined(separator: ",") + "]" }
        return "null"
    }

    private func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
