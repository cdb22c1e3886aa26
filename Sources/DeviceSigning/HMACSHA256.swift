import Crypto

/// HMAC-SHA256 (RFC 2104) built on swift-crypto's concrete `SHA256`.
///
/// swift-crypto's `HMAC<SHA256>` is generic and not inlinable, so from outside its module every
/// call runs unspecialized: type-metadata lookups, the key as an existential, arrays. On the
/// device path that cost about as much as the rest of admitting an event, several times the
/// hashing itself, and it was a fifth of the device simulator's work per event. This computes
/// the same code (tests compare the two) with only `SHA256`'s own methods, which are compiled
/// for its one type. The server checks device signatures with it, and the simulator signs.
///
/// ```swift
/// var mac = HMACSHA256(key: Array("secret".utf8))
/// mac.update(Array("message".utf8))
/// let code = mac.finalize()   // 32 bytes
/// ```
public struct HMACSHA256 {
    private static let blockSize = 64
    private var inner = SHA256()
    private var outer = SHA256()

    /// A key longer than SHA-256's block is hashed first, as RFC 2104 says.
    public init(key: [UInt8]) {
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        if key.count > Self.blockSize {
            var hash = SHA256()
            key.withUnsafeBytes { hash.update(bufferPointer: $0) }
            hash.finalize().withUnsafeBytes { digest in block.withUnsafeMutableBytes { $0.copyMemory(from: digest) } }
        } else {
            block.replaceSubrange(0..<key.count, with: key)
        }
        let innerPad = block.map { $0 ^ 0x36 }, outerPad = block.map { $0 ^ 0x5c }
        innerPad.withUnsafeBytes { inner.update(bufferPointer: $0) }
        outerPad.withUnsafeBytes { outer.update(bufferPointer: $0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        inner.update(bufferPointer: bytes)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { inner.update(bufferPointer: $0) }
    }

    /// The 32-byte code of everything given so far.
    public func finalize() -> [UInt8] {
        var outer = self.outer
        inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize().withUnsafeBytes { Array($0) }
    }

    /// Whether `code` equals `expected`, in time that depends only on their lengths, so a
    /// response's timing says nothing about how close a forged signature came.
    public static func constantTimeEquals(_ code: [UInt8], _ expected: [UInt8]) -> Bool {
        guard code.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in code.indices { difference |= code[index] ^ expected[index] }
        return difference == 0
    }
}
