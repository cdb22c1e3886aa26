import Foundation

/// Where a call stands.
///
/// This issue (alarm intake) needs only the two states intake itself sets. The call-handling
/// issue adds the operator's lifecycle after `new`: `claimed`, `contacting`, `dispatched`,
/// `resolved`, `followed_up`, `closed`. Add them as cases with snake_case raw values; the
/// database stores the raw value, so existing rows stay readable.
public enum CallStatus: String, Codable, Sendable, CaseIterable {
    /// Opened by an alarm, waiting for an operator.
    case new
    /// The device sent `cancel` (the elder pressed reset). The call stays in the queue until an
    /// operator confirms, because a fall victim may cancel by mistake or under duress.
    case cancelledAtDevice = "cancelled_at_device"
}

/// The call an alarm opens: one per emergency, however many events the device sends about it
/// (later alarms within the dedupe window join it and bump ``eventCount``).
///
/// ```json
/// {"id":4812,"elderId":1093,"deviceId":"SOS-00000042","code":"fall","priority":"P1",
///  "reason":"Fall detected; raised from P2 to P1: lives alone, aged 86","status":"new","eventCount":1,
///  "openedAt":"2026-11-23T02:11:21Z","lastEventAt":"2026-11-23T02:11:21Z",
///  "location":{"area":"bathroom"},"version":1}
/// ```
public struct Call: Codable, Sendable, Hashable, Identifiable {
    public var id: Int64
    public var elderId: Int64
    /// The device whose alarm opened the call.
    public var deviceId: String
    /// The code of the alarm that opened it.
    public var code: AlarmCode
    public var priority: Priority
    /// The triage reason (``TriageResult/reason``), kept so the console shows why without recomputing.
    public var reason: String
    public var status: CallStatus
    /// Alarms stored on this call: 1 when opened, more as repeats join.
    public var eventCount: Int
    /// When the platform opened the call (its clock, not the device's).
    public var openedAt: Date
    /// When the latest event joined; the dedupe window runs from here.
    public var lastEventAt: Date
    /// When the device cancelled, if it did.
    public var cancelledAt: Date?
    /// The latest location the device reported for this call.
    public var location: EventLocation?
    /// Optimistic-locking version, 1 when opened; every change bumps it.
    public var version: Int

    public init(id: Int64, elderId: Int64, deviceId: String, code: AlarmCode, priority: Priority, reason: String,
                status: CallStatus, eventCount: Int, openedAt: Date, lastEventAt: Date, cancelledAt: Date? = nil,
                location: EventLocation? = nil, version: Int) {
        self.id = id; self.elderId = elderId; self.deviceId = deviceId; self.code = code; self.priority = priority
        self.reason = reason; self.status = status; self.eventCount = eventCount; self.openedAt = openedAt
        self.lastEventAt = lastEventAt; self.cancelledAt = cancelledAt; self.location = location; self.version = version
    }
}

/// What the platform did with an event (Docs/device-protocol.md, "Answer").
public enum EventOutcome: String, Codable, Sendable, CaseIterable {
    /// Stored; for an alarm, a new call was opened.
    case accepted
    /// Stored; the alarm joined the elder's open call within the dedupe window.
    case joined
    /// Stored; the call was marked "cancelled at the device" and waits for an operator.
    case cancelled
    /// Stored only: heartbeats, info, tests, or a cancel with no call to cancel.
    case recorded
}

/// The `202 Accepted` body. A retry with the same `ref` gets the first reply, byte for byte,
/// so the stored bytes, not a re-encoding, are what a retry sees.
///
/// ```json
/// {"ref":"e-000183","status":"accepted","callId":4812,"heartbeatSeconds":300}
/// ```
public struct EventReply: Codable, Sendable, Hashable {
    public var ref: String
    public var status: EventOutcome
    /// The call opened, joined or cancelled; absent for `recorded`.
    public var callId: Int64?
    /// The heartbeat interval the platform expects from this device, as SCAIP's `hbi`.
    public var heartbeatSeconds: Int

    public init(ref: String, status: EventOutcome, callId: Int64? = nil, heartbeatSeconds: Int) {
        self.ref = ref; self.status = status; self.callId = callId; self.heartbeatSeconds = heartbeatSeconds
    }
}
