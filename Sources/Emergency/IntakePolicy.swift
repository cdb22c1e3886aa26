import CareModel
import Foundation

/// The numbers that govern alarm intake, read from the `emergency.*` configuration.
public struct IntakePolicy: Sendable {
    /// Alarms from one elder this close to the open call's last event join it.
    public var dedupeWindow: TimeInterval = 300
    /// A cancel this soon after the call opened marks it cancelled at the device.
    public var cancelWindow: TimeInterval = 120
    /// Accepted signing timestamps: from `behind` seconds in the past to `ahead` in the future.
    public var signatureWindowBehind: TimeInterval = 40
    public var signatureWindowAhead: TimeInterval = 20
    /// Silence beyond the heartbeat interval before a device is declared offline.
    public var heartbeatGraceSeconds = 120
    /// Heartbeat and info events per device per minute, and the burst allowed.
    public var heartbeatRatePerMinute = 12
    public var heartbeatBurst = 6
    /// Largest accepted body.
    public var maxEventBytes = 16_384
    /// Base priorities, critical vitals, risk factors.
    public var triage: TriageRules = .default

    public init() {}
}
