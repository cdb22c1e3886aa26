import DeviceSigning
import Foundation

/// Signs events as one device: `v1=` + hex HMAC-SHA256 over `METHOD\nPATH\nTIMESTAMP\nBODY`,
/// keyed with the UTF-8 of the device's secret (Docs/device-protocol.md, "Signing").
///
/// The key schedule and the constant start of the message (`POST\n/v1/devices/{id}/events\n`)
/// are absorbed once, when the device is loaded; signing an event then copies that state and
/// feeds only the timestamp and the body.
struct DeviceSigner {
    private static let newline: [UInt8] = [10]

    /// HMAC state after the key and the method and path lines.
    private let primed: HMACSHA256

    init(secret: String, method: String = "POST", path: String) {
        var mac = HMACSHA256(key: Array(secret.utf8))
        mac.update(Array("\(method)\n\(path)\n".utf8))
        primed = mac
    }

    /// Appends the 64 lowercase hex digits of the signature for `timestamp` and `body` to `out`.
    func appendSignature(timestamp: ArraySlice<UInt8>, body: [UInt8], to out: inout [UInt8]) {
        var mac = primed
        timestamp.withUnsafeBytes { mac.update($0) }
        mac.update(Self.newline)
        mac.update(body)
        Hex.append(mac.finalize(), to: &out)
    }

    /// The whole header value (`v1=…`), for tests and messages.
    func signature(timestamp: Int, body: [UInt8]) -> String {
        var out = Array("v1=".utf8)
        appendSignature(timestamp: ArraySlice(String(timestamp).utf8), body: body, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

/// The secret a seeded demo device was given (`eldercare seed --seed S`):
/// base64url-without-padding(HMAC-SHA256(key: "eldercare-demo-seed:S", message: deviceId)).
struct DemoSecrets {
    private let keyed: HMACSHA256

    init(seed: UInt64) {
        keyed = HMACSHA256(key: Array("eldercare-demo-seed:\(seed)".utf8))
    }

    func secret(for deviceId: String) -> String {
        var mac = keyed
        mac.update(Array(deviceId.utf8))
        return Base64URL.encode(mac.finalize())
    }
}

enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func append(_ bytes: some Sequence<UInt8>, to out: inout [UInt8]) {
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
    }
}

enum Base64URL {
    /// RFC 4648 §5, without padding.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
