import Foundation

/// Where a booking stands.
///
/// ```
/// requested (no worker yet: the provider assigns) ─assign─▶ confirmed ─check-in─▶ in_progress ─check-out─▶ completed
/// confirmed ─cancel before the cut-off─▶ cancelled │ ─after it─▶ late_cancelled
/// confirmed ─nobody home─▶ no_show │ ─not checked in by start + grace─▶ missed
/// ```
public enum BookingStatus: String, Codable, Sendable, CaseIterable {
    case requested, confirmed
    case inProgress = "in_progress"
    case completed, cancelled
    case lateCancelled = "late_cancelled"
    case noShow = "no_show"
    case missed

    /// Whether the booking holds its worker's time: two such bookings of one worker never overlap.
    public var holdsWorker: Bool { self == .confirmed || self == .inProgress || self == .completed || self == .noShow }

    /// Whether it may still be rescheduled, cancelled or (re)assigned.
    public var isPending: Bool { self == .requested || self == .confirmed }

    /// The statuses that hold a worker, as SQL text for the stores' queries and triggers.
    public static let holdingSQL = "('confirmed','in_progress','completed','no_show')"
}

/// One booked service at one elder's home.
///
/// ```json
/// {"id":31,"elderId":1024,"service":"cleaning","providerId":7,"workerId":12,"start":"2026-12-08T01:00:00Z",
///  "end":"2026-12-08T03:00:00Z","status":"confirmed","seriesId":null,"version":1,...}
/// ```
public struct Booking: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var elderId: Int64
    public var service: String
    public var providerId: Int64
    public var workerId: Int64?
    public var start: Date
    public var end: Date
    public var status: BookingStatus
    /// The booking that started a recurring series; the same for every booking of the series.
    public var seriesId: Int64?
    public var note: String?
    public var cancelReason: String?
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// A meal's dietary needs: the elder's food allergies from the health archive, as they stood
    /// when the meal was booked, when the elder shares their archive. Nil for other services.
    public var dietaryNeeds: [String]?

    public init(
        id: Int64, elderId: Int64, service: String, providerId: Int64, workerId: Int64?, start: Date, end: Date,
        status: BookingStatus, seriesId: Int64?, note: String?, cancelReason: String?, version: Int,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id; self.elderId = elderId; self.service = service; self.providerId = providerId; self.workerId = workerId
        self.start = start; self.end = end; self.status = status; self.seriesId = seriesId; self.note = note
        self.cancelReason = cancelReason; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    public var span: TimeSpan { TimeSpan(start, end) }
}

/// How a booking repeats: weekly cleaning, daily meals.
public struct Recurrence: Codable, Sendable, Hashable {
    public enum Unit: String, Codable, Sendable, CaseIterable { case day, week }
    public var every: Unit
    /// How many bookings in all, the first included.
    public var count: Int

    public init(every: Unit, count: Int) { self.every = every; self.count = count }

    /// The start of each occurrence.
    public func starts(from first: Date) -> [Date] {
        let step: TimeInterval = every == .day ? 86_400 : 7 * 86_400
        return (0..<count).map { first.addingTimeInterval(Double($0) * step) }
    }
}

/// A request for a booking (or a series).
///
/// ```json
/// {"elderId":1024,"service":"cleaning","start":"2026-12-08T01:00:00Z","repeat":{"every":"week","count":4}}
/// ```
public struct NewBooking: Codable, Sendable, Hashable {
    public var elderId: Int64
    public var service: String
    public var start: Date
    /// Book this worker (the elder's choice); otherwise the best free qualified worker is chosen.
    public var workerId: Int64?
    /// Book with this provider; otherwise any provider serving the elder's region.
    public var providerId: Int64?
    /// Leave the choice of worker to the provider (needs `providerId`): the booking is `requested`.
    public var leaveToProvider: Bool?
    /// `repeat` in JSON.
    public var recurrence: Recurrence?
    /// Book the occurrences that are free and list the others, instead of refusing the whole series.
    public var skipConflicts: Bool?
    public var note: String?
    /// The green-key request this booking answers: it leaves the worklist in the same transaction.
    public var serviceRequestId: Int64?

    public init(
        elderId: Int64, service: String, start: Date, workerId: Int64? = nil, providerId: Int64? = nil,
        leaveToProvider: Bool? = nil, recurrence: Recurrence? = nil, skipConflicts: Bool? = nil, note: String? = nil,
        serviceRequestId: Int64? = nil
    ) {
        self.elderId = elderId; self.service = service; self.start = start; self.workerId = workerId
        self.providerId = providerId; self.leaveToProvider = leaveToProvider; self.recurrence = recurrence
        self.skipConflicts = skipConflicts; self.note = note; self.serviceRequestId = serviceRequestId
    }

    /// Checks what can be checked without the database: the service exists, the times are within
    /// the notice and the horizon, the series is of a sane length.
    enum CodingKeys: String, CodingKey {
        case elderId, service, start, workerId, providerId, leaveToProvider, recurrence = "repeat", skipConflicts, note,
            serviceRequestId
    }

    public func validate(catalogue: ServiceCatalogue, policy: BookingPolicy, now: Date) throws(ValidationFailure) -> ServiceType {
        var v = Validator()
        let service = catalogue[self.service]
        v.check(service != nil, "service", "must be one of: \(catalogue.services.map(\.id).joined(separator: ", "))")
        if let r = recurrence { v.check((1...366).contains(r.count), "repeat.count", "must be from 1 to 366") }
        v.check(
            start >= now.addingTimeInterval(Double(policy.minimumNoticeMinutes * 60)), "start",
            "must be at least \(policy.minimumNoticeMinutes) minutes from now")
        // A series may run past the horizon (weekly cleaning for a year); its first visit may not.
        v.check(
            start <= now.addingTimeInterval(Double(policy.horizonDays * 86_400)), "start",
            "must be within \(policy.horizonDays) days from now")
        if leaveToProvider == true { v.check(providerId != nil, "providerId", "is required to leave the choice of worker to a provider") }
        if let note { v.checkText(note, "note", maxLength: 500) }
        try v.finish()
        return service!
    }
}

/// One occurrence of a series that could not be booked, and why.
public struct BookingConflict: Codable, Sendable, Hashable {
    public var start: Date
    public var reason: String
    public init(start: Date, reason: String) { self.start = start; self.reason = reason }
}

/// What creating a booking (or series) made: the bookings, and the occurrences left out.
public struct BookingResult: Codable, Sendable, Hashable {
    public var bookings: [Booking]
    public var conflicts: [BookingConflict]
    public init(bookings: [Booking], conflicts: [BookingConflict]) { self.bookings = bookings; self.conflicts = conflicts }
}

/// What a cancellation is, by the rules: free before the cut-off, late (billable) after it.
public enum CancellationRules {
    public enum Outcome: Equatable, Sendable {
        case cancelled, late
        /// The visit has started or passed: it can no longer be cancelled.
        case refused(String)
    }

    public static func cancel(start: Date, now: Date, policy: BookingPolicy) -> Outcome {
        if now >= start { return .refused("the visit has already started; record a no-show or a missed visit instead") }
        return now > start.addingTimeInterval(-Double(policy.cancelCutoffHours * 3600)) ? .late : .cancelled
    }

    /// A reschedule is allowed only before the cut-off, to a new start that keeps the notice.
    public static func reschedule(start: Date, to newStart: Date, now: Date, policy: BookingPolicy) -> String? {
        if now > start.addingTimeInterval(-Double(policy.cancelCutoffHours * 3600)) {
            return "the booking starts within \(policy.cancelCutoffHours) hours and can no longer be moved; cancel it (late) instead"
        }
        if newStart < now.addingTimeInterval(Double(policy.minimumNoticeMinutes * 60)) {
            return "the new start must be at least \(policy.minimumNoticeMinutes) minutes from now"
        }
        if newStart > now.addingTimeInterval(Double(policy.horizonDays * 86_400)) {
            return "the new start must be within \(policy.horizonDays) days from now"
        }
        return nil
    }
}
