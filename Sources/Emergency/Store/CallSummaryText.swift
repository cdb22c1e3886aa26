import CareModel
import Foundation

/// A call's ``CallSummary`` JSON, rebuilt in Swift after an alarm joins or cancels it, byte for
/// byte as the `call_summary` view would give it.
///
/// Every intake change appends the call's summary to the change log. Reading it from the view
/// costs a join, four `strftime`s and a `json_object` on the one writer thread, the largest
/// single cost of a joined alarm. Yet an alarm changes only the fields intake owns (priority,
/// reason, status, event count, last event, version); the rest (the elder, the district, the
/// operator's claim) changes only through writes that drop this text from ``OpenCallCache``.
/// So the view is read once per call, when it opens or is first seen by intake; the text
/// around the intake's fields is kept, and later summaries are the kept text with the new
/// values in between.
///
/// The view's `json_object` lists its keys in a fixed order:
///
/// ```
/// {"id":…,"elderId":…,"elderName":…,"age":…,"regionCode":…,"district":…,"deviceId":…,"code":…   ← head
/// ,"priority":"P1","reason":…,"status":…,"eventCount":…,"openedAt":"…","lastEventAt":"…"        ← intake's
/// ,"claimedBy":…,"claimedAt":…,"escalated":…,"outcome":…                                        ← tail
/// ,"version":…}
/// ```
///
/// The markers `,"priority":` and `,"claimedBy":` cannot occur inside a string value, where
/// every quote is escaped, so splitting at their first occurrence is exact. Tests compare the
/// rebuilt text with the view's for every kind of call.
struct CallSummaryText: Sendable {
    /// From `{` to the end of the `code` member.
    let head: String
    /// From `,"claimedBy":` to the end of the `outcome` member.
    let tail: String
    /// `openedAt` as the view writes it.
    let openedAt: String

    /// Splits the view's JSON; nil if it does not have the expected shape.
    init?(viewJSON json: String) {
        guard let priority = json.range(of: #","priority":"#),
            let opened = json.range(of: #","openedAt":""#, range: priority.upperBound..<json.endIndex),
            let claimed = json.range(of: #","claimedBy":"#, range: opened.upperBound..<json.endIndex),
            let version = json.range(of: #","version":"#, range: claimed.upperBound..<json.endIndex)
        else { return nil }
        head = String(json[..<priority.lowerBound])
        tail = String(json[claimed.lowerBound..<version.lowerBound])
        openedAt = String(json[opened.upperBound...].prefix(20))
    }

    /// The summary of `call` as it now is; `lastEventAt` is the stored text of its last event
    /// time (`yyyy-MM-dd HH:mm:ss.SSS`).
    func render(_ call: Call, lastEventAt stored: String) -> String {
        var text = head
        text.reserveCapacity(head.utf8.count + tail.utf8.count + call.reason.utf8.count + 160)
        text += #","priority":"P"# + String(call.priority.rawValue) + #"","reason":"#
        Self.appendQuoted(call.reason, to: &text)
        text += #","status":""# + call.status.rawValue + #"","eventCount":"# + String(call.eventCount)
        text += #","openedAt":""# + openedAt + #"","lastEventAt":""# + Self.wholeSecondUTC(stored) + #"""#
        text += tail
        text += #","version":"# + String(call.version) + "}"
        return text
    }

    /// `strftime('%Y-%m-%dT%H:%M:%SZ', stored)`: the stored time cut to whole seconds.
    static func wholeSecondUTC(_ stored: String) -> String {
        var utf8 = Array(stored.utf8.prefix(19))
        if utf8.count > 10 { utf8[10] = UInt8(ascii: "T") }
        utf8.append(UInt8(ascii: "Z"))
        return String(decoding: utf8, as: UTF8.self)
    }

    /// A JSON string as SQLite's `json_object` quotes it: quote and backslash escaped, control
    /// characters as `\b \t \n \f \r` or `\u00XX`, everything else (all of Unicode) as is.
    static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar.value {
                case 0x22: text += "\\\""
                case 0x5C: text += "\\\\"
                case 0x08: text += "\\b"
                case 0x09: text += "\\t"
                case 0x0A: text += "\\n"
                case 0x0C: text += "\\f"
                case 0x0D: text += "\\r"
                case 0..<0x20:
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
