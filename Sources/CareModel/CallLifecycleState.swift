import Foundation

/// Who is acting on a call: a person at the console, or the platform itself.
///
/// Smaller than ``Principal`` on purpose: the lifecycle needs only to know who holds a call and
/// whether the actor may override that. Which roles may act on calls at all is the API's
/// permission check, made before the lifecycle is asked.
public struct CallActor: Codable, Sendable, Hashable {
    /// Nil for the platform itself (the deadline sweeper).
    public var accountId: Int64?
    public var name: String
    /// Supervisors may act on calls other operators hold (release them, resolve them …).
    public var isSupervisor: Bool

    public init(accountId: Int64?, name: String, isSupervisor: Bool = false) {
        self.accountId = accountId; self.name = name; self.isSupervisor = isSupervisor
    }

    /// A signed-in account; admins count as supervisors.
    public init(_ principal: Principal) {
        self.init(
            accountId: principal.accountId, name: principal.name,
            isSupervisor: principal.role == .supervisor || principal.role == .admin)
    }

    /// The platform: the only actor that may ``CallAction/escalate``, and one that may do nothing else.
    public static let system = CallActor(accountId: nil, name: "system")

    public var isSystem: Bool { accountId == nil }
}

/// The operator holding a call.
///
/// ```json
/// {"accountId":17,"name":"王芳"}
/// ```
public struct Claimant: Codable, Sendable, Hashable {
    public var accountId: Int64
    public var name: String

    public init(accountId: Int64, name: String) { self.accountId = accountId; self.name = name }
}

/// The call missed a deadline and the platform raised the alarm about it.
///
/// ```json
/// {"deadline":"unclaimed","at":"2026-11-23T02:12:21Z","count":1}
/// ```
public struct CallEscalation: Codable, Sendable, Hashable {
    /// Which deadline was missed.
    public var deadline: CallDeadlineKind
    /// When the latest escalation for it happened.
    public var at: Date
    /// 1 for the first, then one more each time the same deadline is missed again; whoever
    /// sends the alerts widens the circle with it (the supervisor, then the centre's lead …).
    public var count: Int

    public init(deadline: CallDeadlineKind, at: Date, count: Int) {
        self.deadline = deadline; self.at = at; self.count = count
    }
}

/// Everything the lifecycle needs to know about a call to decide the next move. The store
/// keeps it in the call's row (responders as JSON); ``CallLifecycle`` never reads anything else.
///
/// ```json
/// {"status":"dispatched","priority":"P1","stageSince":"2026-11-23T02:14:05Z",
///  "claimedBy":{"accountId":17,"name":"王芳"},"claimedAt":"2026-11-23T02:11:40Z",
///  "responders":[{"id":1,"kind":"emergency_contact","name":"李娟","status":"on_the_way",
///                 "assignedAt":"2026-11-23T02:14:05Z","updatedAt":"2026-11-23T02:15:10Z"}],
///  "version":5}
/// ```
public struct CallState: Codable, Sendable, Hashable {
    public var status: CallStatus
    /// Decides the unclaimed deadline. Intake may raise it while the call is open.
    public var priority: Priority
    /// When the call entered its current stage: opened or put back in the queue, claimed,
    /// resolved, and so on. A device cancel does not restart it: the call still waits to be claimed.
    public var stageSince: Date
    /// Who holds the call; kept after resolution, so the record says who handled it.
    public var claimedBy: Claimant?
    public var claimedAt: Date?
    /// When the device cancelled, if it did (``Call/cancelledAt``). A released call goes back to
    /// `cancelled_at_device` rather than `new`, so the queue still shows it.
    public var deviceCancelledAt: Date?
    /// In the order they were dispatched; ids run 1, 2, 3….
    public var responders: [Responder]
    public var outcome: CallOutcome?
    public var resolvedAt: Date?
    /// Whether the follow-up reached the elder (false: through family), once it is done.
    public var followUpReachedElder: Bool?
    public var followedUpAt: Date?
    public var closedAt: Date?
    /// The latest escalation of the current stage; cleared when the stage moves on.
    public var escalation: CallEscalation?
    /// Optimistic-locking version, as ``Call/version``; every applied action bumps it.
    public var version: Int

    public init(
        status: CallStatus, priority: Priority, stageSince: Date, claimedBy: Claimant? = nil,
        claimedAt: Date? = nil, deviceCancelledAt: Date? = nil, responders: [Responder] = [],
        outcome: CallOutcome? = nil, resolvedAt: Date? = nil, followUpReachedElder: Bool? = nil,
        followedUpAt: Date? = nil, closedAt: Date? = nil, escalation: CallEscalation? = nil, version: Int
    ) {
        self.status = status; self.priority = priority; self.stageSince = stageSince; self.claimedBy = claimedBy
        self.claimedAt = claimedAt; self.deviceCancelledAt = deviceCancelledAt; self.responders = responders
        self.outcome = outcome; self.resolvedAt = resolvedAt; self.followUpReachedElder = followUpReachedElder
        self.followedUpAt = followedUpAt; self.closedAt = closedAt; self.escalation = escalation; self.version = version
    }

    /// The state of a call as intake leaves it (`new` or `cancelled_at_device`, nobody holding it):
    /// how rows written before the lifecycle existed are read.
    public init(opened call: Call) {
        self.init(
            status: call.status, priority: call.priority, stageSince: call.openedAt,
            deviceCancelledAt: call.cancelledAt, version: call.version)
    }

    /// Whether `actor` holds the call.
    public func isHeld(by actor: CallActor) -> Bool {
        guard let id = actor.accountId, let claimedBy else { return false }
        return claimedBy.accountId == id
    }

    public func responder(id: Int) -> Responder? { responders.first { $0.id == id } }
}
