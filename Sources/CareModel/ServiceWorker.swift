import Foundation

/// A home-service provider: an institution in the registry (company, centre, social
/// organisation) with the regions it serves and its contract with the county.
///
/// ```json
/// {"institutionId":7,"regions":["450902000000"],"contractNumber":"YL-2026-031","contractUntil":"2027-12-31","status":"active"}
/// ```
public struct ServiceProvider: Codable, Sendable, Hashable {
    public var institutionId: Int64
    /// Region codes served; a code covers every region within it.
    public var regions: [String]
    public var contractNumber: String
    public var contractUntil: CalendarDate
    public var status: RecordStatus

    public init(institutionId: Int64, regions: [String], contractNumber: String, contractUntil: CalendarDate, status: RecordStatus) {
        self.institutionId = institutionId; self.regions = regions; self.contractNumber = contractNumber
        self.contractUntil = contractUntil; self.status = status
    }

    /// Whether an elder living in `regionCode` is within the regions served.
    public func serves(_ regionCode: String) -> Bool { regions.contains { RegionCode.isWithin(regionCode, $0) } }

    public func validated() throws(ValidationFailure) -> ServiceProvider {
        var v = Validator()
        v.check(!regions.isEmpty, "regions", "must name at least one region")
        for (i, r) in regions.enumerated() {
            v.check(RegionCode.isWellFormed(RegionCode.normalise(r)), "regions[\(i)]", "must be a 12-digit statistical division code")
        }
        v.checkText(contractNumber, "contractNumber", maxLength: 60)
        try v.finish()
        var copy = self
        copy.regions = regions.map(RegionCode.normalise)
        return copy
    }
}

/// A worker's certificate (持证上岗): only a valid one lets the worker be assigned a service that needs it.
public struct Certificate: Codable, Sendable, Hashable {
    public var id: Int64
    /// The kind services ask for (`nurse`, `care_worker`, `housekeeping` …).
    public var kind: String
    public var number: String
    public var issuer: String
    /// The last day it is valid.
    public var expiresOn: CalendarDate

    public init(id: Int64 = 0, kind: String, number: String, issuer: String, expiresOn: CalendarDate) {
        self.id = id; self.kind = kind; self.number = number; self.issuer = issuer; self.expiresOn = expiresOn
    }

    public func isValid(on day: CalendarDate) -> Bool { day <= expiresOn }

    enum CodingKeys: String, CodingKey { case id, kind, number, issuer, expiresOn }

    /// The id is the store's; a certificate being registered has none yet.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decodeIfPresent(Int64.self, forKey: .id) ?? 0, kind: try c.decode(String.self, forKey: .kind),
            number: try c.decode(String.self, forKey: .number), issuer: try c.decode(String.self, forKey: .issuer),
            expiresOn: try c.decode(CalendarDate.self, forKey: .expiresOn))
    }

    func check(into v: inout Validator, _ prefix: String) {
        v.checkText(kind, prefix + "kind", maxLength: 40)
        v.checkText(number, prefix + "number", maxLength: 60)
        v.checkText(issuer, prefix + "issuer", maxLength: 100)
    }

    public func validated() throws(ValidationFailure) -> Certificate {
        var v = Validator()
        check(into: &v, "")
        try v.finish()
        return self
    }
}

/// When a worker works, in local time: the weekdays (1 Monday … 7 Sunday) and the hours.
public struct WorkingHours: Codable, Sendable, Hashable {
    public var weekdays: [Int]
    /// `HH:MM`, local time.
    public var start: String
    public var end: String

    public init(weekdays: [Int], start: String, end: String) {
        self.weekdays = weekdays; self.start = start; self.end = end
    }

    func check(into v: inout Validator, _ prefix: String) {
        v.check(
            !weekdays.isEmpty && weekdays.allSatisfy { (1...7).contains($0) }, prefix + "weekdays",
            "must list days from 1 (Monday) to 7 (Sunday)")
        let s = LocalTime.minutes(ofClockTime: start), e = LocalTime.minutes(ofClockTime: end)
        v.check(s != nil, prefix + "start", "must be a time written HH:MM")
        v.check(e != nil, prefix + "end", "must be a time written HH:MM")
        if let s, let e { v.check(s < e, prefix + "end", "must be after start") }
    }
}

/// A home-service worker or volunteer, with the skills, certificates and hours that decide what
/// they may be booked for.
public struct ServiceWorker: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var providerId: Int64
    /// The worker's own account (role `worker`), with which their phone checks in and out.
    public var accountId: Int64?
    public var name: String
    public var phone: String?
    public var skills: [String]
    public var certificates: [Certificate]
    public var workingHours: [WorkingHours]
    /// The home base travel to a first visit starts from.
    public var home: Coordinates
    /// Set for volunteers (为老志愿服务登记制度): their group; their hours are time-bank credit.
    public var volunteerGroup: String?
    public var status: RecordStatus
    public var version: Int

    public init(
        id: Int64, providerId: Int64, accountId: Int64?, name: String, phone: String?, skills: [String],
        certificates: [Certificate], workingHours: [WorkingHours], home: Coordinates, volunteerGroup: String?,
        status: RecordStatus = .active, version: Int = 1
    ) {
        self.id = id; self.providerId = providerId; self.accountId = accountId; self.name = name; self.phone = phone
        self.skills = skills; self.certificates = certificates; self.workingHours = workingHours; self.home = home
        self.volunteerGroup = volunteerGroup; self.status = status; self.version = version
    }

    /// Whether the worker may be assigned `service` on `day`: the skill, and (when the service
    /// needs one) a certificate of its kind still valid that day.
    public func isQualified(for service: ServiceType, on day: CalendarDate) -> Bool {
        guard status == .active, skills.contains(service.skill) else { return false }
        guard let kind = service.certificate else { return true }
        return certificates.contains { $0.kind == kind && $0.isValid(on: day) }
    }

    /// The working windows of `day` in local time, as absolute intervals.
    public func workingWindows(on day: CalendarDate) -> [TimeSpan] {
        let weekday = (day.daysSinceEpoch + 3) % 7 + 1  // 1970-01-01 was a Thursday (4).
        let midnight = LocalTime.midnight(day)
        return workingHours.compactMap { h in
            guard h.weekdays.contains(weekday), let s = LocalTime.minutes(ofClockTime: h.start),
                let e = LocalTime.minutes(ofClockTime: h.end)
            else { return nil }
            return TimeSpan(midnight.addingTimeInterval(Double(s * 60)), midnight.addingTimeInterval(Double(e * 60)))
        }
    }
}

/// A worker as a provider registers them.
public struct NewServiceWorker: Codable, Sendable {
    public var providerId: Int64
    public var accountId: Int64?
    public var name: String
    public var phone: String?
    public var skills: [String]
    public var certificates: [Certificate]?
    public var workingHours: [WorkingHours]
    public var home: Coordinates
    public var volunteerGroup: String?

    public init(
        providerId: Int64, accountId: Int64? = nil, name: String, phone: String? = nil, skills: [String],
        certificates: [Certificate] = [], workingHours: [WorkingHours], home: Coordinates, volunteerGroup: String? = nil
    ) {
        self.providerId = providerId; self.accountId = accountId; self.name = name; self.phone = phone; self.skills = skills
        self.certificates = certificates; self.workingHours = workingHours; self.home = home; self.volunteerGroup = volunteerGroup
    }

    public func validated() throws(ValidationFailure) -> ServiceWorker {
        var v = Validator()
        v.checkText(name, "name", maxLength: 50)
        v.checkPhone(phone, "phone", required: false)
        v.check(!skills.isEmpty, "skills", "must list at least one skill")
        for (i, c) in (certificates ?? []).enumerated() { c.check(into: &v, "certificates[\(i)].") }
        v.check(!workingHours.isEmpty, "workingHours", "must list when the worker works")
        for (i, h) in workingHours.enumerated() { h.check(into: &v, "workingHours[\(i)].") }
        v.checkCoordinates(latitude: home.latitude, longitude: home.longitude, prefix: "home.")
        if let g = volunteerGroup { v.checkText(g, "volunteerGroup", maxLength: 100) }
        try v.finish()
        return ServiceWorker(
            id: 0, providerId: providerId, accountId: accountId, name: name, phone: phone, skills: skills,
            certificates: certificates ?? [], workingHours: workingHours, home: home, volunteerGroup: volunteerGroup)
    }
}

/// Time off: the worker is not offered or assigned anything that overlaps it.
public struct WorkerLeave: Codable, Sendable, Hashable {
    public var id: Int64
    public var workerId: Int64
    public var start: Date
    public var end: Date
    public var reason: String

    public init(id: Int64 = 0, workerId: Int64, start: Date, end: Date, reason: String) {
        self.id = id; self.workerId = workerId; self.start = start; self.end = end; self.reason = reason
    }

    public func validated() throws(ValidationFailure) -> WorkerLeave {
        var v = Validator()
        v.check(start < end, "end", "must be after start")
        v.checkText(reason, "reason", maxLength: 200)
        try v.finish()
        return self
    }
}

/// An elder's wish about a worker: to have them again, or never.
public enum WorkerPreference: String, Codable, Sendable, CaseIterable {
    case preferred, refused
}

/// A half-open interval of time, `[start, end)`.
public struct TimeSpan: Codable, Sendable, Hashable {
    public var start: Date
    public var end: Date
    public init(_ start: Date, _ end: Date) { self.start = start; self.end = end }

    public func overlaps(_ other: TimeSpan) -> Bool { start < other.end && other.start < end }
    public func contains(_ other: TimeSpan) -> Bool { start <= other.start && other.end <= end }
}

/// A volunteer's time-bank credit over a period: verified visits and their checked-in minutes.
///
/// ```json
/// {"workerId":40,"name":"李娟","volunteerGroup":"玉林市为老志愿服务队","visits":6,"minutes":540}
/// ```
public struct VolunteerHours: Codable, Sendable, Hashable {
    public var workerId: Int64
    public var name: String
    public var volunteerGroup: String
    public var visits: Int
    public var minutes: Int
    public init(workerId: Int64, name: String, volunteerGroup: String, visits: Int, minutes: Int) {
        self.workerId = workerId; self.name = name; self.volunteerGroup = volunteerGroup; self.visits = visits; self.minutes = minutes
    }
}
