import CareModel
import Foundation
package import GRDB

/// Text the stores write on their hot paths, built without Foundation's formatters.
///
/// GRDB turns a bound `Date` into text through an ICU `DateFormatter`, and `JSONEncoder` builds
/// a container tree for a three-field object; on a path that writes a row per device event those
/// two cost more than SQLite's own work for the row. These produce the same stored values by hand:
///
/// ```swift
/// SQLText.time(date)                          // "2026-11-23 02:11:21.250", as GRDB stores a Date
/// SQLText.object(["code": "sos", "priority": "P1"])  // {"code":"sos","priority":"P1"}
/// ```
package enum SQLText {
    /// A date as GRDB stores it (`yyyy-MM-dd HH:mm:ss.SSS`, UTC), so `Date` columns read back as usual.
    package static func time(_ date: Date) -> DatabaseValue { timeText(date).databaseValue }

    package static func timeText(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let rest = Int(ms - days * 86_400_000)
        let day = CalendarDate(daysSinceEpoch: Int(days))
        return String(unsafeUninitializedCapacity: 23) { out in
            func put(_ value: Int, width: Int, at start: Int) {
                var value = value
                for i in stride(from: start + width - 1, through: start, by: -1) {
                    out[i] = UInt8(truncatingIfNeeded: 48 + value % 10)
                    value /= 10
                }
            }
            put(day.year, width: 4, at: 0); out[4] = UInt8(ascii: "-")
            put(day.month, width: 2, at: 5); out[7] = UInt8(ascii: "-")
            put(day.day, width: 2, at: 8); out[10] = UInt8(ascii: " ")
            put(rest / 3_600_000, width: 2, at: 11); out[13] = UInt8(ascii: ":")
            put(rest / 60_000 % 60, width: 2, at: 14); out[16] = UInt8(ascii: ":")
            put(rest / 1000 % 60, width: 2, at: 17); out[19] = UInt8(ascii: ".")
            put(rest % 1000, width: 3, at: 20)
            return 23
        }
    }

    /// The date in text written as GRDB writes a `Date` (`yyyy-MM-dd HH:mm:ss.SSS`, UTC, the
    /// fraction optional); nil for any other shape, which the caller leaves to GRDB.
    package static func date(fromTimeText text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes -> Date? in
            guard bytes.count == 19 || bytes.count == 23 else { return nil }
            func number(_ start: Int, _ width: Int) -> Int? {
                var value = 0
                for i in start..<(start + width) {
                    let digit = Int(bytes[i]) - 48
                    guard (0...9).contains(digit) else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
                let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                let date = CalendarDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
            else { return nil }
            var millis = 0
            if bytes.count == 23 {
                guard bytes[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return nil }
                millis = fraction
            }
            let seconds = ((date.daysSinceEpoch * 24 + hour) * 60 + minute) * 60 + second
            return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
        }
    }

    /// A flat JSON object of strings, keys in sorted order (so the same content is the same text).
    package static func object(_ fields: [String: String]) -> String {
        var text = "{"
        for (i, key) in fields.keys.sorted().enumerated() {
            if i > 0 { text += "," }
            JSONText.append(quoted: key, to: &text)
            text += ":"
            JSONText.append(quoted: fields[key]!, to: &text)
        }
        return text + "}"
    }
}

extension Date {
    /// Unix milliseconds: sortable integers for deadlines and queue order.
    package var millis: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
