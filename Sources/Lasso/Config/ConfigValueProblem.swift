/// Why one value of a config list is refused, as its error message says it (`not a header
/// name`); `ConfigDecoder` adds the key path, the line and, when it may, the value.
struct ConfigValueProblem: Error, Equatable {
    /// The message, without key path or value.
    var message: String
}
