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

extension AvailableSlot {
    /// `{"slots":[…]}`, as `JSONEncoder` would write it (times in whole UTC seconds), but byte by
    /// byte: a fortnight's slots through the encoder cost a tenth of an availability request.
    public static func responseJSON(_ slots: [AvailableSlot]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + slots.count * 110)
        out.append(contentsOf: #"{"slots":["#.utf8)
        for (i, slot) in slots.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"start":""#.utf8)
            out.append(contentsOf: Timestamp.bytes(epochSeconds: Int(slot.start.timeIntervalSince1970.rounded(.down))))
            out.append(contentsOf: #"","end":""#.utf8)
            out.append(contentsOf: Timestamp.bytes(epochSeconds: Int(slot.end.timeIntervalSince1970.rounded(.down))))
            out.append(contentsOf: #"","workerIds":["#.utf8)
            for (j, id) in slot.workerIds.enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: String(id).utf8)
            }
            out.append(contentsOf: #"],"freeWorkers":"#.utf8)
            out.append(contentsOf: String(slot.freeWorkers).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
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
    /// Each worker's blocked time (leave, and every visit widened by the travel to and from this
    /// home) is sorted once; each working window is then swept once over the blocks that can reach
    /// it, and the grid laid over the gaps. Times are seconds as `Date` holds them, so the sums
    /// are the same as with dates. Workers are ranked once per request (preference, continuity,
    /// travel from their home base, load); the trip from the visit before is weighed when booking.
    public static func availability(
        _ candidates: [SchedulingCandidate], service: ServiceType, at place: Coordinates?, from: Date, to: Date,
        now: Date, policy: BookingPolicy, listed: Int = 5
    ) -> [AvailableSlot] {
        let earliestDate = max(from, now.addingTimeInterval(Double(policy.minimumNoticeMinutes * 60)))
        let latestDate = min(to, now.addingTimeInterval(Double(policy.horizonDays * 86_400)))
        guard earliestDate < latestDate else { return [] }
        let earliest = earliestDate.timeIntervalSinceReferenceDate, latest = latestDate.timeIntervalSinceReferenceDate
        let end = to.timeIntervalSinceReferenceDate
        let step = Double(max(5, policy.slotStepMinutes) * 60)
        let duration = service.duration
        let firstDay = CalendarDate(date: earliestDate), lastDay = CalendarDate(date: latestDate)
        let dayCount = lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1
        let perDay = Int((86_400 / step).rounded(.up))
        let firstMidnight = LocalTime.midnight(firstDay).timeIntervalSinceReferenceDate
        let listed = max(0, listed)
        // Counted in buffers the grid loop reaches without copy-on-write or exclusivity checks: it
        // runs for every grid point of every free gap of every worker.
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: dayCount * perDay)
        counts.initialize(repeating: 0)
        // The best `listed` workers of each slot, in rank order: the first to reach it.
        let best = UnsafeMutableBufferPointer<Int64>.allocate(capacity: max(1, dayCount * perDay * listed))
        best.initialize(repeating: 0)
        defer {
            counts.deallocate()
            best.deallocate()
        }

        let ranked =
            candidates.indices
            .filter { candidates[$0].preference != .refused && candidates[$0].worker.skills.contains(service.skill) }
            .map {
                ($0, score(candidates[$0], span: TimeSpan(earliestDate, earliestDate), at: place, policy: policy, travelFromHome: true))
            }
            .sorted { a, b in a.1 != b.1 ? a.1 < b.1 : candidates[a.0].worker.id < candidates[b.0].worker.id }
            .map(\.0)
        /// Counts the worker free at every grid start of a gap whose visit fits in it.
        func lay(from gapStart: Double, to gapEnd: Double, day d: Int, midnight: Double, worker: Int64) {
            var k = Int(((max(gapStart, earliest) - midnight) / step).rounded(.up))
            while k < perDay {
                let start = midnight + Double(k) * step
                let finish = start + duration
                if start > latest || finish > gapEnd || finish > end { break }
                let slot = d * perDay + k
                if counts[slot] < listed { best[slot * listed + counts[slot]] = worker }
                counts[slot] += 1
                k += 1
            }
        }
        var blocked: [(start: Double, end: Double)] = []
        let travelHere = TravelTimes(to: place, policy: policy)
        for index in ranked {
            // Fields read in place: a copy of the worker would retain each of its strings and arrays.
            guard candidates[index].worker.status == .active else { continue }
            let workerId = candidates[index].worker.id
            let lastQualified: Int
            if let kind = service.certificate {
                var last: Int?
                for c in candidates[index].worker.certificates where c.kind == kind {
                    last = max(last ?? c.expiresOn.daysSinceEpoch, c.expiresOn.daysSinceEpoch)
                }
                guard let last else { continue }
                lastQualified = last - firstDay.daysSinceEpoch
            } else {
                lastQualified = dayCount
            }
            // Each worker's hours, parsed once for the whole period.
            let hours: [(weekdays: [Int], start: Double, end: Double)] = candidates[index].worker.workingHours.compactMap { h in
                guard let s = LocalTime.minutes(ofClockTime: h.start), let e = LocalTime.minutes(ofClockTime: h.end) else { return nil }
                return (h.weekdays, Double(s * 60), Double(e * 60))
            }
            // Blocked time, widened by the travel between that visit's home and this one, by start.
            blocked.removeAll(keepingCapacity: true)
            var longest = 0.0
            for l in candidates[index].leave {
                blocked.append((l.start.timeIntervalSinceReferenceDate, l.end.timeIntervalSinceReferenceDate))
            }
            for b in candidates[index].busy {
                let travel = Double(travelHere.minutes(from: b.place) * 60)
                blocked.append((b.span.start.timeIntervalSinceReferenceDate - travel, b.span.end.timeIntervalSinceReferenceDate + travel))
            }
            blocked.sort { $0.start < $1.start }
            for b in blocked { longest = max(longest, b.end - b.start) }

            for d in 0..<max(0, min(dayCount, lastQualified + 1)) {
                let day = firstDay.daysSinceEpoch + d
                let midnight = firstMidnight + Double(d) * 86_400
                let weekday = (day + 3) % 7 + 1  // 1970-01-01 was a Thursday (4).
                for h in hours where h.weekdays.contains(weekday) {
                    let windowStart = midnight + h.start, windowEnd = midnight + h.end
                    // The first block that may reach into the window: none longer than `longest`.
                    var low = 0, high = blocked.count
                    while low < high {
                        let mid = (low + high) / 2
                        if blocked[mid].start < windowStart - longest { low = mid + 1 } else { high = mid }
                    }
                    var cursor = windowStart
                    while low < blocked.count, blocked[low].start < windowEnd, cursor < windowEnd {
                        let b = blocked[low]
                        low += 1
                        guard b.end > cursor else { continue }
                        if b.start > cursor { lay(from: cursor, to: b.start, day: d, midnight: midnight, worker: workerId) }
                        cursor = b.end
                    }
                    if cursor < windowEnd { lay(from: cursor, to: windowEnd, day: d, midnight: midnight, worker: workerId) }
                }
            }
        }
        var slots: [AvailableSlot] = []
        for slot in counts.indices where counts[slot] > 0 {
            let start = Date(
                timeIntervalSinceReferenceDate: firstMidnight + Double(slot / perDay) * 86_400 + Double(slot % perDay) * step)
            let shown = min(counts[slot], listed)
            slots.append(
                AvailableSlot(
                    start: start, end: start.addingTimeInterval(duration),
                    workerIds: Array(best[(slot * listed)..<(slot * listed + shown)]),
                    freeWorkers: counts[slot]))
        }
        return slots
    }
}
