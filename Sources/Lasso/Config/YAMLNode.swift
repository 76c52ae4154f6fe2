/// One node of a parsed YAML document, with the position it came from.
///
/// The config loader needs positions after parsing (every validation error names its line), so
/// the tree keeps libyaml's marks on every node instead of converting straight to Swift values.
/// Scalars stay text: whether `4000` is a port or a name is decided by the schema, not the parser.
///
/// ```swift
/// let root = try YAMLDocument.parse("server:\n  port: 4000\n")
/// let port = root["server"]?["port"]?.scalar?.text   // "4000", line 2
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public struct YAMLNode: Sendable, Equatable {
    /// A key and its value inside a mapping, in file order.
    public struct Pair: Sendable, Equatable {
        /// The key node (a scalar in every config this project reads).
        public var key: YAMLNode
        /// The value node.
        public var value: YAMLNode

        /// Creates a pair.
        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    /// A scalar's text and how it was written.
    public struct Scalar: Sendable, Equatable {
        /// The scalar's text after YAML unescaping.
        public var text: String
        /// True for an unquoted scalar: only those can mean null (`~`, `null`, empty).
        public var isPlain: Bool

        /// Creates a scalar.
        public init(text: String, isPlain: Bool) {
            self.text = text
            self.isPlain = isPlain
        }

        /// True when the scalar is YAML's null (`~`, `null`, `Null`, `NULL` or nothing, unquoted).
        public var isNull: Bool {
            isPlain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
        }
    }

    /// What the node holds.
    public enum Content: Sendable, Equatable {
        /// A single value.
        case scalar(Scalar)
        /// An ordered list.
        case sequence([YAMLNode])
        /// Key/value pairs in file order; duplicate keys are kept so the validator can report them.
        case mapping([Pair])
    }

    /// The node's content.
    public var content: Content
    /// 1-based line where the node starts.
    public var line: Int
    /// 1-based column where the node starts.
    public var column: Int

    /// Creates a node.
    public init(_ content: Content, line: Int, column: Int) {
        self.content = content
        self.line = line
        self.column = column
    }

    /// The scalar, when this node is one.
    public var scalar: Scalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    /// The elements, when this node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let elements) = content { return elements }
        return nil
    }

    /// The pairs, when this node is a mapping.
    public var mapping: [Pair]? {
        if case .mapping(let pairs) = content { return pairs }
        return nil
    }

    /// The value of the first pair whose key is the scalar `key`, when this node is a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first { $0.key.scalar?.text == key }?.value
    }

    /// A short name of the node's kind for error messages ("a mapping", "a list", "a scalar").
    public var kindDescription: String {
        switch content {
        case .scalar: "a scalar"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}
