import Foundation
import Testing

/// The folders of `Sources/Lasso` are layers (docs/architecture.md, "Inside `Sources/Lasso`"): a
/// folder uses only the folders below it, so no two folders need each other. The compiler
/// enforces the layers between targets; this test enforces them between folders, by reading the
/// sources: every type a file names must be declared in its own folder or in one below it.
@Suite struct FolderLayerTests {
    /// Top first, as in the architecture table. The root (`LassoVersion.swift`) is below all.
    static let layers = ["CommandLine", "Tree", "Dashboard", "Admin", "Web", "Subscriptions", "Pipeline", "Metrics",
                         "Providers", "Registries", "JSONRPC", "Observability", "Routing", "Config", "."]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Lasso").standardizedFileURL

    @Test func everyFolderUsesOnlyTheFoldersBelowIt() throws {
        let files = try Self.swiftFiles()
        let folders = Set(files.map(\.folder))
        #expect(folders.subtracting(Self.layers).isEmpty, "a folder not in the table: \(folders.subtracting(Self.layers).sorted())")

        // A type's folder, for names declared at the top level of exactly one folder.
        var declaredIn: [String: Set<String>] = [:]
        for file in files {
            for name in file.source.topLevelDeclarations { declaredIn[name, default: []].insert(file.folder) }
        }
        var violations: [String] = []
        for file in files {
            guard let rank = Self.layers.firstIndex(of: file.folder) else { continue }
            for name in file.source.identifiers.sorted() {
                guard let owners = declaredIn[name], owners.count == 1, let owner = owners.first, owner != file.folder,
                      let ownerRank = Self.layers.firstIndex(of: owner), ownerRank < rank else { continue }
                violations.append("\(file.folder)/\(file.name) uses \(name) of \(owner)/, a layer above it")
            }
        }
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        // The reader sees the code: the pipeline's use of `Routing/Selection` is found.
        #expect(declaredIn["Selection"] == ["Routing"])
        #expect(files.contains { $0.folder == "Pipeline" && $0.source.identifiers.contains("Selection") })
    }

    @Test func theReaderSkipsCommentsAndStringsButNotInterpolations() {
        let source = SwiftSourceWords("""
        // Alpha in a comment
        /* Beta /* nested Gamma */ */
        public struct Delta { let text = "Epsilon \\(Zeta.value) \\"Eta\\"" }
        let raw = #"Theta "\\(Iota)" \\#(Kappa)"#
        let block = \"\"\"
            Lambda \\(Mu)
            \"\"\"
        enum Nu {}
        extension Delta { struct Xi {} }
        """)
        #expect(source.identifiers == ["Delta", "Zeta", "Kappa", "Mu", "Nu", "Xi"])
        #expect(source.topLevelDeclarations == ["Delta", "Nu"])
    }

    struct SourceFile {
        var folder: String
        var name: String
        var source: SwiftSourceWords
    }

    static func swiftFiles() throws -> [SourceFile] {
        var files: [SourceFile] = []
        let root = sources.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".swift") else { continue }
            let parts = relative.split(separator: "/")
            let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
            files.append(SourceFile(folder: parts.count > 1 ? String(parts[0]) : ".", name: String(parts.last ?? ""),
                                    source: SwiftSourceWords(text)))
        }
        return files
    }
}

/// The capitalised words of Swift source that are code: comments and string literals skipped,
/// string interpolations read as code. Enough of Swift's lexical grammar for type names.
struct SwiftSourceWords {
    /// Capitalised identifiers in code.
    private(set) var identifiers = Set<String>()
    /// Types declared outside any braces (`struct X`, `enum X`, `class X`, `protocol X`, `actor X`,
    /// `typealias X`).
    private(set) var topLevelDeclarations = Set<String>()

    init(_ text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        scanCode(bytes, &index, untilParen: false, depth: 0)
    }

    private static let declarators: Set<String> = ["struct", "class", "enum", "protocol", "actor", "typealias"]

    /// Reads code from `index` to the end, or (in an interpolation) to its closing parenthesis.
    private mutating func scanCode(_ bytes: [UInt8], _ index: inout Int, untilParen: Bool, depth braceDepth: Int) {
        var parens = 0
        var braces = braceDepth
        var previousWord = ""
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                Self.skipBlockComment(bytes, &index)
            case UInt8(ascii: "#") where Self.startsString(bytes, index):
                scanString(bytes, &index)
            case UInt8(ascii: "\""):
                scanString(bytes, &index)
            case UInt8(ascii: "("):
                parens += 1
                index += 1
            case UInt8(ascii: ")"):
                index += 1
                if untilParen {
                    if parens == 0 { return }
                    parens -= 1
                }
            case UInt8(ascii: "{"):
                braces += 1
                index += 1
            case UInt8(ascii: "}"):
                braces -= 1
                index += 1
            case _ where Self.isWordStart(byte):
                let start = index
                while index < bytes.count && Self.isWordByte(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                    identifiers.insert(word)
                    if braces == 0 && Self.declarators.contains(previousWord) { topLevelDeclarations.insert(word) }
                }
                previousWord = word
            default:
                index += 1
            }
        }
    }

    /// Skips a string literal starting at `index` (`"…"`, `"""…"""`, with any number of `#`),
    /// reading its interpolations as code.
    private mutating func scanString(_ bytes: [UInt8], _ index: inout Int) {
        var hashes = 0
        while index < bytes.count && bytes[index] == UInt8(ascii: "#") {
            hashes += 1
            index += 1
        }
        let quote = UInt8(ascii: "\"")
        let multiline = index + 2 < bytes.count && bytes[index + 1] == quote && bytes[index + 2] == quote
        let quotes = multiline ? 3 : 1
        index += quotes
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") && Self.hashesFollow(bytes, index + 1, hashes) {
                index += 1 + hashes
                guard index < bytes.count else { return }
                if bytes[index] == UInt8(ascii: "(") {
                    index += 1
                    scanCode(bytes, &index, untilParen: true, depth: 1)
                } else {
                    index += 1
                }
                continue
            }
            if bytes[index] == quote && (0..<quotes).allSatisfy({ index + $0 < bytes.count && bytes[index + $0] == quote })
                && Self.hashesFollow(bytes, index + quotes, hashes) {
                index += quotes + hashes
                return
            }
            index += 1
        }
    }

    private static func skipBlockComment(_ bytes: [UInt8], _ index: inout Int) {
        var depth = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "/") && bytes[index + 1] == UInt8(ascii: "*") {
                depth += 1
                index += 2
            } else if bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/") {
                depth -= 1
                index += 2
                if depth == 0 { return }
            } else {
                index += 1
            }
        }
        index = bytes.count
    }

    /// `#` characters followed by a quote: a raw string starts here.
    private static func startsString(_ bytes: [UInt8], _ index: Int) -> Bool {
        var cursor = index
        while cursor < bytes.count && bytes[cursor] == UInt8(ascii: "#") { cursor += 1 }
        return cursor < bytes.count && bytes[cursor] == UInt8(ascii: "\"")
    }

    private static func hashesFollow(_ bytes: [UInt8], _ index: Int, _ count: Int) -> Bool {
        (0..<count).allSatisfy { index + $0 < bytes.count && bytes[index + $0] == UInt8(ascii: "#") }
    }

    private static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        isWordStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }
}
