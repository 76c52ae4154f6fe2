import Testing
@testable import Lasso

@Suite struct SHA256Tests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func nistVectors(input: String, expected: String) {
        #expect(hex(SHA256.hash(input.utf8)) == expected)
    }

    @Test func millionLettersA() {
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA256.hash(input)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding in uneven pieces crosses block boundaries mid-piece and must not change the digest.
    @Test func incrementalUpdatesMatchOneShot() {
        let input = (0..<3).flatMap { _ in (0...255).map(UInt8.init) }
        var hasher = SHA256()
        var offset = 0
        for size in [1, 63, 2, 64, 130, 7, 500] where offset < input.count {
            let end = min(input.count, offset + size)
            hasher.update(input[offset..<end])
            offset = end
        }
        hasher.update(input[offset...])
        #expect(hex(hasher.finalize()) == "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363")
    }

    @Test func paramsDigestIsPrefixedLowercaseHexOfRawBytes() {
        #expect(ParamsDigest.digest(of: Array(#"["0xabc", "latest"]"#.utf8))
            == "sha256:40acc9e57cf62cda2a6d86e6778f888ef7371c9f65fd16cdccb903a11241b8e0")
    }
}
