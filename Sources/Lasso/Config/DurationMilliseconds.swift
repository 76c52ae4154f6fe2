extension Duration {
    /// The duration in whole milliseconds (truncated toward zero, clamped to `Int`): the unit the
    /// config file and the summaries print time in. Only output converts back; the program
    /// keeps the `Duration`.
    ///
    /// ```swift
    /// Duration.milliseconds(250).wholeMilliseconds   // 250
    /// Duration.seconds(12).wholeMilliseconds         // 12_000
    /// ```
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return scaled < 0 ? .min : .max }
        return Int(clamping: sum)
    }
}
