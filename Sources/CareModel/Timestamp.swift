import Foundation

/// ISO-8601 internet date-times (RFC 3339), read and written without Foundation's formatters,
/// which build an ICU calendar per use and cost a quarter of the intake's CPU.
///
/// ```swift
/// Timestamp.parse("2026-11-23T02:11:20Z")            // 1795399880
/// Timestamp.parse("2026-11-23T10:11:20.250+08:00")   // 1795399880.25
/// ```
public enum Timestamp {
    /// `2026-11-23T02:11:20Z`: UTC, whole seconds (rounded down), as the platform writes times.
    public static func string(_ date: Date) -> String {
        string(epochSeconds: Int(date.timeIntervalSince1970.rounded(.down)))
    }

    public static func string(epochSeconds: Int) -> String { String(decoding: bytes(epochSeconds: epochSeconds), as: UTF8.self) }

    /// The same as UTF-8 bytes, for writers that build requests byte by byte (the device simulator).
    public static func bytes(epochSeconds t: Int) -> [UInt8] {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let secondOfDay = t - days * 86_400
        let date = CalendarDate(daysSinceEpoch: days)
        var out: [UInt8] = []
        out.reserveCapacity(20)
        func two(_ v: Int) { out.append(UInt8(48 + v / 10)); out.append(UInt8(48 + v % 10)) }
        two(date.year / 100); two(date.year % 100)
        out.append(UInt8(ascii: "-")); two(date.month)
        out.append(UInt8(ascii: "-")); two(date.day)
        out.append(UInt8(ascii: "T")); two(secondOfDay / 3600)
        out.append(UInt8(ascii: ":")); two(secondOfDay / 60 % 60)
        out.append(UInt8(ascii: ":")); two(secondOfDay % 60)
        out.append(UInt8(ascii: "Z"))
        return out
    }

    /// Accepts `YYYY-MM-DDTHH:MM:SS`, optional fraction, then `Z` or `±HH:MM`. Nil otherwise.
    public static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        if utf8.count < 20 { return nil }
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= utf8.count else { return nil }
            var n = 0
            for i in from..<(from + count) {
                let c = utf8[i]
                guard c >= 48, c <= 57 else { return nil }
                n = n * 10 + Int(c - 48)
            }
            return n
        }
        guard let year = number(0, 4), utf8[4] == 45, let month = number(5, 2), utf8[7] == 45, let day = number(8, 2),
            utf8[10] == 84 || utf8[10] == 116, let hour = number(11, 2), utf8[13] == 58, let minute = number(14, 2),
            utf8[16] == 58, let second = number(17, 2),
            let date = CalendarDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if utf8[i] == 46 {
            var scale = 0.1
            i += 1
            let start = i
            while i < utf8.count, utf8[i] >= 48, utf8[i] <= 57 {
                fraction += Double(utf8[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        guard i < utf8.count else { return nil }
        var offset = 0
        switch utf8[i] {
        case 90, 122:  // Z
            guard i + 1 == utf8.count else { return nil }
        case 43, 45:  // + -
            guard i + 6 == utf8.count, let h = number(i + 1, 2), utf8[i + 3] == 58, let m = number(i + 4, 2), h < 24, m < 60 else {
                return nil
            }
            offset = (h * 3600 + m * 60) * (utf8[i] == 45 ? -1 : 1)
        default:
            return nil
        }
        utf8.removeAll()
        let seconds = date.daysSinceEpoch * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
