public import Foundation

/// FHIR's date, dateTime and instant texts, written and read by hand: the seed writes millions of
/// them, and Foundation's formatters are slow and do not know FHIR's partial dates.
///
/// ```swift
/// FHIRDate.dateTime(date)              // "2026-03-01T09:30:00+08:00"
/// FHIRDate.range(of: "2026-03")        // 2026-03-01 00:00 +08:00 ..< 2026-04-01 00:00 +08:00
/// ```
public enum FHIRDate {
    /// How much of a date a text gives.
    public enum Precision: Sendable, Hashable { case year, month, day, second }

    /// `date` as a dateTime (also a valid instant) in the care centre's time, whole seconds: `2026-03-01T09:30:00+08:00`.
    public static func dateTime(_ date: Date) -> String {
        let total = Int(date.timeIntervalSince1970.rounded(.down)) + LocalTime.utcOffsetSeconds
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let seconds = total - days * 86_400
        let day = CalendarDate(daysSinceEpoch: days)
        var out = ""
        out.reserveCapacity(25)
        appendDate(day.year, day.month, day.day, to: &out)
        out += "T"
        appendTwo(seconds / 3600, to: &out)
        out += ":"
        appendTwo(seconds % 3600 / 60, to: &out)
        out += ":"
        appendTwo(seconds % 60, to: &out)
        out += "+08:00"
        return out
    }

    /// The calendar day of `date` in the care centre's time: `2026-03-01`.
    public static func date(_ date: Date) -> String { CalendarDate(date: date).description }

    private static func appendDate(_ year: Int, _ month: Int, _ day: Int, to out: inout String) {
        if year < 1000 { out += year < 10 ? "000" : year < 100 ? "00" : "0" }
        out += String(year)
        out += "-"
        appendTwo(month, to: &out)
        out += "-"
        appendTwo(day, to: &out)
    }

    private static func appendTwo(_ n: Int, to out: inout String) {
        if n < 10 { out += "0" }
        out += String(n)
    }

    /// The parts of a FHIR date/dateTime/instant text.
    struct Parts {
        var year: Int
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
        /// Seconds east of UTC; nil when the text has no time (partial dates are read in local time).
        var offset: Int?
        var precision: Precision

        var start: Date {
            let days = CalendarDate.daysSinceEpoch(year: year, month: month, day: day)
            let local = Double(days * 86_400 + hour * 3600 + minute * 60 + second) + fraction
            return Date(timeIntervalSince1970: local - Double(offset ?? LocalTime.utcOffsetSeconds))
        }

        var end: Date {
            switch precision {
            case .second: return Date(timeIntervalSince1970: start.timeIntervalSince1970 + 1)
            case .day: return Date(timeIntervalSince1970: start.timeIntervalSince1970 + 86_400)
            case .month:
                let next =
                    month == 12
                    ? Parts(year: year + 1, month: 1, precision: .month) : Parts(year: year, month: month + 1, precision: .month)
                return next.start
            case .year: return Parts(year: year + 1, precision: .year).start
            }
        }
    }

    /// Reads `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`, the forms of
    /// FHIR's dateTime; `allowPartial` false asks for a full instant, `allowTime` false for a date.
    static func parts(_ text: String, allowPartial: Bool = true, allowTime: Bool = true) -> Parts? {
        let b = Array(text.utf8)
        func digits(_ at: Int, _ count: Int) -> Int? {
            guard at + count <= b.count else { return nil }
            var n = 0
            for i in at..<(at + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard let year = digits(0, 4), year >= 1 else { return nil }
        var p = Parts(year: year, precision: .year)
        if b.count == 4 { return allowPartial ? p : nil }
        guard b.count >= 7, b[4] == UInt8(ascii: "-"), let month = digits(5, 2), (1...12).contains(month) else { return nil }
        p.month = month
        p.precision = .month
        if b.count == 7 { return allowPartial ? p : nil }
        guard b.count >= 10, b[7] == UInt8(ascii: "-"), let day = digits(8, 2), day >= 1,
            day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        p.day = day
        p.precision = .day
        if b.count == 10 { return allowPartial || !allowTime ? p : nil }
        guard allowTime, b.count >= 20, b[10] == UInt8(ascii: "T"), let h = digits(11, 2), h < 24, b[13] == UInt8(ascii: ":"),
            let m = digits(14, 2), m < 60, b[16] == UInt8(ascii: ":"), let s = digits(17, 2), s <= 60
        else { return nil }
        p.hour = h
        p.minute = m
        p.second = min(s, 59)
        p.precision = .second
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            let start = i
            i += 1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
            guard i > start + 1 else { return nil }
            p.fraction = Double(String(decoding: b[start..<i], as: UTF8.self)) ?? 0
        }
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == b.count else { return nil }
            p.offset = 0
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, let oh = digits(i + 1, 2),
                b[i + 3] == UInt8(ascii: ":"), let om = digits(i + 4, 2), om < 60, oh < 14 || (oh == 14 && om == 0)
            else { return nil }
            p.offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        return p
    }

    /// The moment a FHIR dateTime (or date, or instant) starts; partial dates are read in the care
    /// centre's time (`2026-03` → 1 March 2026 00:00 +08:00).
    public static func parse(_ text: String) -> Date? { parts(text)?.start }

    /// The span a FHIR dateTime covers, for `date=` searches: `2026` covers the whole year.
    public static func range(of text: String) -> Range<Date>? {
        guard let p = parts(text) else { return nil }
        return p.start..<p.end
    }

    /// How precise `text` is, or nil when it is not a FHIR dateTime.
    public static func precision(of text: String) -> Precision? { parts(text)?.precision }
}
