/// The version lassod reports (`lassod --version`, `/api/health`).
public enum LassoVersion {
    public static let string = "0.1.0"
}
