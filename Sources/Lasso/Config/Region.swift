/// The region a lassod node serves (`server.region`, or the `LASSO_REGION` environment
/// variable, which wins): the seed's regional-first design, where clients reach the nearest
/// node and each node routes on what it measured itself.
///
/// It labels what the node reports — every `rpc.request.completed` line, every Prometheus
/// series (`region="eu-west"`), `/api/health`, `lassod ctl status` and the dashboard — and
/// keys what it keeps: benchmark snapshots and hourly history are written and read per region,
/// so a node never takes another region's latencies as its own prior.
///
/// A region is a label value and a directory name, so it is 1…64 characters of letters,
/// digits, `-`, `_` and `.`, not `.` or `..`:
///
/// ```swift
/// let fine = Region.problem(with: "eu-west-1")   // nil
/// let bad = Region.problem(with: "eu west")      // "must be 1 to 64 letters, digits, '-', '_' or '.' (it labels …)"
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum Region {
    /// The region of a node that names none: a single node, or one whose operator does not
    /// care, still labels its data consistently.
    public static let unset = "local"

    /// The environment variable that overrides `server.region`.
    public static let environmentVariable = "LASSO_REGION"

    /// The region a node runs in: `LASSO_REGION` when set and not empty, else `configured`
    /// (`server.region`), else nil (a node that names none reports `unset`).
    public static func resolve(configured: String?, environment: [String: String]) -> String? {
        if let value = environment[environmentVariable], !value.isEmpty { return value }
        return configured
    }

    /// What a node reports as its region: its own, or `unset`.
    public static func name(_ region: String?) -> String { region ?? unset }

    /// Why `text` cannot be a region, or nil when it can.
    public static func problem(with text: String) -> String? {
        let allowed = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
        guard allowed, (1...64).contains(text.utf8.count), text != ".", text != ".." else {
            return "must be 1 to 64 letters, digits, '-', '_' or '.' (it labels metrics and names a directory)"
        }
        return nil
    }
}
