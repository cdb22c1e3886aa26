import Foundation

/// Where a call stands.
///
/// Intake sets the first two; operators move a call along the rest through
/// ``CallLifecycle/apply(_:to:by:at:)``, which holds the table of legal moves:
///
/// ```
/// new ─┬─ claim ─▶ claimed ─▶ contacting ─▶ dispatched ─▶ resolved ─▶ followed_up ─▶ closed
/// cancelled_at_device ─┘        (resolve is allowed from claimed, contacting or dispatched)
/// ```
///
/// The database stores the raw value (snake_case), so rows written before the lifecycle existed
/// (`new`, `cancelled_at_device`) stay readable. Cases are listed in lifecycle order.
public enum CallStatus: String, Codable, Sendable, CaseIterable {
    /// Opened by an alarm, waiting for an operator.
    case new
    /// The device sent `cancel` (the elder pressed reset). The call stays in the queue until an
    /// operator confirms, because a fall victim may cancel by mistake or under duress. For
    /// claiming it behaves like ``new``.
    case cancelledAtDevice = "cancelled_at_device"
    /// An operator has taken the call; ``CallState/claimedBy`` says who and when.
    case claimed
    /// The operator is calling the elder back (回拨).
    case contacting
    /// Someone has been sent: a contact, a community worker, a volunteer, a provider, 120.
    case dispatched
    /// The emergency is over and has an outcome; the follow-up call (回访) is still to come.
    case resolved
    /// The follow-up call is done.
    case followedUp = "followed_up"
    /// Nothing left to do. A call can still be reopened, and notes can still be added.
    case closed

    /// Whether the call is in the live queue: it needs an operator now.
    ///
    /// True for `new`, `cancelled_at_device`, `claimed`, `contacting` and `dispatched`. A resolved
    /// call still waits for its follow-up, but that is next-day work with its own deadline, not an
    /// emergency, so it leaves the queue. Intake joins repeat alarms only to open calls, so an
    /// alarm after resolution opens a new call instead of hiding in a finished one. The store
    /// keeps this in the `is_open` column.
    public var isOpen: Bool {
        switch self {
        case .new, .cancelledAtDevice, .claimed, .contacting, .dispatched: true
        case .resolved, .followedUp, .closed: false
        }
    }

    /// Waiting to be claimed: `new` or `cancelled_at_device`.
    public var isUnclaimed: Bool { self == .new || self == .cancelledAtDevice }

    /// An operator holds the call and is working it: `claimed`, `contacting` or `dispatched`.
    /// Only the holder (or a supervisor) may act on a held call.
    public var isHeld: Bool { self == .claimed || self == .contacting || self == .dispatched }

    /// Short names for consoles, Chinese first.
    public var label: (chinese: String, english: String) {
        switch self {
        case .new: ("待接警", "New")
        case .cancelledAtDevice: ("设备已取消", "Cancelled at the device")
        case .claimed: ("已接警", "Claimed")
        case .contacting: ("回拨中", "Calling back")
        case .dispatched: ("已派单", "Dispatched")
        case .resolved: ("已处置", "Resolved")
        case .followedUp: ("已回访", "Followed up")
        case .closed: ("已结案", "Closed")
        }
    }
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

    public init(
        id: Int64, elderId: Int64, deviceId: String, code: AlarmCode, priority: Priority, reason: String,
        status: CallStatus, eventCount: Int, openedAt: Date, lastEventAt: Date, cancelledAt: Date? = nil,
        location: EventLocation? = nil, version: Int
    ) {
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
/// {"ref":"e-000183","status":"accepted","callId":4812,"callVersion":1,"heartbeatSeconds":300}
/// ```
public struct EventReply: Codable, Sendable, Hashable {
    public var ref: String
    public var status: EventOutcome
    /// The call opened, joined or cancelled; absent for `recorded`.
    public var callId: Int64?
    /// The call's version after this event (1 when it opened it); the live feed's event for the
    /// change carries the same version.
    public var callVersion: Int?
    /// The heartbeat interval the platform expects from this device, as SCAIP's `hbi`.
    public var heartbeatSeconds: Int

    public init(ref: String, status: EventOutcome, callId: Int64? = nil, callVersion: Int? = nil, heartbeatSeconds: Int) {
        self.ref = ref; self.status = status; self.callId = callId; self.callVersion = callVersion
        self.heartbeatSeconds = heartbeatSeconds
    }
}
