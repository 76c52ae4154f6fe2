import Testing
@testable import Lasso

@Suite struct RFC3339TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_764_086_610_123, "2025-11-25T16:03:30.123Z"),
        (1_709_164_800_999, "2024-02-29T00:00:00.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
    ])
    func formatsUTCWithMilliseconds(unixMillis: Int64, expected: String) {
        #expect(RFC3339Timestamp.string(unixMillis: unixMillis) == expected)
    }

    @Test func clampsToFourDigitYears() {
        #expect(RFC3339Timestamp.string(unixMillis: .max) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339Timestamp.string(unixMillis: .min) == "0000-01-01T00:00:00.000Z")
    }
}
