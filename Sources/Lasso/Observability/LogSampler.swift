/// Decides which `rpc.request.completed` lines are written when `sampling_rate` < 1.
///
/// Policy: **errors are always logged**; successes are kept with probability `rate`. A proxy
/// logs to find out what went wrong, errors are the small fraction of traffic that matters
/// there, and sampling them away would hide exactly the requests an operator is asked about.
/// Sampling never affects metrics or client metadata.
///
/// The decision is a pure function of a 64-bit random draw, so a test fixes the draws and
/// knows the outcome: a success is kept when `draw < rate × 2⁶⁴`.
public struct LogSampler: Sendable, Equatable {
    /// Fraction of successful requests logged, clamped to 0…1.
    public let rate: Double
    /// Draws below this are kept; `nil` means keep all.
    private let threshold: UInt64?

    /// A sampler keeping `rate` of successes.
    public init(rate: Double) {
        let clamped = rate.isNaN ? 1 : min(1, max(0, rate))
        self.rate = clamped
        // 2⁶⁴ × rate in Double; a product that rounds up to 2⁶⁴ would not fit UInt64, and
        // means "all" anyway.
        let scaled = clamped * 18_446_744_073_709_551_616.0
        threshold = scaled >= 18_446_744_073_709_551_616.0 ? nil : UInt64(scaled)
    }

    /// Whether every request is kept, so no random draw is needed.
    public var keepsAll: Bool { threshold == nil }

    /// Whether to log a request with this outcome, given a uniform random `draw`.
    public func keeps(isError: Bool, draw: UInt64) -> Bool {
        guard let threshold, !isError else { return true }
        return draw < threshold
    }
}
