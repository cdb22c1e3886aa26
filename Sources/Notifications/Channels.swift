import CareModel
import CareStore
import Crypto
import CurlHTTP
import Foundation

/// One way of reaching people: it says whom it can reach and turns a message into the HTTP
/// request its service expects. Pure; the worker sends the request through a
/// ``NotificationTransport``. Every request carries `Idempotency-Key`.
public protocol NotificationChannel: Sendable {
    var kind: NotificationChannelKind { get }
    /// Whether this channel has an address for `recipient` (SMS needs a phone number).
    func canReach(_ recipient: NotificationRecipient) -> Bool
    /// The request that delivers `message`. `ackURL` is the message's acknowledgement link, if it has one.
    func request(for message: ClaimedNotification, ackURL: String?, now: Date, timeout: Duration) throws(ChannelError) -> HTTPRequest
}

/// A message a channel cannot turn into a request (a template that does not fit, say).
public struct ChannelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The header every channel sends, with the same value on every attempt and channel.
public let idempotencyKeyHeader = "Idempotency-Key"

// MARK: - Webhook

/// A generic webhook: `POST` of a JSON document, signed so the receiver can tell it came from
/// the platform and was not replayed.
///
/// ```
/// POST <url>
/// Content-Type: application/json
/// Idempotency-Key: call:4812:opened:family_contact:5531
/// X-Eldercare-Timestamp: 1795399881
/// X-Eldercare-Signature: v1=<hex HMAC-SHA256(key: secret, TIMESTAMP + "\n" + BODY)>
///
/// {"attempt":1,"callId":4812,"chainStep":1,"createdAt":"2026-11-23T02:11:21Z","elderId":1024,"id":81,
///  "idempotencyKey":"call:4812:opened:family_contact:5531",
///  "recipient":{"id":5531,"kind":"family_contact","name":"李娟","phone":"13807751234"},
///  "text":"【玉林智慧养老】紧急：…","title":"紧急呼叫","topic":"call_opened","urgency":"critical","ackUrl":"https://…"}
/// ```
///
/// Keys are sorted, so the bytes are stable. The receiver should refuse a timestamp more than a
/// few minutes old and de-duplicate on `Idempotency-Key`.
public struct WebhookChannel: NotificationChannel {
    public let kind = NotificationChannelKind.webhook
    public var settings: NotificationSettings.Webhook
    public var verifyTLS: Bool

    public static let timestampHeader = "X-Eldercare-Timestamp"
    public static let signatureHeader = "X-Eldercare-Signature"

    public init(_ settings: NotificationSettings.Webhook, verifyTLS: Bool = true) {
        self.settings = settings
        self.verifyTLS = verifyTLS
    }

    public func canReach(_ recipient: NotificationRecipient) -> Bool { true }

    public func request(
        for message: ClaimedNotification, ackURL: String?, now: Date,
        timeout: Duration
    ) throws(ChannelError) -> HTTPRequest {
        let body = Self.body(message, ackURL: ackURL)
        let timestamp = String(Int64(now.timeIntervalSince1970.rounded(.down)))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: idempotencyKeyHeader, value: message.key)
        headers.add(name: Self.timestampHeader, value: timestamp)
        headers.add(name: Self.signatureHeader, value: Self.signature(timestamp: timestamp, body: body, secret: settings.secret))
        return HTTPRequest(method: .post, url: settings.url, headers: headers, body: body, timeout: timeout, verifyTLS: verifyTLS)
    }

    /// `v1=` and the hex HMAC-SHA256 of `timestamp + "\n" + body`.
    public static func signature(timestamp: String, body: Data, secret: String) -> String {
        let signed = Data((timestamp + "\n").utf8) + body
        return "v1=" + Hex.encode(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))))
    }

    /// Whether `signature` is right for this body and timestamp (what a receiver does).
    public static func verify(signature: String, timestamp: String, body: Data, secret: String) -> Bool {
        guard signature.hasPrefix("v1="), let given = Hex.decode(signature.dropFirst(3)) else { return false }
        let signed = Data((timestamp + "\n").utf8) + body
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: signed, using: SymmetricKey(data: Data(secret.utf8)))
    }

    struct Body: Encodable {
        var id: Int64
        var idempotencyKey: String
        var topic: String
        var urgency: NotificationUrgency
        var attempt: Int
        var elderId: Int64?
        var callId: Int64?
        var chainStep: Int?
        var recipient: NotificationRecipient
        var title: String
        var text: String
        var ackUrl: String?
        var createdAt: String
    }

    /// Shared: encoding does not change it. Dates are formatted by hand (`Timestamp.string`), since
    /// the `.iso8601` strategy builds a formatter per value.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func body(_ m: ClaimedNotification, ackURL: String?) -> Data {
        let body = Body(
            id: m.id, idempotencyKey: m.key, topic: m.topic, urgency: m.urgency, attempt: m.attempt,
            elderId: m.elderId, callId: m.callId, chainStep: m.chainStep, recipient: m.recipient,
            title: m.title, text: m.text, ackUrl: ackURL, createdAt: Timestamp.string(m.createdAt))
        return (try? encoder.encode(body)) ?? Data("{}".utf8)
    }
}

// MARK: - SMS gateway

/// An SMS gateway's HTTP API, described by configuration: URL, format (JSON body, form body or
/// query string), a template with placeholders, and how to send the credentials.
///
/// ```
/// template (json):  {"to":"{{phone}}","text":"{{text}}","requestId":"{{idempotencyKey}}"}
/// template (form):  account={{username}}&password={{apiKey}}&mobile={{phone}}&content={{text}}
/// ```
///
/// Values are escaped for the format (JSON string escapes; percent-encoding for form and
/// query), so a message cannot break the template. The credentials go where the template or
/// the `auth` setting puts them and nowhere else: not in logs, not in the database.
public struct SMSGatewayChannel: NotificationChannel {
    public let kind = NotificationChannelKind.sms
    public var settings: NotificationSettings.SMS
    public var verifyTLS: Bool

    public init(_ settings: NotificationSettings.SMS, verifyTLS: Bool = true) {
        self.settings = settings
        self.verifyTLS = verifyTLS
    }

    public func canReach(_ recipient: NotificationRecipient) -> Bool {
        guard let phone = recipient.phone else { return false }
        return !phone.isEmpty
    }

    public func request(
        for message: ClaimedNotification, ackURL: String?, now: Date,
        timeout: Duration
    ) throws(ChannelError) -> HTTPRequest {
        guard let phone = message.recipient.phone, !phone.isEmpty else { throw ChannelError("the recipient has no phone number") }
        let values = [
            "phone": phone, "text": message.text, "title": message.title, "idempotencyKey": message.key,
            "username": settings.username, "apiKey": settings.apiKey,
        ]
        let filled = try Self.fill(settings.template, values: values, format: settings.format)
        var headers = HTTPHeaders()
        headers.add(name: idempotencyKeyHeader, value: message.key)
        switch settings.auth {
        case .none: break
        case .basic:
            headers.add(
                name: "Authorization", value: "Basic " + Data((settings.username + ":" + settings.apiKey).utf8).base64EncodedString())
        case .bearer:
            headers.add(name: "Authorization", value: "Bearer " + settings.apiKey)
        }
        switch settings.format {
        case .json:
            headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            return HTTPRequest(
                method: .post, url: settings.url, headers: headers, body: Data(filled.utf8), timeout: timeout,
                verifyTLS: verifyTLS)
        case .form:
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")
            return HTTPRequest(
                method: .post, url: settings.url, headers: headers, body: Data(filled.utf8), timeout: timeout,
                verifyTLS: verifyTLS)
        case .query:
            let joiner = settings.url.contains("?") ? "&" : "?"
            return HTTPRequest(
                method: .get, url: settings.url + joiner + filled, headers: headers, timeout: timeout,
                verifyTLS: verifyTLS)
        }
    }

    /// Replaces each `{{name}}` with its escaped value; an unknown name is an error.
    static func fill(
        _ template: String, values: [String: String],
        format: NotificationSettings.SMSFormat
    ) throws(ChannelError) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ChannelError("the SMS template has a {{ without }}")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            guard let value = values[name] else { throw ChannelError("the SMS template names an unknown placeholder {{\(name)}}") }
            out += format == .json ? JSONText.escaped(value) : percentEncoded(value)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// RFC 3986 unreserved characters stay; everything else (spaces, `&`, `=`, `+`, Chinese) is `%XX`.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

// MARK: - Push

/// ntfy-style push: `POST <url>/<topic>` with the text as the body and the rest as headers.
///
/// ```
/// POST https://ntfy.example.org/eldercare-family_contact-5531
/// Title: =?UTF-8?B?57Sn5oCl5ZG85Y+r?=          (紧急呼叫; RFC 2047, which ntfy decodes)
/// Priority: 5
/// Tags: rotating_light
/// Click: https://care.example.org/v1/acks/…   (when the message asks for acknowledgement)
/// Idempotency-Key: call:4812:opened:family_contact:5531
///
/// 【玉林智慧养老】紧急：您的家人黄女士的设备…
/// ```
///
/// Each recipient has a topic of their own, `<prefix><kind>-<id>` (`<prefix>supervisor` for the
/// supervisor). Topic names can be guessed, so the ntfy server must require a login to read
/// them (`auth-default-access: deny-all`); the platform publishes with ``NotificationSettings/Push/token``.
public struct PushChannel: NotificationChannel {
    public let kind = NotificationChannelKind.push
    public var settings: NotificationSettings.Push
    public var verifyTLS: Bool

    public init(_ settings: NotificationSettings.Push, verifyTLS: Bool = true) {
        self.settings = settings
        self.verifyTLS = verifyTLS
    }

    public func canReach(_ recipient: NotificationRecipient) -> Bool { true }

    /// The recipient's topic: ntfy allows letters, digits, `-` and `_`, at most 64.
    public func topic(for recipient: NotificationRecipient) -> String {
        let raw = settings.topicPrefix + recipient.key.replacingOccurrences(of: ":", with: "-")
        return String(
            String(
                raw.unicodeScalars.map { s in
                    (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "-" || s == "_")) ? Character(s) : "_"
                }
            ).prefix(64))
    }

    public func request(
        for message: ClaimedNotification, ackURL: String?, now: Date,
        timeout: Duration
    ) throws(ChannelError) -> HTTPRequest {
        var base = settings.url
        while base.hasSuffix("/") { base.removeLast() }
        var headers = HTTPHeaders()
        headers.add(name: "Title", value: Self.headerText(message.title))
        headers.add(name: "Priority", value: String(message.urgency.pushPriority))
        headers.add(name: "Tags", value: Self.tags(message.urgency))
        if let ackURL { headers.add(name: "Click", value: ackURL) }
        headers.add(name: idempotencyKeyHeader, value: message.key)
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        if !settings.token.isEmpty { headers.add(name: "Authorization", value: "Bearer " + settings.token) }
        return HTTPRequest(
            method: .post, url: base + "/" + topic(for: message.recipient), headers: headers,
            body: Data(message.text.utf8), timeout: timeout, verifyTLS: verifyTLS)
    }

    static func tags(_ urgency: NotificationUrgency) -> String {
        switch urgency {
        case .critical: "rotating_light"
        case .high: "warning"
        case .normal: "bell"
        case .low: "calendar"
        }
    }

    /// ASCII as it is; anything else as an RFC 2047 encoded word, which ntfy decodes.
    static func headerText(_ text: String) -> String {
        text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F })
            ? text : "=?UTF-8?B?" + Data(text.utf8).base64EncodedString() + "?="
    }
}
