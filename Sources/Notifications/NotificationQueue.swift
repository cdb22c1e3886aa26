import CareModel
import Foundation

// The values the notifications worker and its store exchange. The store reads and writes; the
// worker decides who is told, when, on which channel and in what words.

/// One row of the outbox: an event that people should hear about.
public struct OutboxMessage: Sendable, Hashable {
    public var id: Int64
    public var topic: String
    /// Unique per event, e.g. `call:4812:opened`; each notification's key starts with it.
    public var key: String
    public var elderId: Int64?
    public var callId: Int64?
    public var payload: [String: String]
    public var createdAt: Date

    public init(
        id: Int64, topic: String, key: String, elderId: Int64?, callId: Int64?, payload: [String: String],
        createdAt: Date
    ) {
        self.id = id; self.topic = topic; self.key = key; self.elderId = elderId; self.callId = callId
        self.payload = payload; self.createdAt = createdAt
    }
}

/// One step of a call's escalation chain as it stands, for deciding who hears about updates.
public struct ChainLink: Sendable, Hashable {
    public var recipientKind: RecipientKind
    public var recipientId: Int64?
    public var step: Int
    public var attempts: Int
    public var status: NotificationStatus
    public var acknowledged: Bool

    public init(
        recipientKind: RecipientKind, recipientId: Int64?, step: Int, attempts: Int, status: NotificationStatus,
        acknowledged: Bool
    ) {
        self.recipientKind = recipientKind; self.recipientId = recipientId; self.step = step; self.attempts = attempts
        self.status = status; self.acknowledged = acknowledged
    }
}

/// Everything the planner needs about one outbox row, read inside the fan-out transaction.
public struct FanOutContext: Sendable {
    public var message: OutboxMessage
    public var elder: Elder?
    /// The elder's emergency contacts, in call order.
    public var contacts: [EmergencyContact]
    /// The call's escalation chain (its `call_opened` messages), in step order; empty if none.
    public var chain: [ChainLink]
    /// Institutions the payload names (`providerId`, `agencyId`), by id.
    public var institutions: [Int64: Institution]

    public init(
        message: OutboxMessage, elder: Elder? = nil, contacts: [EmergencyContact] = [], chain: [ChainLink] = [],
        institutions: [Int64: Institution] = [:]
    ) {
        self.message = message; self.elder = elder; self.contacts = contacts; self.chain = chain
        self.institutions = institutions
    }
}

/// One message the planner wants sent.
public struct PlannedNotification: Sendable, Hashable {
    /// The outbox key plus the recipient (and chain step), e.g. `call:4812:opened:family_contact:5531`.
    public var key: String
    public var urgency: NotificationUrgency
    public var recipient: NotificationRecipient
    /// The channels to try, in order. Empty: no configured channel reaches the recipient, and the
    /// message is stored as a dead letter at once with ``deadReason``, so an admin sees it.
    public var channels: [NotificationChannelKind]
    public var title: String
    public var text: String
    public var due: Date
    public var chainStep: Int?
    /// The secret in the acknowledgement link, for messages that ask for one.
    public var ackToken: String?
    public var deadReason: String?

    public init(
        key: String, urgency: NotificationUrgency, recipient: NotificationRecipient,
        channels: [NotificationChannelKind], title: String, text: String, due: Date, chainStep: Int? = nil,
        ackToken: String? = nil, deadReason: String? = nil
    ) {
        self.key = key; self.urgency = urgency; self.recipient = recipient; self.channels = channels
        self.title = title; self.text = text; self.due = due; self.chainStep = chainStep; self.ackToken = ackToken
        self.deadReason = deadReason
    }
}

/// What the planner makes of one outbox row.
public struct FanOutPlan: Sendable {
    public var notifications: [PlannedNotification]
    /// Stop the call's escalation chain: steps not yet sent are cancelled (the call ended).
    public var cancelsChain: Bool
    /// Kept on the outbox row: "3 messages", "unknown topic".
    public var note: String

    public init(notifications: [PlannedNotification], cancelsChain: Bool = false, note: String? = nil) {
        self.notifications = notifications
        self.cancelsChain = cancelsChain
        self.note = note ?? "\(notifications.count) message\(notifications.count == 1 ? "" : "s")"
    }
}

/// What one fan-out pass did.
public struct FanOutReport: Sendable, Hashable {
    /// Outbox rows dispatched.
    public var messages: Int
    /// Notifications inserted (a repeated key is not inserted twice).
    public var notifications: Int
    /// Of those, stored dead at once because no channel reaches the recipient.
    public var unreachable: Int
    public init(messages: Int = 0, notifications: Int = 0, unreachable: Int = 0) {
        self.messages = messages; self.notifications = notifications; self.unreachable = unreachable
    }
}

/// A notification the worker has claimed and is about to send.
public struct ClaimedNotification: Sendable, Hashable {
    public var id: Int64
    public var key: String
    public var topic: String
    public var urgency: NotificationUrgency
    public var elderId: Int64?
    public var callId: Int64?
    public var recipient: NotificationRecipient
    public var channels: [NotificationChannelKind]
    public var channelIndex: Int
    public var title: String
    public var text: String
    /// The attempt this claim starts (1 for the first), as the row now counts it.
    public var attempt: Int
    public var chainStep: Int?
    public var ackToken: String?
    public var createdAt: Date

    public init(
        id: Int64, key: String, topic: String, urgency: NotificationUrgency, elderId: Int64?, callId: Int64?,
        recipient: NotificationRecipient, channels: [NotificationChannelKind], channelIndex: Int, title: String,
        text: String, attempt: Int, chainStep: Int?, ackToken: String?, createdAt: Date
    ) {
        self.id = id; self.key = key; self.topic = topic; self.urgency = urgency; self.elderId = elderId
        self.callId = callId; self.recipient = recipient; self.channels = channels; self.channelIndex = channelIndex
        self.title = title; self.text = text; self.attempt = attempt; self.chainStep = chainStep
        self.ackToken = ackToken; self.createdAt = createdAt
    }

    /// The channel this attempt uses.
    public var channel: NotificationChannelKind? {
        channels.indices.contains(channelIndex) ? channels[channelIndex] : channels.first
    }
}

/// What became of one claimed notification, to be written back.
public struct DeliveryRecord: Sendable, Hashable {
    public enum Next: Sendable, Hashable {
        /// The channel at `channelIndex` accepted it.
        case sent(channelIndex: Int)
        /// Try again at `due`, on the channel at `channelIndex`.
        case retry(due: Date, channelIndex: Int, outcome: AttemptOutcome)
        /// Give up after an attempt on the channel at `channelIndex`: a dead letter.
        case dead(channelIndex: Int)
        /// Not attempted (its channel's circuit is open, or the worker is stopping): back to
        /// pending at `due`, and the claim does not count as an attempt.
        case deferred(due: Date, channelIndex: Int)
    }

    public var id: Int64
    /// The claim's ``ClaimedNotification/attempt``: a record for an older claim is ignored.
    public var attempt: Int
    /// The notification's channels, in order (what the indices in ``next`` count in).
    public var channels: [NotificationChannelKind]
    /// The channel this attempt used; nil when nothing was sent.
    public var channel: NotificationChannelKind?
    public var startedAt: Date
    public var latencyMs: Int?
    public var httpStatus: Int?
    public var error: String?
    public var next: Next

    public init(
        id: Int64, attempt: Int, channels: [NotificationChannelKind], channel: NotificationChannelKind?,
        startedAt: Date, latencyMs: Int? = nil, httpStatus: Int? = nil, error: String? = nil, next: Next
    ) {
        self.id = id; self.attempt = attempt; self.channels = channels; self.channel = channel; self.startedAt = startedAt
        self.latencyMs = latencyMs; self.httpStatus = httpStatus; self.error = error; self.next = next
    }
}

/// Filters for the notification listing; all given must hold.
public struct NotificationFilter: Sendable, Hashable {
    public var status: NotificationStatus?
    public var channel: NotificationChannelKind?
    /// `family_contact:5531`, `supervisor`, `provider:12`, or a phone number.
    public var recipient: String?
    public var callId: Int64?
    public var elderId: Int64?
    public var topic: String?

    public init(
        status: NotificationStatus? = nil, channel: NotificationChannelKind? = nil, recipient: String? = nil,
        callId: Int64? = nil, elderId: Int64? = nil, topic: String? = nil
    ) {
        self.status = status; self.channel = channel; self.recipient = recipient; self.callId = callId
        self.elderId = elderId; self.topic = topic
    }
}

/// How much is waiting, for the queue-depth gauge.
public struct NotificationQueueDepth: Sendable, Hashable {
    /// Outbox rows not yet fanned out.
    public var outbox: Int
    /// Notifications pending (due now or later).
    public var pending: Int
    /// Notifications being sent.
    public var sending: Int
    /// Dead letters.
    public var dead: Int

    public init(outbox: Int, pending: Int, sending: Int, dead: Int) {
        self.outbox = outbox; self.pending = pending; self.sending = sending; self.dead = dead
    }
}
