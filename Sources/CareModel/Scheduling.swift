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

/// A free start time for one service at one elder's home: how many qualified workers are free
/// then, and the best few of them, best first.
///
/// ```json
/// {"start":"2026-12-08T01:00:00Z","end":"2026-12-08T03:00:00Z","workerIds":[12,40],"freeWorkers":2}
/// ```
public struct AvailableSlot: Codable, Sendable, Hashable {
    public var start: Date
    public var end: Date
    public var workerIds: [Int64]
    public var freeWorkers: Int
    public init(start: Date, end: Date, workerIds: [Int64], freeWorkers: Int) {
        self.start = start; self.end = end; self.workerIds = workerIds; self.freeWorkers = freeWorkers
    }
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
    static func score(
        _ c: SchedulingCandidate, span: TimeSpan, at place: Coordinates?, policy: BookingPolicy, travelFromHome: Bool = false
    ) -> Int {
        let before = travelFromHome ? nil : c.busy.filter { $0.span.end <= span.start }.max { $0.span.end < $1.span.end }
        let travel = before.map { policy.travelMinutes($0.place, place) } ?? policy.travelMinutes(c.worker.home, place)
        let preferred = c.preference == .preferred ? -100_000 : 0
        let continuity = -min(c.visitsWithElder, 20) * 30
        return preferred + continuity + travel + c.load * 15
    }

    /// Free slots for `service` at `place` between `from` and `to`: start times on the policy's
    /// grid, no sooner than the minimum notice after `now`, no later than the horizon, each with
    /// how many qualified workers are free and the best `listed` of them.
    ///
    /// Each worker's day is cut once into free intervals (working windows less leave, less every
    /// visit widened by the travel to and from this home), and the grid is laid over those, so a
    /// city's two thousand workers over two weeks cost a few hundred thousand additions, not a
    /// check per worker per slot. Workers are ranked once per request (preference, continuity,
    /// travel from their home base, load); the trip from the visit before is weighed when booking.
    public static func availability(
        _ candidates: [SchedulingCandidate], service: ServiceType, at place: Coordinates?, from: Date, to: Date,
        now: Date, policy: BookingPolicy, listed: Int = 5
    ) -> [AvailableSlot] {
        let earliest = max(from, now.addingTimeInterval(Double(policy.minimumNoticeMinutes * 60)))
        let latest = min(to, now.addingTimeInterval(Double(policy.horizonDays * 86_400)))
        guard earliest < latest else { return [] }
        let step = Double(max(5, policy.slotStepMinutes) * 60)
        let duration = service.duration
        let firstDay = CalendarDate(date: earliest), lastDay = CalendarDate(date: latest)
        let dayCount = lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1
        let perDay = Int((86_400 / step).rounded(.up))
        let firstMidnight = LocalTime.midnight(firstDay)
        var counts = [Int](repeating: 0, count: dayCount * perDay)
        var best = [[Int64]](repeating: [], count: dayCount * perDay)

        let eligible = candidates.filter { $0.preference != .refused && $0.worker.skills.contains(service.skill) }
        let scored: [(candidate: SchedulingCandidate, score: Int)] = eligible.map { c in
            (c, score(c, span: TimeSpan(earliest, earliest), at: place, policy: policy, travelFromHome: true))
        }
        let ranked: [SchedulingCandidate] = scored.sorted { a, b in
            a.score != b.score ? a.score < b.score : a.candidate.worker.id < b.candidate.worker.id
        }.map(\.candidate)
        for c in ranked {
            // Each worker's hours, parsed once for the whole period.
            let hours: [(weekdays: [Int], start: Double, end: Double)] = c.worker.workingHours.compactMap { h in
                guard let s = LocalTime.minutes(ofClockTime: h.start), let e = LocalTime.minutes(ofClockTime: h.end) else { return nil }
                return (h.weekdays, Double(s * 60), Double(e * 60))
            }
            // Blocked time, widened by the travel between that visit's home and this one.
            var blocked = c.leave
            for b in c.busy {
                let travel = Double(policy.travelMinutes(b.place, place) * 60)
                blocked.append(TimeSpan(b.span.start.addingTimeInterval(-travel), b.span.end.addingTimeInterval(travel)))
            }
            for d in 0..<dayCount {
                let day = CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + d)
                guard c.worker.isQualified(for: service, on: day) else { continue }
                let midnight = firstMidnight.addingTimeInterval(Double(d) * 86_400)
                let weekday = (day.daysSinceEpoch + 3) % 7 + 1  // 1970-01-01 was a Thursday (4).
                for h in hours where h.weekdays.contains(weekday) {
                    let window = TimeSpan(midnight.addingTimeInterval(h.start), midnight.addingTimeInterval(h.end))
                    for free in subtract(blocked, from: window) {
                        let lower = max(free.start, earliest)
                        var k = Int((lower.timeIntervalSince(midnight) / step).rounded(.up))
                        while k < perDay {
                            let start = midnight.addingTimeInterval(Double(k) * step)
                            let end = start.addingTimeInterval(duration)
                            if start > latest || end > free.end || end > to { break }
                            let index = d * perDay + k
                            counts[index] += 1
                            if best[index].count < listed { best[index].append(c.worker.id) }
                            k += 1
                        }
                    }
                }
            }
        }
        var slots: [AvailableSlot] = []
        for index in counts.indices where counts[index] > 0 {
            let start = firstMidnight.addingTimeInterval(Double(index / perDay) * 86_400 + Double(index % perDay) * step)
            slots.append(
                AvailableSlot(start: start, end: start.addingTimeInterval(duration), workerIds: best[index], freeWorkers: counts[index]))
        }
        return slots
    }

    /// `window` less every blocked span, as ordered free intervals.
    static func subtract(_ blocked: [TimeSpan], from window: TimeSpan) -> [TimeSpan] {
        var free = [window]
        for b in blocked where b.overlaps(window) {
            var next: [TimeSpan] = []
            for f in free {
                guard f.overlaps(b) else {
                    next.append(f)
                    continue
                }
                if f.start < b.start { next.append(TimeSpan(f.start, b.start)) }
                if b.end < f.end { next.append(TimeSpan(b.end, f.end)) }
            }
            free = next
        }
        return free
    }
}
