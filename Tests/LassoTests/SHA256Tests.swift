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

    /// Lengths around the padding boundaries (one or two final blocks), through both the
    /// allocation-free one-shot path and the streaming path.
    @Test(arguments: [
        (55, "576a1bf8d4478657e6dc4af9398544765c2a92cde28478b019235cfed315fc09"),
        (56, "9b20501dfd1d99161c257950f3444f3e49230c351c5c8e0943ef369f85f5205d"),
        (63, "30b345906b493f06f69444b6521113511c242f30e29840462950035043682f1e"),
        (64, "d8bc63b4fc1156e5e7d95a418b9bf54cd3174bedbc2db40f74895349b229b3c0"),
        (119, "7a6589821178918ca8d9edaba5abfc1e9b2669564f4469b66885379c1530b2c8"),
        (120, "655250427d56b1b0eeb8497d21428704273458a01772d6881b65c0abac0f8a98"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        let input = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(hex(input.withUnsafeBytes { SHA256.hash($0) }) == expected)
        var streaming = SHA256()
        for byte in input { streaming.update(CollectionOfOne(byte)) }
        #expect(hex(streaming.finalize()) == expected)
    }

    @Test func paramsDigestIsPrefixedLowercaseHexOfRawBytes() {
        let params = Array(#"["0xabc", "latest"]"#.utf8)
        let expected = "sha256:40acc9e57cf62cda2a6d86e6778f888ef7371c9f65fd16cdccb903a11241b8e0"
        #expect(ParamsDigest.digest(of: params) == expected)
        #expect(params.withUnsafeBytes { ParamsDigest.digest(of: $0) } == expected)
    }
}
