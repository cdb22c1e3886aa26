import Foundation

/// The deadlines a call can miss. At most one runs at a time, because each belongs to a stage:
///
/// | deadline | runs while | from |
/// |---|---|---|
/// | `unclaimed` | `new`, `cancelled_at_device` | the call entered the queue (opened, released) |
/// | `responder_on_scene` | `dispatched` and a responder is `assigned` or `on_the_way` | the earliest such responder was dispatched |
/// | `follow_up` | `resolved` with an outcome that needs a follow-up | the call was resolved |
public enum CallDeadlineKind: String, Codable, Sendable, CaseIterable {
    /// Nobody has claimed the call (TSA: answer 97.5 % within 60 s, 99 % within 180 s).
    case unclaimed
    /// A responder has not reached the elder (TicketsCAD's on-scene watch; Lifeline's 30-minute "closed loop").
    case responderOnScene = "responder_on_scene"
    /// The follow-up call (回访) is overdue.
    case followUp = "follow_up"
}

/// The next deadline of a call: what the store keeps in the call's `deadline_ms` column, and
/// what the sweeper escalates when it passes.
///
/// ```json
/// {"kind":"unclaimed","due":"2026-11-23T02:12:21Z"}
/// ```
public struct CallDeadline: Codable, Sendable, Hashable {
    public var kind: CallDeadlineKind
    public var due: Date

    public init(kind: CallDeadlineKind, due: Date) { self.kind = kind; self.due = due }

    /// Milliseconds since 1970, as the store's `*_ms` columns hold times.
    public var dueMillis: Int64 { Int64((due.timeIntervalSince1970 * 1000).rounded()) }
}

/// A number of seconds for each priority.
///
/// ```json
/// {"P1":60,"P2":180,"P3":900,"P4":3600}
/// ```
public struct SecondsByPriority: Codable, Sendable, Hashable {
    public var p1: Int
    public var p2: Int
    public var p3: Int
    public var p4: Int

    public init(p1: Int, p2: Int, p3: Int, p4: Int) { self.p1 = p1; self.p2 = p2; self.p3 = p3; self.p4 = p4 }

    public subscript(priority: Priority) -> Int {
        switch priority {
        case .p1: p1
        case .p2: p2
        case .p3: p3
        case .p4: p4
        }
    }

    private enum CodingKeys: String, CodingKey {
        case p1 = "P1", p2 = "P2", p3 = "P3", p4 = "P4"
    }
}

/// How long a call may wait at each stage before the platform escalates it. Pure: the store
/// asks ``nextDeadline(for:)`` after every change and keeps the answer in one column, and the
/// sweeper applies ``CallAction/escalate(_:)`` to calls whose deadline has passed.
///
/// A missed deadline re-arms one interval after each escalation (a P1 nobody claims escalates at
/// 60 s, 120 s, 180 s …, with ``CallEscalation/count`` rising), until the stage moves on. So no
/// call is forgotten, and the sweeper never sees the same deadline twice.
///
/// ```json
/// {"unclaimedAfter":{"P1":60,"P2":180,"P3":900,"P4":3600},"responderOnSceneWithin":1200,"followUpWithin":86400}
/// ```
public struct EscalationPolicy: Codable, Sendable, Hashable {
    /// Seconds a call may wait in the queue. P1 follows the TSA's 60-second answer target,
    /// P2 its 180-second one; P3 and P4 are not emergencies.
    public var unclaimedAfter: SecondsByPriority
    /// Seconds from dispatch until a responder should be with the elder: 20 minutes, inside
    /// the 30 minutes after which Lifeline's "closed loop" calls the centre again.
    public var responderOnSceneWithin: Int
    /// Seconds from resolution until the follow-up call is due: the next day.
    public var followUpWithin: Int

    public init(
        unclaimedAfter: SecondsByPriority = SecondsByPriority(p1: 60, p2: 180, p3: 900, p4: 3600),
        responderOnSceneWithin: Int = 1200, followUpWithin: Int = 86_400
    ) {
        self.unclaimedAfter = unclaimedAfter; self.responderOnSceneWithin = responderOnSceneWithin
        self.followUpWithin = followUpWithin
    }

    public static let `default` = EscalationPolicy()

    /// The length of one deadline for a call of `priority`, in seconds.
    public func seconds(for kind: CallDeadlineKind, priority: Priority) -> Int {
        switch kind {
        case .unclaimed: unclaimedAfter[priority]
        case .responderOnScene: responderOnSceneWithin
        case .followUp: followUpWithin
        }
    }

    /// The deadline running for the call now, and when it falls due; nil when none runs
    /// (the call is held and nobody is on the way, or it is followed up, or closed).
    ///
    /// ```swift
    /// // A P1 call opened at 02:11:21, nobody has claimed it:
    /// policy.nextDeadline(for: state)   // unclaimed, due 02:12:21
    /// // After the sweeper escalated it at 02:12:23:
    /// policy.nextDeadline(for: state)   // unclaimed, due 02:13:23
    /// ```
    public func nextDeadline(for state: CallState) -> CallDeadline? {
        guard let (kind, since) = state.runningDeadline else { return nil }
        let interval = TimeInterval(seconds(for: kind, priority: state.priority))
        var due = since + interval
        if let escalation = state.escalation, escalation.deadline == kind {
            due = max(due, escalation.at + interval)
        }
        return CallDeadline(kind: kind, due: due)
    }

    /// Every interval must be positive: a zero would escalate every call the moment it opens.
    public func validate() throws(ValidationFailure) {
        var v = Validator()
        for p in Priority.allCases {
            v.check(unclaimedAfter[p] > 0, "unclaimedAfter.\(p)", "must be a positive number of seconds")
        }
        v.check(responderOnSceneWithin > 0, "responderOnSceneWithin", "must be a positive number of seconds")
        v.check(followUpWithin > 0, "followUpWithin", "must be a positive number of seconds")
        try v.finish()
    }
}

extension CallState {
    /// The deadline the call's stage runs, and the moment it runs from; nil when none runs.
    /// Independent of the policy, so the lifecycle can tell a stale escalation from a due one.
    public var runningDeadline: (kind: CallDeadlineKind, since: Date)? {
        switch status {
        case .new, .cancelledAtDevice:
            return (.unclaimed, stageSince)
        case .dispatched:
            // Responders who declined or arrived have stopped the clock; all of them having done
            // so leaves the call to its holder, who is already working it.
            guard let earliest = responders.filter(\.status.isPending).map(\.assignedAt).min() else { return nil }
            return (.responderOnScene, earliest)
        case .resolved:
            guard outcome?.needsFollowUp == true else { return nil }
            return (.followUp, stageSince)
        case .claimed, .contacting, .followedUp, .closed:
            return nil
        }
    }
}
