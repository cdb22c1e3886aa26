import Foundation

/// A nightly window in which non-urgent messages are held back, in the recipients' local time.
///
/// ```swift
/// let quiet = QuietHours(start: 22 * 60, end: 7 * 60, utcOffsetMinutes: 480)   // 22:00–07:00 Beijing time
/// quiet.release(at: tonightAt2300)   // tomorrow 07:00
/// quiet.release(at: todayAt1200)     // unchanged
/// ```
///
/// `start == end` means no quiet hours. Urgent messages never ask (see ``NotificationUrgency/isUrgent``).
public struct QuietHours: Sendable, Hashable {
    /// Minutes after local midnight, 0..<1440.
    public var start: Int
    public var end: Int
    /// The recipients' offset from UTC: 480 for China (no daylight saving).
    public var utcOffsetMinutes: Int

    public init(start: Int, end: Int, utcOffsetMinutes: Int) {
        self.start = start; self.end = end; self.utcOffsetMinutes = utcOffsetMinutes
    }

    public static let none = QuietHours(start: 0, end: 0, utcOffsetMinutes: 0)

    public var isEnabled: Bool { start != end }

    /// Whether `date` falls inside the window (start inclusive, end exclusive).
    public func contains(_ date: Date) -> Bool {
        guard isEnabled else { return false }
        let minute = localMinute(of: date)
        return start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
    }

    /// `date` itself when it is outside the window, else the moment the window ends.
    public func release(at date: Date) -> Date {
        guard contains(date) else { return date }
        let local = date.timeIntervalSince1970 + Double(utcOffsetMinutes * 60)
        let dayStart = (local / 86_400).rounded(.down) * 86_400
        var endLocal = dayStart + Double(end * 60)
        if endLocal <= local { endLocal += 86_400 }
        return Date(timeIntervalSince1970: endLocal - Double(utcOffsetMinutes * 60))
    }

    func localMinute(of date: Date) -> Int {
        let local = Int((date.timeIntervalSince1970 + Double(utcOffsetMinutes * 60)).rounded(.down))
        let secondOfDay = ((local % 86_400) + 86_400) % 86_400
        return secondOfDay / 60
    }
}
