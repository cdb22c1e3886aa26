import CareModel
import CareStore
import Foundation

/// An authenticated, validated device event on its way to the database.
public struct IncomingEvent: Sendable {
    public var device: Device
    public var event: DeviceEvent
    /// The body exactly as received (kept for audit and replay).
    public var body: Data
    public var receivedAt: Date
    /// What other stores made of the event before its transaction (the archive's Observations
    /// of its vitals), so the writer only inserts them.
    package var prepared: PreparedMessage?

    public init(device: Device, event: DeviceEvent, body: Data, receivedAt: Date) {
        self.device = device
        self.event = event
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// What the intake rules see of one event, read inside the write transaction.
public struct IntakeContext: Sendable {
    public var incoming: IncomingEvent
    /// The device's elder, for alarms and cancels; nil for heartbeats and info events, which
    /// never touch calls: reading it would cost every heartbeat a cold elder row among hundreds
    /// of thousands (a city's devices each report every few minutes).
    public var elder: Elder?
    /// The elder's open calls, the one with the most recent event first (empty for heartbeats
    /// and info events).
    public var openCalls: [Call]
    /// The elder's active chronic conditions from the health archive, for alarms that open calls.
    public var chronicConditions: [String]

    public init(incoming: IncomingEvent, elder: Elder?, openCalls: [Call], chronicConditions: [String] = []) {
        self.incoming = incoming; self.elder = elder; self.openCalls = openCalls; self.chronicConditions = chronicConditions
    }
}

/// What the intake rules decided to do with one event.
public enum IntakeDecision: Sendable, Equatable {
    /// Open a new call.
    case open(code: AlarmCode, priority: Priority, reason: String)
    /// Add the event to an open call; `priority` and `reason` are the call's from now on.
    case join(callId: Int64, priority: Priority, reason: String)
    /// Mark the call cancelled at the device; it stays for an operator to confirm.
    case cancel(callId: Int64)
    /// Store the event; no call changes.
    case record
}

/// The stored answer to one event.
public struct IntakeResult: Sendable {
    /// The reply's JSON, byte for byte as first sent.
    public var reply: Data
    /// True when the reference was already stored: nothing new was written.
    public var duplicate: Bool
    /// What happened to the event (for a duplicate, what happened the first time).
    public var outcome: EventOutcome
}
