/// A `Duration` as a whole number of one unit, for the places that print or count in that unit.
/// The program keeps time as `Duration`; only these edges convert.
extension Duration {
    /// The duration in whole milliseconds (truncated toward zero, clamped to `Int`): the unit the
    /// config file and the summaries print time in.
    ///
    /// ```swift
    /// let quarter = Duration.milliseconds(250).wholeMilliseconds   // 250
    /// let block = Duration.seconds(12).wholeMilliseconds           // 12_000
    /// ```
    /// (Compiled and run by `LassoTests/DocExampleTests`.)
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return scaled < 0 ? .min : .max }
        return Int(clamping: sum)
    }

    /// The duration in whole microseconds, clamped at zero: the unit the benchmark store keeps.
    var wholeMicroseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000 &+ UInt64(attoseconds / 1_000_000_000_000)
    }
}
