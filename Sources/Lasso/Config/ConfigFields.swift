/// The keys of one YAML mapping, already checked for duplicates and unknown names.
///
/// `ConfigDecoder.fields` builds one per mapping in the schema; the typed readers take values
/// from it by key. `path` and `line` are where "missing key" errors point.
struct ConfigFields {
    /// Key path of the mapping itself (`chains.ethereum`), empty for the document root.
    var path: String
    /// Line of the mapping.
    var line: Int
    /// Values by key; null values are left out, so they read as absent and get their default.
    var values: [String: YAMLNode]

    /// The key path of `key` inside this mapping.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
