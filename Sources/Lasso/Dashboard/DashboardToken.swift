/// Whether a request may act: the dashboard's actions need `Authorization: Bearer <token>`
/// with the configured `server.admin_token`. No token configured means read-only: every action
/// is refused, whatever it carries. The comparison takes the same time wherever the first
/// difference is, so the token cannot be guessed byte by byte from reply timings.
enum DashboardToken {
    /// Refused with this message, or nil when the request may act. The messages never quote
    /// what was sent or what was expected.
    static func refusal(configured: String?, authorization: String?) -> String? {
        guard let configured else {
            return "actions are disabled: this lassod has no server.admin_token, so its dashboard is read-only"
        }
        let prefix = "Bearer "
        guard let authorization, authorization.hasPrefix(prefix),
              equalInConstantTime(Array(authorization.utf8.dropFirst(prefix.utf8.count)), Array(configured.utf8)) else {
            return "a valid admin token is required (Authorization: Bearer <server.admin_token>)"
        }
        return nil
    }

    /// Byte equality whose time depends only on the lengths.
    static func equalInConstantTime(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0 && left.count == right.count
    }
}
