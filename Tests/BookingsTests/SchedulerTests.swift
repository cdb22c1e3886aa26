import CareModel
import Foundation
import Testing

/// Availability and assignment against hand-built calendars, without a database.
@Suite("The scheduler's rules")
struct SchedulerTests {
    /// Wednesday 2026-11-25, and a clock two days before it.
    static let day = CalendarDate(year: 2026, month: 11, day: 25)!
    static let now = LocalTime.midnight(CalendarDate(year: 2026, month: 11, day: 23)!)
    static let home = Coordinates(latitude: 22.63, longitude: 110.15)
    static let cleaning = ServiceCatalogue.standard["cleaning"]!

    static func at(_ time: String, _ day: CalendarDate = day) -> Date {
        LocalTime.midnight(day).addingTimeInterval(Double(LocalTime.minutes(ofClockTime: time)! * 60))
    }

    static func worker(
        _ id: Int64, hours: [WorkingHours] = [WorkingHours(weekdays: [3], start: "08:00", end: "12:00")],
        certified: Bool = true, expires: CalendarDate = CalendarDate(year: 2027, month: 1, day: 1)!
    ) -> ServiceWorker {
        ServiceWorker(
            id: id, providerId: 1, accountId: nil, name: "W\(id)", phone: nil, skills: ["housekeeping"],
            certificates: certified ? [Certificate(kind: "housekeeping", number: "N\(id)", issuer: "人社局", expiresOn: expires)] : [],
            workingHours: hours, home: Coordinates(latitude: 22.64, longitude: 110.16), volunteerGroup: nil)
    }

    static func slots(
        _ candidates: [SchedulingCandidate], policy: BookingPolicy = .standard, from: Date? = nil, to: Date? = nil
    )
        -> [String: [Int64]]
    {
        let found = Scheduler.availability(
            candidates, service: cleaning, at: home, from: from ?? at("00:00"), to: to ?? at("23:59"), now: now, policy: policy)
        return Dictionary(uniqueKeysWithValues: found.map { (LocalTime.clock($0.start), $0.workerIds) })
    }

    @Test func workingHoursBoundTheSlots() {
        // 08:00–12:00 on Wednesdays, a two-hour service on a half-hour grid: 08:00 … 10:00.
        let s = Self.slots([SchedulingCandidate(worker: Self.worker(1))])
        #expect(s.keys.sorted() == ["08:00", "08:30", "09:00", "09:30", "10:00"])
        // Not on Thursdays.
        let thursday = CalendarDate(daysSinceEpoch: Self.day.daysSinceEpoch + 1)
        #expect(
            Self.slots([SchedulingCandidate(worker: Self.worker(1))], from: Self.at("00:00", thursday), to: Self.at("23:00", thursday))
                .isEmpty)
    }

    @Test func leaveRemovesWhatItOverlaps() {
        let leave = [TimeSpan(Self.at("09:00"), Self.at("10:00"))]
        let s = Self.slots([SchedulingCandidate(worker: Self.worker(1), leave: leave)])
        // 08:00 would end at 10:00 and overlaps; only 10:00 (to 12:00) is clear.
        #expect(s.keys.sorted() == ["10:00"])
    }

    @Test func travelTimeSeparatesVisitsByTheDistanceBetweenHomes() {
        var policy = BookingPolicy()
        policy.travelSpeedKmh = 20
        policy.minimumTravelMinutes = 10
        // A visit 08:00–09:00 at a home about 5.6 km away (≈17 min at 20 km/h, rounded up).
        let far = Coordinates(latitude: 22.68, longitude: 110.15)
        let minutes = policy.travelMinutes(far, Self.home)
        #expect((16...18).contains(minutes))
        var w = Self.worker(1)
        w.workingHours = [WorkingHours(weekdays: [3], start: "08:00", end: "18:00")]
        let busy = [BusySpan(TimeSpan(Self.at("08:00"), Self.at("09:00")), at: far)]
        let s = Self.slots([SchedulingCandidate(worker: w, busy: busy)], policy: policy)
        #expect(s["09:00"] == nil, "no time to travel")
        #expect(s["09:30"] == [1])
        // Next door, the minimum applies: 09:00 + 10 min is still after 09:00.
        let near = [BusySpan(TimeSpan(Self.at("08:00"), Self.at("09:00")), at: Self.home)]
        let t = Self.slots([SchedulingCandidate(worker: w, busy: near)], policy: policy)
        #expect(t["09:00"] == nil)
        #expect(t["09:30"] == [1])
        // And before a later visit: 14:00 there means this one must end by 13:43 or so.
        let later = [BusySpan(TimeSpan(Self.at("14:00"), Self.at("15:00")), at: far)]
        let u = Self.slots([SchedulingCandidate(worker: w, busy: later)], policy: policy)
        #expect(u["11:30"] == [1])
        #expect(u["12:00"] == nil)
    }

    @Test func minimumNoticeAndHorizon() {
        var policy = BookingPolicy()
        policy.minimumNoticeMinutes = 2 * 24 * 60 + 9 * 60  // from 09:00 on the day
        let s = Self.slots([SchedulingCandidate(worker: Self.worker(1))], policy: policy)
        #expect(s.keys.sorted() == ["09:00", "09:30", "10:00"])
        policy.minimumNoticeMinutes = 0
        policy.horizonDays = 1
        #expect(Self.slots([SchedulingCandidate(worker: Self.worker(1))], policy: policy).isEmpty, "two days ahead is beyond the horizon")
    }

    @Test func preferencesRankAndRefusalsExclude() {
        let a = SchedulingCandidate(worker: Self.worker(1), load: 0)
        let b = SchedulingCandidate(worker: Self.worker(2), preference: .preferred, load: 9)
        let c = SchedulingCandidate(worker: Self.worker(3), preference: .refused)
        let s = Self.slots([a, b, c])
        #expect(s["08:00"] == [2, 1])
    }

    @Test func aSlotListsTheBestFewAndCountsTheRest() {
        let many = (1...7).map { SchedulingCandidate(worker: Self.worker(Int64($0)), load: 7 - $0) }
        let found = Scheduler.availability(
            many, service: Self.cleaning, at: Self.home, from: Self.at("00:00"), to: Self.at("23:59"), now: Self.now, policy: .standard)
        #expect(found.first?.freeWorkers == 7)
        #expect(found.first?.workerIds == [7, 6, 5, 4, 3], "lightest load first, five listed")
    }

    @Test func continuityThenLoadDecideBetweenEquals() {
        let usual = SchedulingCandidate(worker: Self.worker(1), load: 3, visitsWithElder: 4)
        let light = SchedulingCandidate(worker: Self.worker(2), load: 0)
        let busy = SchedulingCandidate(worker: Self.worker(3), load: 6)
        #expect(Self.slots([busy, light, usual])["08:00"] == [1, 2, 3])
    }

    @Test func certificatesDecideWhoIsQualified() {
        let lastDay = Self.day
        #expect(Self.worker(1, expires: lastDay).isQualified(for: Self.cleaning, on: Self.day), "valid through its last day")
        #expect(
            !Self.worker(1, expires: CalendarDate(daysSinceEpoch: lastDay.daysSinceEpoch - 1)).isQualified(for: Self.cleaning, on: Self.day)
        )
        #expect(!Self.worker(1, certified: false).isQualified(for: Self.cleaning, on: Self.day))
        // Companionship needs the skill but no certificate.
        var w = Self.worker(2, certified: false)
        w.skills = ["companionship"]
        #expect(w.isQualified(for: ServiceCatalogue.standard["companionship"]!, on: Self.day))
        #expect(!w.isQualified(for: Self.cleaning, on: Self.day), "no skill")
        // A certificate of another kind does not count.
        var nurse = Self.worker(3, certified: false)
        nurse.certificates = [Certificate(kind: "nurse", number: "RN1", issuer: "卫健委", expiresOn: lastDay)]
        #expect(!nurse.isQualified(for: Self.cleaning, on: Self.day))
        // An expired worker is never offered.
        #expect(Self.slots([SchedulingCandidate(worker: Self.worker(1, expires: CalendarDate(year: 2026, month: 11, day: 24)!))]).isEmpty)
    }

    @Test func cancellationAndRescheduleRules() {
        let policy = BookingPolicy()  // 24 h cut-off
        let start = Self.at("09:00")
        #expect(CancellationRules.cancel(start: start, now: start.addingTimeInterval(-25 * 3600), policy: policy) == .cancelled)
        #expect(CancellationRules.cancel(start: start, now: start.addingTimeInterval(-23 * 3600), policy: policy) == .late)
        if case .refused = CancellationRules.cancel(start: start, now: start, policy: policy) {
        } else {
            Issue.record("a started visit cannot be cancelled")
        }
        #expect(
            CancellationRules.reschedule(
                start: start, to: start.addingTimeInterval(3600), now: start.addingTimeInterval(-2 * 86_400), policy: policy) == nil)
        #expect(
            CancellationRules.reschedule(
                start: start, to: start.addingTimeInterval(3600), now: start.addingTimeInterval(-3600), policy: policy) != nil)
    }
}

/// The fast availability against the plain reference, on random calendars: working hours,
/// expiring certificates, leave, visits with and without places, preferences, notice and horizon.
@Suite("Availability agrees with its reference")
struct AvailabilityReferenceTests {
    @Test func randomCalendars() {
        var offered = 0
        for seed in 0..<200 where compare(seed: UInt64(seed)) { offered += 1 }
        #expect(offered > 100, "most calendars offer something, so the comparisons mean something")
    }

    /// Whether the reference offers any slot; records an issue when the two differ.
    func compare(seed: UInt64) -> Bool {
        var r = SeededGenerator(seed: seed &+ 1_000)
        let base = LocalTime.midnight(CalendarDate(year: 2026, month: 11, day: 23)!)
        func time(_ minMinutes: Int, _ maxMinutes: Int) -> Date {
            base.addingTimeInterval(Double(Int.random(in: minMinutes...maxMinutes, using: &r) * 60))
        }
        func clock(_ minutes: Int) -> String {
            (minutes / 60 < 10 ? "0" : "") + "\(minutes / 60):" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)"
        }
        func place() -> Coordinates? {
            Int.random(in: 0..<5, using: &r) == 0
                ? nil
                : Coordinates(
                    latitude: 22.6 + Double.random(in: 0..<0.1, using: &r), longitude: 110.1 + Double.random(in: 0..<0.1, using: &r))
        }
        var candidates: [SchedulingCandidate] = []
        for id in 1...Int64.random(in: 1...25, using: &r) {
            var hours: [WorkingHours] = []
            for _ in 0..<Int.random(in: 1...2, using: &r) {
                let start = Int.random(in: 6 * 60...12 * 60, using: &r) / 15 * 15
                let end = start + Int.random(in: 2 * 60...9 * 60, using: &r) / 15 * 15
                hours.append(
                    WorkingHours(
                        weekdays: (1...7).filter { _ in Bool.random(using: &r) }, start: clock(start), end: clock(min(end, 23 * 60 + 59))))
            }
            let expires = CalendarDate(daysSinceEpoch: CalendarDate(date: base).daysSinceEpoch + Int.random(in: -1...20, using: &r))
            let worker = ServiceWorker(
                id: id, providerId: 1, accountId: nil, name: "W\(id)", phone: nil,
                skills: Int.random(in: 0..<8, using: &r) == 0 ? ["repair"] : ["housekeeping"],
                certificates: [Certificate(kind: "housekeeping", number: "N\(id)", issuer: "人社局", expiresOn: expires)],
                workingHours: hours, home: place() ?? SchedulerTests.home, volunteerGroup: nil)
            let leave = (0..<Int.random(in: 0...2, using: &r)).map { _ in
                let start = time(0, 20 * 1440)
                return TimeSpan(start, start.addingTimeInterval(Double(Int.random(in: 60...4 * 1440, using: &r) * 60)))
            }
            let busy = (0..<Int.random(in: 0...40, using: &r)).map { _ in
                let start = time(-1440, 20 * 1440)
                return BusySpan(TimeSpan(start, start.addingTimeInterval(Double(Int.random(in: 30...180, using: &r) * 60))), at: place())
            }
            let preference: WorkerPreference? = [nil, nil, nil, .preferred, .refused].randomElement(using: &r)!
            candidates.append(
                SchedulingCandidate(
                    worker: worker, leave: leave, busy: busy, preference: preference, load: Int.random(in: 0...30, using: &r),
                    visitsWithElder: Int.random(in: 0...5, using: &r)))
        }
        var policy = BookingPolicy()
        policy.slotStepMinutes = [15, 30, 60].randomElement(using: &r)!
        policy.minimumNoticeMinutes = Int.random(in: 0...600, using: &r)
        policy.horizonDays = Int.random(in: 3...21, using: &r)
        let now = time(0, 600)
        let from = time(0, 3 * 1440), to = from.addingTimeInterval(Double(Int.random(in: 60...15 * 1440, using: &r) * 60))
        let home = place()
        let listed = Int.random(in: 1...6, using: &r)
        let fast = Scheduler.availability(
            candidates, service: SchedulerTests.cleaning, at: home, from: from, to: to, now: now, policy: policy, listed: listed)
        let plain = ReferenceScheduler.availability(
            candidates, service: SchedulerTests.cleaning, at: home, from: from, to: to, now: now, policy: policy, listed: listed)
        #expect(fast == plain, "seed \(seed)")
        return !plain.isEmpty
    }
}

@Suite("Travel time")
struct TravelTimeTests {
    /// The flat map the travel time is measured on is the great circle to within a few metres across
    /// a city, so the minutes differ from the great circle's by at most one, at a rounding boundary.
    @Test func theFlatMapDistanceIsTheGreatCircleOneOverACity() {
        var r = SeededGenerator(seed: 5)
        let policy = BookingPolicy()
        var differing = 0
        for _ in 0..<20_000 {
            let a = Coordinates(
                latitude: 22.6 + Double.random(in: -0.3...0.3, using: &r), longitude: 110.1 + Double.random(in: -0.3...0.3, using: &r))
            let b = Coordinates(
                latitude: a.latitude + Double.random(in: -0.2...0.2, using: &r),
                longitude: a.longitude + Double.random(in: -0.2...0.2, using: &r))
            let great = Geo.distanceMeters(a, b)
            let exact = max(policy.minimumTravelMinutes, Int((great / 1000 / Double(policy.travelSpeedKmh) * 60).rounded(.up)))
            let minutes = policy.travelMinutes(a, b)
            #expect(abs(minutes - exact) <= 1)
            if minutes != exact { differing += 1 }
        }
        #expect(differing < 200, "\(differing) of 20,000 differ by a minute")
        #expect(policy.travelMinutes(nil, BookingHarness.home) == policy.unknownTravelMinutes)
    }
}

@Suite("Availability's answer")
struct AvailabilityJSONTests {
    /// The bytes written by hand say what the encoder says.
    @Test func theHandWrittenJSONIsTheEncodersJSON() throws {
        struct Answer: Codable, Equatable { var slots: [AvailableSlot] }
        var r = SeededGenerator(seed: 3)
        let slots = (0..<50).map { _ in
            let start = Date(timeIntervalSince1970: Double(Int.random(in: 1_700_000_000...1_900_000_000, using: &r) / 60 * 60))
            return AvailableSlot(
                start: start, end: start.addingTimeInterval(7_200),
                workerIds: (0..<Int.random(in: 0...5, using: &r)).map { _ in Int64.random(in: 1...99_999, using: &r) },
                freeWorkers: Int.random(in: 1...3_000, using: &r))
        }
        for answer in [Answer(slots: slots), Answer(slots: [])] {
            let written = Data(AvailableSlot.responseJSON(answer.slots))
            #expect(try CareJSON.decoder.decode(Answer.self, from: written) == answer)
            let mine = try JSONSerialization.jsonObject(with: written) as? NSDictionary
            let encoders = try JSONSerialization.jsonObject(with: try CareJSON.encoder.encode(answer)) as? NSDictionary
            #expect(mine == encoders)
        }
    }
}
