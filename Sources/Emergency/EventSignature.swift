import CareModel
import DeviceSigning
import Foundation

/// Checks the HMAC-SHA256 signature a device puts on each event (Docs/device-protocol.md).
///
/// ```
/// signed = METHOD + "\n" + PATH + "\n" + TIMESTAMP + "\n" + BODY
/// X-Eldercare-Signature: v1=<hex HMAC-SHA256(key: secret, signed)>
/// ```
public enum EventSignature {
    public static let timestampHeader = "X-Eldercare-Timestamp"
    public static let signatureHeader = "X-Eldercare-Signature"

    /// Why a request was not accepted as signed by its device. Every case answers 401, the
    /// same to the caller, so an attacker learns nothing about which check failed.
    public enum Failure: Error, Equatable, Sendable {
        case missingHeaders
        case malformedTimestamp
        case outsideWindow(skewSeconds: Int)
        case malformedSignature
        case wrongSignature
    }

    /// The signature value for a request: `v1=` and 64 lowercase hex digits.
    public static func sign(method: String, path: String, timestamp: String, body: Data, secret: String) -> String {
        "v1=" + Hex.encode(code(method: method, path: path, timestamp: timestamp, body: body, secret: secret))
    }

    /// HMAC-SHA256 under the UTF-8 of `secret` of the signed text, fed in parts, so the body
    /// is not copied behind the header lines.
    private static func code(method: String, path: String, timestamp: String, body: Data, secret: String) -> [UInt8] {
        var mac = HMACSHA256(key: Array(secret.utf8))
        mac.update(Array("\(method)\n\(path)\n\(timestamp)\n".utf8))
        body.withUnsafeBytes { mac.update($0) }
        return mac.finalize()
    }

    /// Throws unless `signature` is the device's signature over this request and `timestamp`
    /// lies inside the window around `now`.
    public static func verify(
        method: String, path: String, timestamp: String?, signature: String?, body: Data,
        secret: String, now: Date, behind: TimeInterval, ahead: TimeInterval
    ) throws(Failure) {
        guard let timestamp, let signature else { throw .missingHeaders }
        guard let seconds = Int64(timestamp) else { throw .malformedTimestamp }
        let skew = Double(seconds) - now.timeIntervalSince1970
        guard skew >= -behind - 0.999, skew <= ahead else { throw .outsideWindow(skewSeconds: Int(skew)) }
        guard signature.hasPrefix("v1="), signature.utf8.count == 67,
            let given = Hex.decode(signature.dropFirst(3))
        else { throw .malformedSignature }
        let expected = code(method: method, path: path, timestamp: timestamp, body: body, secret: secret)
        guard HMACSHA256.constantTimeEquals(given, expected) else { throw .wrongSignature }
    }
}
