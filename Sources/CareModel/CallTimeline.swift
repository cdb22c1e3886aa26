import Foundation

/// One line of a call's timeline: who did what, when, and how the status moved. Append-only;
/// the console shows the list oldest first, and the figures (time to claim, to callback, to
/// arrival, follow-up rate) are computed from it.
///
/// ```json
/// {"at":"2026-11-23T02:26:40Z","actorId":17,"actorName":"王芳","action":"update_responder",
///  "from":"dispatched","to":"dispatched","note":"Let herself in with her key",
///  "detail":{"responderId":"1","responder":"李娟","responderFrom":"on_the_way","responderTo":"on_scene"}}
/// ```
///
/// `action` is text rather than ``CallActionKind`` because the timeline also holds what intake
/// writes (`opened`, `joined`, `cancelled_at_device`), which are no operator's actions.
/// `actorId` and `actorName` are absent for the platform itself (deadlines) and for devices.
public struct CallTimelineEntry: Codable, Sendable, Hashable {
    public var at: Date
    public var actorId: Int64?
    public var actorName: String?
    /// A ``CallActionKind`` raw value, or one of intake's own entries.
    public var action: String
    public var from: CallStatus
    public var to: CallStatus
    /// What the actor wrote, if anything.
    public var note: String?
    /// Facts about the action the status alone does not say, as text for the console to render:
    ///
    /// | action | keys |
    /// |---|---|
    /// | `release` | `previousClaimant`, `previousClaimantId` |
    /// | `dispatch` | `responderIds` (comma-separated) |
    /// | `update_responder` | `responderId`, `responder` (name), `responderFrom`, `responderTo` |
    /// | `resolve` | `outcome` |
    /// | `record_follow_up` | `reachedElder` (`true`/`false`) |
    /// | `reopen` | `previousOutcome`, when there was one |
    /// | `escalate` | `deadline` (a ``CallDeadlineKind``), `count` (1 for the first) |
    ///
    /// Any action a supervisor takes on a call someone else holds also has `claimant` and
    /// `claimantId`, so the timeline shows it was an override.
    public var detail: [String: String]

    public init(
        at: Date, actorId: Int64?, actorName: String?, action: String, from: CallStatus, to: CallStatus,
        note: String? = nil, detail: [String: String] = [:]
    ) {
        self.at = at; self.actorId = actorId; self.actorName = actorName; self.action = action
        self.from = from; self.to = to; self.note = note; self.detail = detail
    }

    /// The operator's action this entry records; nil for intake's entries.
    public var actionKind: CallActionKind? { CallActionKind(rawValue: action) }

    /// Whether the entry moved the call to another status.
    public var changesStatus: Bool { from != to }
}
