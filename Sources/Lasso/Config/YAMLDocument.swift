import CYAML

/// Parses YAML text into a `YAMLNode` tree with libyaml's event API.
///
/// Guarantees: one document per text; every node carries its 1-based line and column; a syntax
/// error becomes a `YAMLError` with libyaml's message and position, never a crash. Anchors and
/// aliases are refused rather than expanded, because expanding them lets a few lines of YAML
/// describe an exponentially large tree (the "billion laughs" pattern) and chains.yml has no need
/// for them. Nesting is capped at `maximumDepth` so a hostile file cannot exhaust the stack when
/// the tree is later walked or freed.
///
/// ```swift
/// let root = try YAMLDocument.parse("chains:\n  ethereum: {chain_id: 1}\n")
/// let line = root["chains"]?["ethereum"]?["chain_id"]?.line   // 2
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
public enum YAMLDocument {
    /// The deepest nesting of sequences and mappings accepted.
    public static let maximumDepth = 64

    /// Parses one YAML document. An empty text (or only comments) gives a null scalar at line 1.
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return nullNode }
        let result: Result<YAMLNode, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return .success(nullNode) }
            return Result { () throws(YAMLError) -> YAMLNode in try parse(base, count: buffer.count) }
        }
        return try result.get()
    }

    private static let nullNode = YAMLNode(.scalar(.init(text: "", isPlain: true)), line: 1, column: 1)

    /// A sequence or mapping whose end event has not been seen yet.
    private struct OpenCollection {
        var isMapping: Bool
        var line: Int
        var column: Int
        var elements: [YAMLNode] = []
        var pairs: [YAMLNode.Pair] = []
        var pendingKey: YAMLNode?

        mutating func add(_ node: YAMLNode) {
            if !isMapping {
                elements.append(node)
            } else if let key = pendingKey {
                pairs.append(.init(key: key, value: node))
                pendingKey = nil
            } else {
                pendingKey = node
            }
        }

        var node: YAMLNode {
            YAMLNode(isMapping ? .mapping(pairs) : .sequence(elements), line: line, column: column)
        }
    }

    private static func parse(_ base: UnsafePointer<UInt8>, count: Int) throws(YAMLError) -> YAMLNode {
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw YAMLError(message: "libyaml could not allocate a parser", line: 1, column: 1)
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base, count)

        var stack: [OpenCollection] = []
        var root: YAMLNode?
        var documents = 0

        func attach(_ node: YAMLNode) {
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].add(node)
            }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else { throw syntaxError(parser.pointee) }
            defer { yaml_event_delete(&event) }
            let line = position(event.start_mark.line)
            let column = position(event.start_mark.column)

            switch event.type {
            case YAML_STREAM_END_EVENT, YAML_NO_EVENT:
                return root ?? nullNode
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw YAMLError(message: "only one YAML document is allowed", line: line, column: column)
                }
            case YAML_ALIAS_EVENT:
                throw YAMLError(message: "aliases (*name) are not supported", line: line, column: column)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                try refuseAnchor(scalar.anchor, line: line, column: column)
                let tag = try tagName(scalar.tag, line: line, column: column)
                let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
                let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE && tag == nil
                attach(YAMLNode(.scalar(.init(text: text, isPlain: isPlain)), line: line, column: column))
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
                let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                try refuseAnchor(anchor, line: line, column: column)
                _ = try tagName(tag, line: line, column: column)
                guard stack.count < maximumDepth else {
                    throw YAMLError(message: "nesting deeper than \(maximumDepth) levels", line: line, column: column)
                }
                stack.append(OpenCollection(isMapping: isMapping, line: line, column: column))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                if let finished = stack.popLast() { attach(finished.node) }
            default:
                continue
            }
        }
    }

    /// libyaml marks are 0-based.
    private static func position(_ mark: Int) -> Int { mark + 1 }

    private static func refuseAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>?, line: Int, column: Int) throws(YAMLError) {
        if anchor != nil {
            throw YAMLError(message: "anchors (&name) are not supported", line: line, column: column)
        }
    }

    /// The standard tags only restate what the node already is, and `!!str` forces a string;
    /// any other tag would change meaning in ways the config schema does not model.
    private static func tagName(_ tag: UnsafeMutablePointer<yaml_char_t>?, line: Int, column: Int) throws(YAMLError) -> String? {
        guard let tag else { return nil }
        let name = String(cString: tag)
        let accepted = ["tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!"]
        guard accepted.contains(name) else {
            throw YAMLError(message: "tag \(name) is not supported", line: line, column: column)
        }
        return name
    }

    private static func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        let message = context.map { "\(problem) (\($0))" } ?? problem
        return YAMLError(message: message, line: position(parser.problem_mark.line),
                         column: position(parser.problem_mark.column))
    }
}
