import Testing
@testable import Lasso

@Suite struct YAMLDocumentTests {
    @Test func keepsLinesColumnsAndOrder() throws {
        let root = try YAMLDocument.parse("""
            b: 1
            a:
              - x
              - {k: "v"}
            """)
        let pairs = try #require(root.mapping)
        #expect(pairs.map { $0.key.scalar?.text } == ["b", "a"])
        let list = try #require(root["a"]?.sequence)
        #expect(list[0].line == 3 && list[0].column == 5)
        #expect(list[1]["k"]?.line == 4)
        #expect(list[1]["k"]?.scalar == YAMLNode.Scalar(text: "v", isPlain: false))
    }

    @Test func distinguishesQuotedFromPlainNull() throws {
        let root = try YAMLDocument.parse("a: ~\nb: 'null'\nc:\nd: !!str null\n")
        #expect(root["a"]?.scalar?.isNull == true)
        #expect(root["b"]?.scalar?.isNull == false)
        #expect(root["c"]?.scalar?.isNull == true)
        #expect(root["d"]?.scalar?.isNull == false)
    }

    @Test func syntaxErrorHasLineAndColumn() {
        #expect {
            try YAMLDocument.parse("a: 1\nb: [1, 2\nc: 3\n")
        } throws: { error in
            guard let error = error as? YAMLError else { return false }
            return error.line >= 2 && !error.message.isEmpty && error.description.contains("(line \(error.line), column")
        }
    }

    @Test func badIndentationIsAnError() throws {
        let error = try #require(throws: YAMLError.self) { try YAMLDocument.parse("a:\n  b: 1\n c: 2\n") }
        #expect(error.line == 3)
    }

    @Test func refusesAnchorsAndAliases() throws {
        let anchor = try #require(throws: YAMLError.self) { try YAMLDocument.parse("a: &x 1\nb: 2\n") }
        #expect(anchor.message.contains("anchors"))
        #expect(anchor.line == 1)
        let alias = try #require(throws: YAMLError.self) { try YAMLDocument.parse("- *x\n") }
        #expect(alias.message.contains("not supported"))
    }

    @Test func refusesUnknownTagsAndSecondDocuments() throws {
        let tag = try #require(throws: YAMLError.self) { try YAMLDocument.parse("a: !!python/object 1\n") }
        #expect(tag.message.contains("tag"))
        let twoDocs = try #require(throws: YAMLError.self) { try YAMLDocument.parse("a: 1\n---\nb: 2\n") }
        #expect(twoDocs.line == 2)
    }

    @Test func capsNesting() throws {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let error = try #require(throws: YAMLError.self) { try YAMLDocument.parse(deep) }
        #expect(error.message.contains("nesting"))
        #expect(throws: Never.self) {
            try YAMLDocument.parse(String(repeating: "[", count: 60) + String(repeating: "]", count: 60))
        }
    }

    @Test func emptyTextIsNull() throws {
        #expect(try YAMLDocument.parse("").scalar?.isNull == true)
        #expect(try YAMLDocument.parse("# only a comment\n").scalar?.isNull == true)
    }
}
