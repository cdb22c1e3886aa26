import Foundation

@testable import CareModel

/// The first, plain version of ``Scheduler/availability``: each worker's day cut into free
/// intervals by testing every blocked span, slots counted in nested arrays. Kept as the reference
/// the fast version must agree with, on any calendar.
enum ReferenceScheduler {
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
            (c, Scheduler.score(c, span: TimeSpan(earliest, earliest), at: place, policy: policy, travelFromHome: true))
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
