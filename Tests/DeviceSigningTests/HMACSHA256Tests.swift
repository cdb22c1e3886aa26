import Crypto
import DeviceSigning
import Foundation
import Testing

/// The device signature's own HMAC must be RFC 2104's, byte for byte.
@Suite struct HMACSHA256Tests {
    static func code(key: [UInt8], message: [UInt8]) -> String {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }

    /// RFC 4231 test cases 1, 2 and 6 (the last with a key longer than the block).
    @Test func theRFC4231VectorsMatch() {
        #expect(
            Self.code(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            Self.code(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            Self.code(
                key: [UInt8](repeating: 0xaa, count: 131),
                message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// Every key length around the block size and messages split at every point agree with
    /// swift-crypto's generic HMAC.
    @Test(arguments: [0, 1, 43, 63, 64, 65, 200])
    func agreesWithSwiftCrypto(keyLength: Int) {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let message = (0..<150).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let reference = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        for split in [0, 1, 64, 100, 150] {
            var mac = HMACSHA256(key: key)
            mac.update(Array(message[..<split]))
            mac.update(Array(message[split...]))
            #expect(mac.finalize() == reference)
        }
    }

    @Test func equalityLooksAtEveryByte() {
        let code = [UInt8](repeating: 7, count: 32)
        var last = code; last[31] ^= 1
        #expect(HMACSHA256.constantTimeEquals(code, code))
        #expect(!HMACSHA256.constantTimeEquals(code, last))
        #expect(!HMACSHA256.constantTimeEquals(code, Array(code.prefix(31))))
    }
}
