import Foundation

// The check behind every target's `DocExampleTests`: each ```swift example in a doc comment of
// the target's sources stands, line for line and in order, in the test file that compiles and
// runs it, and the doc comment names that file. An example that stops matching the API then
// fails to compile there; one whose comment lies fails the expectation written after it; one
// edited in the source but not in the test fails this check.

/// One ```swift example of a doc comment: where it is and its lines, trimmed, blank ones left out.
public struct DocExample: Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let lines: [String]
    /// The doc-comment lines just around the example (two before its opening fence, two after its
    /// closing one), where it says which test compiles it.
    let surroundings: [String]

    public var description: String { "\(file):\(line)" }
}

/// The examples in the doc comments of the Swift files under `folder` (a path relative to the
/// package root, e.g. `Sources/LassoTransport`), subfolders included, in path order.
/// `testFile` is the caller's `#filePath`, which locates the package root.
public func docExamples(under folder: String, testFile: String = #filePath) throws -> [DocExample] {
    let root = URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let base = root.appendingPathComponent(folder)
    guard let walker = FileManager.default.enumerator(atPath: base.path) else { return [] }
    let files = walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
    var examples: [DocExample] = []
    for file in files {
        let text = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var opening: Int?
        var current: [String] = []
        for (index, line) in lines.enumerated() {
            guard line.hasPrefix("///") else {
                opening = nil
                continue
            }
            let content = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces)
            if content == "```swift" {
                opening = index
                current = []
            } else if content == "```", let start = opening {
                let around = lines[max(0, start - 2)..<start] + lines[(index + 1)..<min(lines.count, index + 3)]
                examples.append(DocExample(file: "\(folder)/\(file)", line: start + 1, lines: current,
                                           surroundings: around.filter { $0.hasPrefix("///") }))
                opening = nil
            } else if opening != nil, !content.isEmpty {
                current.append(content)
            }
        }
    }
    return examples
}

/// What is wrong with `examples` against the test file at `testFile` (the caller's `#filePath`):
/// a line of an example missing from the file (or out of order), or an example whose doc comment
/// does not name the file. Empty when every example is compiled there and says so.
public func docExampleProblems(_ examples: [DocExample], testFile: String = #filePath) throws -> [String] {
    let here = try String(contentsOfFile: testFile, encoding: .utf8)
        .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
    // What the doc comment names: the test target's folder and the file, `TransportTests/DocExampleTests`.
    let url = URL(fileURLWithPath: testFile)
    let name = url.deletingLastPathComponent().lastPathComponent + "/" + url.deletingPathExtension().lastPathComponent
    var problems: [String] = []
    for example in examples {
        var position = here.startIndex
        for line in example.lines {
            guard let found = here[position...].firstIndex(of: line) else {
                problems.append("\(example): not in \(name) (or out of order): \(line)")
                break
            }
            position = here.index(after: found)
        }
        if !example.surroundings.contains(where: { $0.contains(name) }) {
            problems.append("\(example): its doc comment does not say that \(name) compiles it")
        }
    }
    return problems
}
