import CareModel
import DeviceSigning
import Foundation

/// A payment provider telling us a payment went through. Each provider (WeChat Pay, Alipay, a
/// bank) has its own way to prove a callback is theirs; an implementation of this interface
/// checks that proof and reads the payment out of the body. A real provider plugs in here later.
public protocol PaymentCallback: Sendable {
    /// The payment the callback reports, or ``BillingRefusal/badSignature`` when its proof fails.
    func payment(headers: [String: String], body: [UInt8], now: Date) throws -> NewPayment
}

/// A webhook signed with a shared secret: `X-Payment-Timestamp` (Unix seconds) and
/// `X-Payment-Signature`, the lowercase hex HMAC-SHA256 of `timestamp + "." + body`. A timestamp
/// more than ``window`` away from now is refused, so a recorded callback cannot be replayed
/// later (and a replay within the window is refused anyway by the payment's unique reference).
///
/// The body is a ``NewPayment`` as JSON.
public struct SignedWebhook: PaymentCallback {
    let secret: [UInt8]
    let window: TimeInterval

    public init(secret: String, window: TimeInterval = 300) {
        self.secret = Array(secret.utf8); self.window = window
    }

    public func payment(headers: [String: String], body: [UInt8], now: Date) throws -> NewPayment {
        guard let stamp = headers["x-payment-timestamp"], let seconds = TimeInterval(stamp),
            abs(now.timeIntervalSince1970 - seconds) <= window,
            let signature = headers["x-payment-signature"], let given = Self.bytes(hex: signature),
            HMACSHA256.constantTimeEquals(given, sign(timestamp: stamp, body: body))
        else { throw BillingRefusal.badSignature }
        do {
            return try CareJSON.decoder.decode(NewPayment.self, from: Data(body))
        } catch {
            throw ValidationFailure(field: "body", reason: "must be a payment: elderId, amountFen, method and externalRef")
        }
    }

    /// The signature of a body: what the provider (or ``sign(_:now:)`` in a simulator) sends.
    public func sign(timestamp: String, body: [UInt8]) -> [UInt8] {
        var mac = HMACSHA256(key: secret)
        mac.update(Array((timestamp + ".").utf8))
        mac.update(body)
        return mac.finalize()
    }

    /// The headers a provider would send with `body` at `now`: how tests and the simulator call us.
    public func headers(for body: [UInt8], now: Date) -> [String: String] {
        let stamp = String(Int64(now.timeIntervalSince1970))
        return ["x-payment-timestamp": stamp, "x-payment-signature": sign(timestamp: stamp, body: body).map { Self.hex($0) }.joined()]
    }

    static func hex(_ b: UInt8) -> String { (b < 16 ? "0" : "") + String(b, radix: 16) }

    static func bytes(hex: String) -> [UInt8]? {
        let chars = Array(hex.utf8)
        guard chars.count == 64 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let b = UInt8(String(decoding: chars[i...i + 1], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
        }
        return out
    }
}
