import CareModel
import Crypto
import Foundation

/// How API tokens and device secrets are made and checked.
///
/// An API token reads `ec_<id>_<secret>`: `ec_` marks it as ours (so secret scanners can find a
/// leaked one), `<id>` (10 characters) is public and names the token in logs and listings, and
/// `<secret>` (32 characters, 160 bits) is never stored: the database keeps only a SHA-256 of
/// the whole token.
enum Secrets {
    static let tokenPrefix = "ec_"
    private static let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789".utf8)  // no 0/o/1/l

    static func base32(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// Returns the token's public id and its full text.
    static func makeToken(_ random: SecretSource) -> (id: String, token: String) {
        let id = tokenPrefix + base32(random.bytes(10))
        return (id, id + "_" + base32(random.bytes(32)))
    }

    /// The public id of a token, or nil if the text is not shaped like one of ours.
    static func tokenID(of token: String) -> String? {
        guard token.hasPrefix(tokenPrefix), token.count == 3 + 10 + 1 + 32 else { return nil }
        let parts = token.split(separator: "_")
        guard parts.count == 3, parts[1].count == 10, parts[2].count == 32 else { return nil }
        return tokenPrefix + parts[1]
    }

    static func hash(_ token: String) -> Data { Data(SHA256.hash(data: Data(token.utf8))) }

    /// Compares without stopping at the first difference, so timing tells an attacker nothing.
    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for (x, y) in zip(a, b) { diff |= x ^ y }
        return diff == 0
    }

    /// A device's signing key: 256 random bits, base64url without padding.
    static func makeDeviceSecret(_ random: SecretSource) -> String { base64url(random.bytes(32)) }

    private static let base64urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// RFC 4648 §5 base64url without padding.
    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out = [UInt8]()
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var i = 0
        while i < input.count {
            let b0 = Int(input[i]), b1 = i + 1 < input.count ? Int(input[i + 1]) : 0, b2 = i + 2 < input.count ? Int(input[i + 2]) : 0
            out.append(base64urlAlphabet[b0 >> 2])
            out.append(base64urlAlphabet[((b0 & 3) << 4) | (b1 >> 4)])
            if i + 1 < input.count { out.append(base64urlAlphabet[((b1 & 15) << 2) | (b2 >> 6)]) }
            if i + 2 < input.count { out.append(base64urlAlphabet[b2 & 63]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first 8 hex digits of the secret's SHA-256: tells which key a device holds without revealing it.
    static func fingerprint(of secret: String) -> String {
        Hex.encode(SHA256.hash(data: Data(secret.utf8)).prefix(4))
    }
}
