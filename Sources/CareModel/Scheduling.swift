import Foundation

/// Time a worker already spends somewhere: a booking at an elder's home.
public struct BusySpan: Sendable, Hashable {
    public var span: TimeSpan
    /// The home of that booking's elder, for the travel time to and from it.
    public var place: Coordinates?
    public init(_ span: TimeSpan, at place: Coordinates?) { self.span = span; self.place = place }
}

/// A worker as the scheduler sees them for one elder and one service: their calendar around
/// the time asked about, and what ranks them.
public struct SchedulingCandidate: Sendable, Hashable {
    public var worker: ServiceWorker
    public var leave: [TimeSpan]
    public var busy: [BusySpan]
    /// The elder's wish about this worker, if any (refused workers are never candidates).
    public var preference: WorkerPreference?
    /// Bookings the worker holds in the weeks around: fair load spreads work across workers.
    public var load: Int
    /// Visits the worker has made to this elder: continuity with the usual worker.
    public var visitsWithElder: Int

    public init(
        worker: ServiceWorker, leave: [TimeSpan] = [], busy: [BusySpan] = [], preference: WorkerPreference? = nil,
        load: Int = 0, visitsWithElder: Int = 0
    ) {
        self.worker = worker; self.leave = leave; self.busy = busy; self.preference = preference
        self.load = load; self.visitsWithElder = visitsWithElder
    }
}

/// Free start times for one service at one elder's home, with the workers free for each, best first.
///
/// ```json
/// {"start":"2026-12-08T01:00:00Z","end":"2026-12-08T03:00:00Z","workerIds":[12,40]}
/// ```
public struct AvailableSlot: Codable, Sendable, Hashable {
    public var start: Date
    public var end: Date
    public var workerIds: [Int64]
    public init(start: Date, end: Date, workerIds: [Int64]) { self.start = start; self.end = end; self.workerIds = workerIds }
}

/// The pure rules of who can take a visit when: working hours, leave, travel between homes,
/// certificates, preferences, notice and horizon. The store feeds it rows; it decides.
public enum Scheduler {
    /// Whether `candidate` can be at `place` for `span`: inside a working window, not on leave,
    /// and with time to travel from the visit before and to the visit after.
    public static func isFree(
        _ candidate: SchedulingCandidate, for span: TimeSpan, at place: Coordinates?, policy: BookingPolicy,
        windows: [TimeSpan]? = nil
    ) -> Bool {
        let windows = windows ?? candidate.worker.workingWindows(on: CalendarDate(date: span.start))
        guard windows.contains(where: { $0.contains(span) }) else { return false }
        if candidate.leave.contains(where: { $0.overlaps(span) }) { return false }
        for b in candidate.busy {
            let travel = Double(policy.travelMinutes(b.place, place) * 60)
            if b.span.end.addingTimeInterval(travel) <= span.start || span.end.addingTimeInterval(travel) <= b.span.start {
                continue
            }
            return false
        }
        return true
    }

    /// Candidates who may do `service` on the day of `span` (skill and valid certificate) and
    /// are free, best first: the elder's preferred workers, then continuity with the elder, then
    /// the shortest trip from the visit before, then the lightest load.
    public static func ranked(
        _ candidates: [SchedulingCandidate], service: ServiceType, span: TimeSpan, at place: Coordinates?,
        policy: BookingPolicy
    ) -> [SchedulingCandidate] {
        let day = CalendarDate(date: span.start)
        let free = candidates.filter {
            $0.preference != .refused && $0.worker.isQualified(for: service, on: day)
                && isFree($0, for: span, at: place, policy: policy)
        }
        return free.map { ($0, score($0, span: span, at: place, policy: policy)) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.worker.id < $1.0.worker.id }
            .map(\.0)
    }

    /// Lower is better.
    static func score(_ c: SchedulingCandidate, span: TimeSpan, at place: Coordinates?, policy: BookingPolicy) -> Int {
        let before = c.busy.filter { $0.span.end <= span.start }.max { $0.span.end < $1.span.end }
        let travel = before.map { policy.travelMinutes($0.place, place) } ?? policy.travelMinutes(c.worker.home, place)
        let preferred = c.preference == .preferred ? -100_000 : 0
        let continuity = -min(c.visitsWithElder, 20) * 30
        return preferred + continuity + travel + c.load * 15
    }

    /// Free slots for `service` at `place` between `from` and `to`: start times on the policy's
    /// grid, no sooner than the minimum notice after `now`, no later than the horizon, each with
    /// the free qualified workers, best first.
    public static func availability(
        _ candidates: [SchedulingCandidate], service: ServiceType, at place: Coordinates?, from: Date, to: Date,
        now: Date, policy: BookingPolicy
    ) -> [AvailableSlot] {
        let earliest = max(from, now.addingTimeInterval(Double(policy.minimumNoticeMinutes * 60)))
        let latest = min(to, now.addingTimeInterval(Double(policy.horizonDays * 86_400)))
        guard earliest < latest else { return [] }
        let step = max(5, policy.slotStepMinutes) * 60
        var slots: [AvailableSlot] = []
        var day = CalendarDate(date: earliest)
        let lastDay = CalendarDate(date: latest)
        while day <= lastDay {
            let qualified = candidates.filter { $0.preference != .refused && $0.worker.isQualified(for: service, on: day) }
            let windows = qualified.map { $0.worker.workingWindows(on: day) }
            let midnight = LocalTime.midnight(day)
            var offset = 0
            while offset < 86_400 {
                let start = midnight.addingTimeInterval(Double(offset))
                offset += step
                let span = TimeSpan(start, start.addingTimeInterval(service.duration))
                guard start >= earliest, start <= latest, span.end <= to else { continue }
                var free: [SchedulingCandidate] = []
                for (i, c) in qualified.enumerated() where isFree(c, for: span, at: place, policy: policy, windows: windows[i]) {
                    free.append(c)
                }
                if free.isEmpty { continue }
                let ids = free.map { ($0.worker.id, score($0, span: span, at: place, policy: policy)) }
                    .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0)
                slots.append(AvailableSlot(start: span.start, end: span.end, workerIds: ids))
            }
            day = CalendarDate(daysSinceEpoch: day.daysSinceEpoch + 1)
        }
        return slots
    }
}
