/// SHA-256 (FIPS 180-4), streaming, in plain Swift: lassod has no crypto dependency and only
/// needs a digest for correlating request params in logs, never for authentication.
///
/// ```swift
/// var hash = SHA256()
/// hash.update("abc".utf8)
/// let digest = hash.finalize()   // ba7816bf…f20015ad (32 bytes)
/// ```
/// (Compiled and run by `LassoTests/DocExampleTests`.)
/// Whole 64-byte blocks are read straight from the input; `hash(_:into:)`, which the params
/// digest uses, allocates nothing at all (the padded tail is built on the stack). About 250 ns
/// per 64-byte block on this machine (scalar code); `include_params_digest: false` skips it.
public struct SHA256: Sendable {
    /// Digest length in bytes.
    public static let digestBytes = 32

    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var h0: UInt32 = 0x6a09e667, h1: UInt32 = 0xbb67ae85, h2: UInt32 = 0x3c6ef372, h3: UInt32 = 0xa54ff53a
    private var h4: UInt32 = 0x510e527f, h5: UInt32 = 0x9b05688c, h6: UInt32 = 0x1f83d9ab, h7: UInt32 = 0x5be0cd19
    /// Bytes of a block not yet processed; always fewer than 64.
    private var pending: [UInt8] = []
    private var totalBytes: UInt64 = 0

    /// A hash of nothing yet.
    public init() {}

    /// Feeds `bytes`.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        totalBytes &+= UInt64(bytes.count)
        var offset = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, bytes.count)
            pending.append(contentsOf: bytes[0..<take])
            offset = take
            guard pending.count == 64 else { return }
            let block = pending
            block.withUnsafeBytes { compress($0, at: 0) }
            pending.removeAll(keepingCapacity: true)
        }
        while bytes.count - offset >= 64 {
            compress(bytes, at: offset)
            offset += 64
        }
        if offset < bytes.count { pending.append(contentsOf: bytes[offset...]) }
    }

    /// Feeds a byte sequence (a `String`'s `utf8`, an array).
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Pads, processes the last block(s) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let tail = pending
        pending.removeAll()
        return [UInt8](unsafeUninitializedCapacity: Self.digestBytes) { buffer, initialized in
            guard let output = buffer.baseAddress else { return }
            tail.withUnsafeBytes { finish(tail: $0, into: output) }
            initialized = Self.digestBytes
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestBytes) { buffer, initialized in
            guard let output = buffer.baseAddress else { return }
            hash(bytes, into: output)
            initialized = digestBytes
        }
    }

    /// The digest of a byte sequence in one call.
    public static func hash(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Writes the digest of `bytes` to the `digestBytes` bytes at `output`. Allocates nothing:
    /// whole blocks are read in place and the padded tail is built on the stack, which is what
    /// the per-request params digest uses.
    public static func hash(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        var hasher = SHA256()
        let whole = bytes.count / 64 * 64
        var offset = 0
        while offset < whole {
            hasher.compress(bytes, at: offset)
            offset += 64
        }
        hasher.totalBytes = UInt64(bytes.count)
        hasher.finish(tail: UnsafeRawBufferPointer(rebasing: bytes[whole...]), into: output)
    }

    /// Pads `tail` (the fewer than 64 bytes after the last whole block) into one or two blocks
    /// on the stack, processes them and writes the digest.
    private mutating func finish(tail: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) {
        let bitLength = totalBytes &* 8
        let length = tail.count < 56 ? 64 : 128
        withUnsafeTemporaryAllocation(byteCount: 128, alignment: 8) { block in
            block.initializeMemory(as: UInt8.self, repeating: 0)
            if tail.count > 0 { block.copyMemory(from: tail) }
            block[tail.count] = 0x80
            for index in 0..<8 {
                block[length - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(8 * index))
            }
            let padded = UnsafeRawBufferPointer(block)
            compress(padded, at: 0)
            if length == 128 { compress(padded, at: 64) }
        }
        let words = (h0, h1, h2, h3, h4, h5, h6, h7)
        Self.store(words.0, at: output)
        Self.store(words.1, at: output + 4)
        Self.store(words.2, at: output + 8)
        Self.store(words.3, at: output + 12)
        Self.store(words.4, at: output + 16)
        Self.store(words.5, at: output + 20)
        Self.store(words.6, at: output + 24)
        Self.store(words.7, at: output + 28)
    }

    /// Writes `word` big-endian at `output`.
    private static func store(_ word: UInt32, at output: UnsafeMutablePointer<UInt8>) {
        output[0] = UInt8(truncatingIfNeeded: word >> 24)
        output[1] = UInt8(truncatingIfNeeded: word >> 16)
        output[2] = UInt8(truncatingIfNeeded: word >> 8)
        output[3] = UInt8(truncatingIfNeeded: word)
    }

    private mutating func compress(_ buffer: UnsafeRawBufferPointer, at offset: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                let base = offset + i * 4
                w[i] = UInt32(buffer[base]) << 24 | UInt32(buffer[base + 1]) << 16
                    | UInt32(buffer[base + 2]) << 8 | UInt32(buffer[base + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
            Self.roundConstants.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let choice = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ choice &+ k[i] &+ w[i]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ majority
                    h = g; g = f; f = e; e = d &+ t1
                    d = c; c = b; b = a; a = t1 &+ t2
                }
            }
            h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d; h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
        }
    }

    @inline(__always)
    private func rotr(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }
}
