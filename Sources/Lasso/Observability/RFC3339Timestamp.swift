import Glibc

/// Formats wall-clock instants as RFC 3339 UTC with milliseconds, `2026-11-25T16:03:30.123Z`,
/// by integer arithmetic: no `DateFormatter` (which allocates and locks), no time zone
/// database. Days become a civil date with Howard Hinnant's `civil_from_days`, valid for the
/// whole proleptic Gregorian calendar.
public enum RFC3339Timestamp {
    /// Milliseconds since the Unix epoch, from the system's real-time clock.
    public static func nowUnixMillis() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// Characters in every timestamp.
    public static let length = 24

    /// The 24-character timestamp of `unixMillis`.
    public static func string(unixMillis: Int64) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            buffer.baseAddress.map { write(unixMillis: unixMillis, to: $0) }
            return buffer.baseAddress == nil ? 0 : length
        }
    }

    /// Writes the `length` bytes of the timestamp of `unixMillis` at `output`. Years outside
    /// 0…9999 are clamped, since RFC 3339 has four year digits.
    public static func write(unixMillis: Int64, to output: UnsafeMutablePointer<UInt8>) {
        let lowest: Int64 = -62_167_219_200_000   // 0000-01-01T00:00:00.000Z
        let highest: Int64 = 253_402_300_799_999  // 9999-12-31T23:59:59.999Z
        let millis = min(max(unixMillis, lowest), highest)
        var days = millis / 86_400_000
        var remainder = millis % 86_400_000
        if remainder < 0 {
            remainder += 86_400_000
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let seconds = remainder / 1_000
        var position = 0
        func digits(_ value: Int64, _ count: Int) {
            var value = value
            for offset in stride(from: count - 1, through: 0, by: -1) {
                output[position + offset] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: value % 10)
                value /= 10
            }
            position += count
        }
        func literal(_ byte: UInt8) {
            output[position] = byte
            position += 1
        }
        digits(year, 4); literal(UInt8(ascii: "-")); digits(month, 2); literal(UInt8(ascii: "-")); digits(day, 2)
        literal(UInt8(ascii: "T"))
        digits(seconds / 3_600, 2); literal(UInt8(ascii: ":")); digits(seconds / 60 % 60, 2); literal(UInt8(ascii: ":"))
        digits(seconds % 60, 2); literal(UInt8(ascii: ".")); digits(remainder % 1_000, 3); literal(UInt8(ascii: "Z"))
    }

    /// Year, month (1…12) and day (1…31) of the day `days` after 1970-01-01.
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
