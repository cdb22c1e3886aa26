import CareModel
import Foundation

@testable import OperatorConsole

/// A small, fixed floor: five open calls at 10:15:00 Beijing time, seen by 王芳 (account 17).
enum Fixture {
    static let zone = TimeZone(identifier: "Asia/Shanghai")!
    /// 2026-11-23T02:15:00Z, 10:15:00 in Yulin.
    static let now = date("2026-11-23T02:15:00Z")
    static let me = ConsoleOperator(accountId: 17, name: "王芳", role: .operator)
    static let colleague = Claimant(accountId: 18, name: "李明")

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static func call(
        _ id: Int64, _ name: String, age: Int = 80, district: String? = "玉州区",
        region: String = "450902001000", code: AlarmCode = .sos, priority: Priority = .p2,
        status: CallStatus = .new, opened: String = "2026-11-23T02:10:00Z", claimedBy: Claimant? = nil,
        escalated: Bool = false, events: Int = 1, version: Int = 1,
        reason: String = "SOS button pressed"
    ) -> CallSummary {
        CallSummary(
            id: id, elderId: id + 1000, elderName: name, age: age, regionCode: region, district: district,
            deviceId: "SOS-\(id)", code: code, priority: priority, reason: reason, status: status,
            eventCount: events, openedAt: date(opened), lastEventAt: date(opened), claimedBy: claimedBy,
            claimedAt: claimedBy == nil ? nil : date(opened), escalated: escalated, version: version)
    }

    /// A new P1 fall, escalated: nobody has claimed it for 3:39.
    static let fall = call(
        4812, "黄秀英", age: 86, code: .fall, priority: .p1, opened: "2026-11-23T02:11:21Z",
        escalated: true, version: 2,
        reason: "Fall detected; raised from P2 to P1: lives alone, aged 86")
    /// A P1 that 王芳 holds, with a name too long for the column.
    static let longName = call(
        4813, "欧阳玉凤凰花", age: 91, district: "北流市", region: "450981102000", code: .sos,
        priority: .p1, status: .claimed, opened: "2026-11-23T02:05:00Z",
        claimedBy: Claimant(accountId: 17, name: "王芳"), events: 3, version: 3)
    static let vitals = call(
        4790, "李建国", age: 78, district: "容县", region: "450921100000", code: .abnormalVitals,
        priority: .p2, status: .dispatched, opened: "2026-11-23T01:02:00Z", claimedBy: colleague,
        version: 6, reason: "Heart rate 138, SpO2 88")
    static let door = call(
        4801, "Zhang Wei", district: "陆川县", region: "450922000000", code: .doorOpenNight,
        priority: .p3, status: .cancelledAtDevice, opened: "2026-11-23T02:00:00Z", version: 2,
        reason: "Front door opened at 02:00")
    static let offline = call(
        4700, "陈淑珍", age: 88, district: "博白县", region: "450923000000", code: .deviceOffline,
        priority: .p4, opened: "2026-11-21T02:00:00Z", reason: "No heartbeat for 2 days")

    static let calls = [fall, longName, vitals, door, offline]

    /// A console with the floor loaded, on the queue.
    static func state(width: Int = 80, height: Int = 24) -> ConsoleState {
        var state = ConsoleState(now: now, timeZone: zone)
        state.apply(.signedIn(me))
        state.apply(.resized(width: width, height: height))
        state.apply(.snapshot(calls))
        state.apply(.connection(.live))
        return state
    }

    /// An earlier call of the same elder, closed as a false alarm.
    static func previous(_ name: String) -> CallSummary {
        var earlier = Fixture.call(4511, name, code: .sos, priority: .p2, status: .closed, opened: "2026-11-02T11:40:00Z")
        earlier.outcome = .falseAlarm
        return earlier
    }

    static let contacts = [
        EmergencyContact(id: 5531, elderId: 5812, position: 1, name: "李娟", relation: .daughter, phone: "13807751234", hasKey: true),
        EmergencyContact(id: 5532, elderId: 5812, position: 2, name: "黄志强", relation: .son, phone: "13977500002", hasKey: false),
        EmergencyContact(id: 5533, elderId: 5812, position: 3, name: "王阿姨", relation: .neighbour, phone: "07752345678", hasKey: true),
    ]

    /// The call screen's data for ``fall``, as the server would send it to someone who may claim it.
    static func detail(
        of call: CallSummary = fall, status: CallStatus? = nil, version: Int? = nil,
        claimedBy: Claimant? = nil, responders: [Responder] = [],
        allowed: [CallActionKind] = [.claim, .note]
    ) -> CallDetail {
        var summary = call
        if let status { summary.status = status }
        if let version { summary.version = version }
        if let claimedBy { summary.claimedBy = claimedBy; summary.claimedAt = date("2026-11-23T02:12:00Z") }
        let state = CallState(
            status: summary.status, priority: summary.priority, stageSince: summary.openedAt,
            claimedBy: summary.claimedBy, claimedAt: summary.claimedAt, responders: responders,
            version: summary.version)
        var timeline = [
            CallTimelineEntry(
                at: date("2026-11-23T02:11:21Z"), actorId: nil, actorName: nil, action: "opened",
                from: .new, to: .new, note: "Fall detected; raised from P2 to P1: lives alone, aged 86",
                detail: ["deviceId": "SOS-4812", "code": "fall"]),
            CallTimelineEntry(
                at: date("2026-11-23T02:12:21Z"), actorId: nil, actorName: nil, action: "escalate",
                from: .new, to: .new, detail: ["deadline": "unclaimed", "count": "1"]),
        ]
        if let holder = summary.claimedBy {
            timeline.append(
                CallTimelineEntry(
                    at: date("2026-11-23T02:12:00Z"), actorId: holder.accountId,
                    actorName: holder.name, action: "claim", from: .new, to: .claimed))
        }
        return CallDetail(
            call: summary, state: state,
            elder: ElderProfile(
                id: summary.elderId, name: summary.elderName, age: summary.age, sex: .female,
                phone: "07752801234",
                address: "名山街道金港路123号金港花园3栋2单元501室（电梯右手边）",
                regionCode: summary.regionCode, district: summary.district, livingSituation: .alone,
                careLevel: .semiDisabled),
            contacts: contacts,
            devices: [
                DeviceSummary(
                    id: "SOS-4812", type: .sosPendant, status: .active, online: true,
                    lastSeenAt: date("2026-11-23T02:11:21Z"))
            ],
            lastLocation: EventLocation(area: .bathroom, latitude: 22.6391, longitude: 110.152, accuracyMeters: 12),
            recentCalls: [previous(summary.elderName)],
            health: HealthSummary(
                conditions: ["高血压", "2型糖尿病"], allergies: ["青霉素"], medications: ["二甲双胍", "氨氯地平"], vitals: ["心率 118 /min", "血氧饱和度 93 %"]),
            timeline: timeline, allowedActions: allowed)
    }
}

extension ConsoleState {
    /// Presses keys in order and returns every effect they asked for.
    @discardableResult
    mutating func press(_ keys: ConsoleKey...) -> [ConsoleEffect] {
        keys.flatMap { apply(.key($0)) }
    }

    @discardableResult
    mutating func type(_ text: String) -> [ConsoleEffect] {
        ConsoleKey.typing(text).flatMap { apply(.key($0)) }
    }

    /// The frame as plain text lines.
    func screen(width: Int? = nil, height: Int? = nil) -> [String] {
        frame(self, width: width ?? self.width, height: height ?? self.height, color: false).map(\.text)
    }
}
