import Foundation

/// The `date` header value (IMF-fixdate, RFC 9110 §5.6.7), formatted at most once a second.
///
/// ```swift
/// var date = HTTPDate()
/// let value = date.current()   // "Mon, 07 Dec 2026 10:00:00 GMT", as bytes; formatted at most once a second
/// ```
/// (Compiled and run by `TransportTests/DocExampleTests`.)
/// Threading: a value owned by one loop.
struct HTTPDate {
    private var second: Int = -1
    private var text: [UInt8] = []

    /// The header value for this second, as bytes.
    mutating func current() -> [UInt8] {
        let now = time(nil)
        if now != second {
            second = now
            text = Array(Self.format(now).utf8)
        }
        return text
    }

    static func format(_ seconds: Int) -> String {
        var value = time_t(seconds)
        var parts = tm()
        gmtime_r(&value, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ number: Int32) -> String { number < 10 ? "0\(number)" : "\(number)" }
        return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
