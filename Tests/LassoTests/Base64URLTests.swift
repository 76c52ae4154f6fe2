import Testing
@testable import Lasso

@Suite struct Base64URLTests {
    /// RFC 4648 §10 vectors, without padding.
    @Test(arguments: [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"),
                      ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")])
    func rfc4648Vectors(input: String, expected: String) {
        #expect(Base64URL.encode(Array(input.utf8)) == expected)
        #expect(Base64URL.encodedLength(of: input.utf8.count) == expected.utf8.count)
    }

    @Test func usesURLSafeAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
    }
}
