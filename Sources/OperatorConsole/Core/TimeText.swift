import Foundation

/// Ages and clock times as the console prints them, without formatters (a frame formats
/// dozens of them, once a second).
enum TimeText {
    /// How long ago, in five columns: `00:07` and `59:59` (minutes:seconds) under an hour,
    /// `1h05m` and `23h59` under a day, `3d04h` beyond. Hours carry an `h` so `1:05` can never
    /// be misread as a minute and five seconds.
    static func age(since start: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(start)))
        if seconds < 3600 { return two(seconds / 60) + ":" + two(seconds % 60) }
        let hours = seconds / 3600
        if hours < 10 { return "\(hours)h" + two((seconds % 3600) / 60) + "m" }
        if hours < 24 { return "\(hours)h" + two((seconds % 3600) / 60) }
        let days = hours / 24
        return days < 100 ? "\(days)d" + two(hours % 24) + "h" : "\(days)d"
    }

    /// `14:05:09` in the console's time zone.
    static func clock(_ date: Date, _ zone: TimeZone) -> String {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + zone.secondsFromGMT(for: date)
        let day = ((local % 86_400) + 86_400) % 86_400
        return two(day / 3600) + ":" + two((day % 3600) / 60) + ":" + two(day % 60)
    }

    /// `11-23 14:05` in the console's time zone.
    static func dayAndTime(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.month, .day, .hour, .minute], from: date)
        return two(parts.month ?? 0) + "-" + two(parts.day ?? 0) + " " + two(parts.hour ?? 0) + ":" + two(parts.minute ?? 0)
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
}
