import Foundation

/// One call as the queue shows it: a row of `GET /v1/calls`, and the `data` of every
/// `GET /v1/calls/stream` event, so a console keeps its queue from either.
///
/// ```json
/// {"id":4812,"elderId":1093,"elderName":"黄秀英","age":86,"regionCode":"450902001000","district":"玉州区",
///  "deviceId":"SOS-00000042","code":"fall","priority":"P1","reason":"Fall detected; lives alone",
///  "status":"claimed","eventCount":1,"openedAt":"2026-11-23T02:11:21Z","lastEventAt":"2026-11-23T02:11:21Z",
///  "claimedBy":{"accountId":17,"name":"王芳"},"claimedAt":"2026-11-23T02:11:40Z","escalated":false,"version":2}
/// ```
public struct CallSummary: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var elderId: Int64
    public var elderName: String
    /// Whole years on the day the call opened.
    public var age: Int
    public var regionCode: String
    /// The district (县区) name, for the queue's "where" column.
    public var district: String?
    public var deviceId: String
    public var code: AlarmCode
    public var priority: Priority
    public var reason: String
    public var status: CallStatus
    public var eventCount: Int
    public var openedAt: Date
    public var lastEventAt: Date
    public var claimedBy: Claimant?
    public var claimedAt: Date?
    /// A deadline passed (unclaimed, responder late, follow-up due): flagged on every console.
    public var escalated: Bool
    public var outcome: CallOutcome?
    /// The optimistic-locking version: every action sends the version its caller saw.
    public var version: Int

    public init(
        id: Int64, elderId: Int64, elderName: String, age: Int, regionCode: String, district: String?,
        deviceId: String, code: AlarmCode, priority: Priority, reason: String, status: CallStatus,
        eventCount: Int, openedAt: Date, lastEventAt: Date, claimedBy: Claimant? = nil, claimedAt: Date? = nil,
        escalated: Bool = false, outcome: CallOutcome? = nil, version: Int
    ) {
        self.id = id; self.elderId = elderId; self.elderName = elderName; self.age = age; self.regionCode = regionCode
        self.district = district; self.deviceId = deviceId; self.code = code; self.priority = priority
        self.reason = reason; self.status = status; self.eventCount = eventCount; self.openedAt = openedAt
        self.lastEventAt = lastEventAt; self.claimedBy = claimedBy; self.claimedAt = claimedAt
        self.escalated = escalated; self.outcome = outcome; self.version = version
    }
}

/// Everything an operator needs about one call in one answer: `GET /v1/calls/{id}`.
public struct CallDetail: Codable, Sendable, Hashable {
    public var call: CallSummary
    /// The lifecycle state: responders, outcome, escalation, follow-up.
    public var state: CallState
    public var elder: ElderProfile
    /// In call order (position 1 first).
    public var contacts: [EmergencyContact]
    public var devices: [DeviceSummary]
    /// The latest location any event of this call reported.
    public var lastLocation: EventLocation?
    /// The elder's other calls, newest first (at most 5).
    public var recentCalls: [CallSummary]
    /// From the health archive, when the elder has one and consented to share it.
    public var health: HealthSummary?
    /// Oldest first.
    public var timeline: [CallTimelineEntry]
    /// What the caller may do now (``CallLifecycle/allowedActions(in:by:)``).
    public var allowedActions: [CallActionKind]

    public init(
        call: CallSummary, state: CallState, elder: ElderProfile, contacts: [EmergencyContact],
        devices: [DeviceSummary], lastLocation: EventLocation?, recentCalls: [CallSummary],
        health: HealthSummary?, timeline: [CallTimelineEntry], allowedActions: [CallActionKind]
    ) {
        self.call = call; self.state = state; self.elder = elder; self.contacts = contacts; self.devices = devices
        self.lastLocation = lastLocation; self.recentCalls = recentCalls; self.health = health
        self.timeline = timeline; self.allowedActions = allowedActions
    }
}

/// The elder as the call screen shows them (no identity number: an operator does not need it).
public struct ElderProfile: Codable, Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var age: Int
    public var sex: Sex
    public var phone: String?
    public var address: String
    public var regionCode: String
    public var district: String?
    public var livingSituation: LivingSituation
    public var careLevel: CareLevel

    public init(
        id: Int64, name: String, age: Int, sex: Sex, phone: String?, address: String, regionCode: String,
        district: String?, livingSituation: LivingSituation, careLevel: CareLevel
    ) {
        self.id = id; self.name = name; self.age = age; self.sex = sex; self.phone = phone; self.address = address
        self.regionCode = regionCode; self.district = district; self.livingSituation = livingSituation
        self.careLevel = careLevel
    }
}

/// A device of the elder's, as the call screen lists it.
public struct DeviceSummary: Codable, Sendable, Hashable {
    public var id: String
    public var type: DeviceType
    public var status: DeviceStatus
    public var online: Bool
    public var lastSeenAt: Date?

    public init(id: String, type: DeviceType, status: DeviceStatus, online: Bool, lastSeenAt: Date?) {
        self.id = id; self.type = type; self.status = status; self.online = online; self.lastSeenAt = lastSeenAt
    }
}

/// What a responder needs to know before walking in: from the elder's health archive.
public struct HealthSummary: Codable, Sendable, Hashable {
    /// Active conditions, e.g. `高血压 (I10)`.
    public var conditions: [String]
    public var allergies: [String]
    public var medications: [String]
    /// The latest reading of each vital sign, e.g. `心率 72 /min`.
    public var vitals: [String]

    public init(conditions: [String], allergies: [String], medications: [String], vitals: [String] = []) {
        self.conditions = conditions; self.allergies = allergies; self.medications = medications; self.vitals = vitals
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        conditions = try c.decode([String].self, forKey: .conditions)
        allergies = try c.decode([String].self, forKey: .allergies)
        medications = try c.decode([String].self, forKey: .medications)
        // Servers before the archive sent no vitals.
        vitals = try c.decodeIfPresent([String].self, forKey: .vitals) ?? []
    }
}

/// The body of every operator action (`POST /v1/calls/{id}/claim`, `/dispatch`, …): the version
/// the operator saw, and what the action needs.
///
/// ```json
/// {"version":3,"outcome":"handled_by_phone","note":"She had pressed it by mistake; daughter informed"}
/// ```
public struct CallActionRequest: Codable, Sendable, Hashable {
    /// Required for every action except `notes`: when the call has changed since, the answer is
    /// 409 naming who acted.
    public var version: Int?
    public var note: String?
    /// `dispatch`: who is sent.
    public var responders: [ResponderAssignment]?
    /// `responders/{id}`: their new status.
    public var status: ResponderStatus?
    /// `resolve`.
    public var outcome: CallOutcome?
    /// `follow-up`: whether the elder (or family) was reached.
    public var reachedElder: Bool?
    /// `reopen`: why.
    public var reason: String?

    public init(
        version: Int?, note: String? = nil, responders: [ResponderAssignment]? = nil,
        status: ResponderStatus? = nil, outcome: CallOutcome? = nil, reachedElder: Bool? = nil,
        reason: String? = nil
    ) {
        self.version = version; self.note = note; self.responders = responders; self.status = status
        self.outcome = outcome; self.reachedElder = reachedElder; self.reason = reason
    }
}

/// The supervisor's view of the floor: `GET /v1/calls/overview`.
///
/// ```json
/// {"openByPriority":{"P1":2,"P2":5,"P3":11,"P4":3},"unclaimed":9,"escalated":1,
///  "oldestUnclaimed":{…CallSummary…},"claimedWithin60sToday":0.982,"claimedToday":57,
///  "operatorsOnline":["王芳","李明"]}
/// ```
public struct CallOverview: Codable, Sendable, Hashable {
    /// Open calls by priority label (`P1`…`P4`); every label is present.
    public var openByPriority: [String: Int]
    public var unclaimed: Int
    public var escalated: Int
    public var oldestUnclaimed: CallSummary?
    /// Share (0…1) of the calls claimed since local midnight that were claimed within 60 s of
    /// opening; nil when none was claimed yet.
    public var claimedWithin60sToday: Double?
    public var claimedToday: Int
    /// Operators with a live feed open now.
    public var operatorsOnline: [String]

    public init(
        openByPriority: [String: Int], unclaimed: Int, escalated: Int, oldestUnclaimed: CallSummary?,
        claimedWithin60sToday: Double?, claimedToday: Int, operatorsOnline: [String]
    ) {
        self.openByPriority = openByPriority; self.unclaimed = unclaimed; self.escalated = escalated
        self.oldestUnclaimed = oldestUnclaimed; self.claimedWithin60sToday = claimedWithin60sToday
        self.claimedToday = claimedToday; self.operatorsOnline = operatorsOnline
    }
}
