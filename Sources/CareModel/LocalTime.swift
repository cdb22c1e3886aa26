import Foundation

/// The care centre's local time: China Standard Time, UTC+8 all year (no daylight saving).
/// The one place the offset is written; days, clock times and "midnight" all come from here.
public enum LocalTime {
    /// Seconds east of UTC.
    public static let utcOffsetSeconds = 8 * 3600

    /// The time of day as operators read it: `10:11`, or `10:11:40`.
    public static func clock(_ date: Date, seconds withSeconds: Bool = false) -> String {
        let seconds = ((Int(date.timeIntervalSince1970.rounded(.down)) + utcOffsetSeconds) % 86_400 + 86_400) % 86_400
        let h = seconds / 3600, m = seconds % 3600 / 60, s = seconds % 60
        func two(_ n: Int) -> String { (n < 10 ? "0" : "") + String(n) }
        return two(h) + ":" + two(m) + (withSeconds ? ":" + two(s) : "")
    }

    /// Minutes after midnight of a 24-hour clock time written `HH:MM` (`"22:00"` → 1320); nil
    /// for any other text (`"7:00"`, `"24:00"`).
    public static func minutes(ofClockTime text: String) -> Int? {
        // Read as bytes: availability parses every worker's hours on every request.
        var text = text
        return text.withUTF8 { b -> Int? in
            func digit(_ i: Int) -> Int? { (48...57).contains(b[i]) ? Int(b[i] - 48) : nil }
            guard b.count == 5, b[2] == UInt8(ascii: ":"), let h1 = digit(0), let h2 = digit(1), let m1 = digit(3), let m2 = digit(4)
            else { return nil }
            let h = h1 * 10 + h2, m = m1 * 10 + m2
            return h < 24 && m < 60 ? h * 60 + m : nil
        }
    }

    /// Local midnight at the start of `day`.
    public static func midnight(_ day: CalendarDate) -> Date {
        Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 - Double(utcOffsetSeconds))
    }
}
