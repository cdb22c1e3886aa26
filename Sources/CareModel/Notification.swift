import Foundation

/// What a message in the outbox is about. The service that changes the data writes the outbox
/// row (topic, idempotency key, elder, call, payload) in its own transaction; the notifications
/// worker decides who is told, on which channel, in what words, from the row alone: it reads no
/// other service's tables, so every fact its words need travels in the payload.
///
/// The payload each topic carries (string values; unknown keys are ignored):
///
/// | topic | written by | payload | told |
/// |---|---|---|---|
/// | `call_opened` | intake (P1/P2, family consent) | `code`, `priority` | family contacts one after another until one acknowledges, then the supervisor |
/// | `responder_dispatched` | call handling | `code`, `priority`, `responders` (`kind<TAB>name` lines), `responderIds` (comma separated) | family contacts told of the call |
/// | `responder_on_scene` | call handling | `code`, `priority`, `responder` (name) | family contacts told of the call |
/// | `call_resolved` | call handling | `code`, `priority`, `outcome` | family contacts told of the call |
/// | `call_escalated` | call handling (deadline sweep) | `code`, `priority`, `deadline`, `escalationCount` | the supervisor |
/// | `booking_confirmed` | bookings | `service`, `at` (ISO-8601), `providerId` | the elder (or first contact) and the provider |
/// | `booking_reminder` | bookings | `service`, `at` | the elder (or first contact) |
/// | `worker_assigned` | bookings | `service`, `at`, `worker` | the elder (or first contact) |
/// | `visit_missed` | bookings | `service`, `at`, `providerId` | the first family contact and the provider |
/// | `worker_on_the_way` | bookings (the worker's phone) | `service`, `at`, `worker` | the elder (or first contact) |
/// | `certificate_expiring` | bookings (daily sweep) | `providerId`, `worker`, `certificate` (kind), `expiresOn` (YYYY-MM-DD); no elder | the provider |
/// | `sync_conflict` | health sync | `agencyId`, `record` | the agency |
/// | `rectification_due` | oversight (deadline sweep) | `institutionId`, `institution`, `findingId`, `domain`, `stage` (`reminder` or `overdue`), `deadline` (YYYY-MM-DD); no elder | the institution |
/// | `complaint_received` | bookings (feedback) | `service`, `at`, `providerId`, `bookingId`, `complaint` | the provider |
public enum NotificationTopic: String, Codable, Sendable, CaseIterable {
    case callOpened = "call_opened"
    case responderDispatched = "responder_dispatched"
    case responderOnScene = "responder_on_scene"
    case callResolved = "call_resolved"
    case callEscalated = "call_escalated"
    case bookingConfirmed = "booking_confirmed"
    case bookingReminder = "booking_reminder"
    case workerAssigned = "worker_assigned"
    case visitMissed = "visit_missed"
    case syncConflict = "sync_conflict"
    case workerOnTheWay = "worker_on_the_way"
    case certificateExpiring = "certificate_expiring"
    case complaintReceived = "complaint_received"
    /// An institution's finding nears or passed its rectification deadline (oversight).
    case rectificationDue = "rectification_due"

    /// How urgent messages of this topic are.
    public var urgency: NotificationUrgency {
        switch self {
        case .callOpened, .callEscalated: .critical
        case .responderDispatched, .responderOnScene, .callResolved, .visitMissed, .complaintReceived: .high
        case .bookingConfirmed, .workerAssigned, .syncConflict, .workerOnTheWay, .certificateExpiring, .rectificationDue: .normal
        case .bookingReminder: .low
        }
    }

    /// Whether the topic is about an emergency call.
    public var isAboutCall: Bool {
        switch self {
        case .callOpened, .responderDispatched, .responderOnScene, .callResolved, .callEscalated: true
        default: false
        }
    }
}

/// How urgent a message is. Urgent messages (critical and high) ignore quiet hours and fall over
/// to the next channel when one fails; the others wait out quiet hours and retry on their channel.
public enum NotificationUrgency: String, Codable, Sendable, CaseIterable, Comparable {
    case low, normal, high, critical

    /// Critical and high: sent at any hour, falling over between channels.
    public var isUrgent: Bool { self == .high || self == .critical }

    /// ntfy's priority scale: 1 (min) to 5 (max).
    public var pushPriority: Int {
        switch self {
        case .low: 2
        case .normal: 3
        case .high: 4
        case .critical: 5
        }
    }

    private var rank: Int {
        switch self {
        case .low: 0
        case .normal: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (a: NotificationUrgency, b: NotificationUrgency) -> Bool { a.rank < b.rank }
}

/// Where a message stands.
///
/// ```
/// pending ─claim─▶ sending ─2xx─▶ sent
///    ▲                │
///    └──retry/fall-over┤
///                     └─attempts used up, or refused for good─▶ dead ─requeue─▶ pending
/// pending (a later step of an escalation chain) ─acknowledged or call closed─▶ cancelled
/// ```
public enum NotificationStatus: String, Codable, Sendable, CaseIterable {
    /// Waiting for its due time (first send, retry, quiet hours, a chain step's turn).
    case pending
    /// Claimed by the worker, which is sending it; if the server dies, the lease runs out and it
    /// is sent again with the same idempotency key.
    case sending
    /// A channel accepted it (2xx).
    case sent
    /// Dead letter: every attempt failed, or the receiver refused it for good. An admin can requeue it.
    case dead
    /// Not needed any more: someone earlier in the chain acknowledged, or the call ended.
    case cancelled
}

/// A way of reaching people.
public enum NotificationChannelKind: String, Codable, Sendable, CaseIterable {
    /// A generic HTTPS webhook: a JSON body signed with HMAC-SHA256.
    case webhook
    /// An SMS gateway's HTTP API.
    case sms
    /// ntfy-style push: one topic per recipient.
    case push
}

/// Who a message is for.
public enum RecipientKind: String, Codable, Sendable, CaseIterable {
    /// One of the elder's emergency contacts; the id is the contact's.
    case familyContact = "family_contact"
    /// The shift supervisor at the care centre (configured address).
    case supervisor
    /// The elder themself; the id is the elder's.
    case elder
    /// A home-service provider; the id is the institution's.
    case provider
    /// A community health centre or hospital; the id is the institution's.
    case agency
}

/// A person or organisation a message goes to, with the addresses channels need.
///
/// ```json
/// {"kind":"family_contact","id":5531,"name":"李娟","phone":"*******1234"}
/// ```
public struct NotificationRecipient: Codable, Sendable, Hashable {
    public var kind: RecipientKind
    /// The contact, elder or institution id; nil for the supervisor.
    public var id: Int64?
    public var name: String
    /// A mobile number for SMS; the API shows it masked.
    public var phone: String?

    public init(kind: RecipientKind, id: Int64?, name: String, phone: String?) {
        self.kind = kind; self.id = id; self.name = name; self.phone = phone
    }

    /// `family_contact:5531`, or `supervisor`: the recipient in idempotency keys and filters.
    public var key: String { id.map { "\(kind.rawValue):\($0)" } ?? kind.rawValue }

    /// A copy with the phone number showing only its last four digits.
    public var masked: NotificationRecipient {
        var copy = self
        copy.phone = phone.map(Self.maskPhone)
        return copy
    }

    /// `13807751234` → `*******1234`.
    public static func maskPhone(_ phone: String) -> String {
        guard phone.count > 4 else { return String(repeating: "*", count: phone.count) }
        return String(repeating: "*", count: phone.count - 4) + phone.suffix(4)
    }
}

/// One message to one recipient, as the API shows it (phone numbers masked).
///
/// ```json
/// {"id":81,"idempotencyKey":"call:4812:opened:family_contact:5531","topic":"call_opened","urgency":"critical",
///  "status":"sent","elderId":1024,"callId":4812,
///  "recipient":{"kind":"family_contact","id":5531,"name":"李娟","phone":"*******1234"},
///  "channels":["sms","push"],"channel":"sms","attempts":1,"chainStep":1,
///  "title":"紧急呼叫","text":"【颐养通】您的家人黄女士…","lastStatus":200,
///  "sentAt":"2026-11-23T02:11:22Z","createdAt":"2026-11-23T02:11:21Z"}
/// ```
public struct NotificationView: Codable, Sendable, Hashable {
    public var id: Int64
    /// What every receiver sees as `Idempotency-Key`; the same on every attempt and channel.
    public var idempotencyKey: String
    public var topic: String
    public var urgency: NotificationUrgency
    public var status: NotificationStatus
    public var elderId: Int64?
    public var callId: Int64?
    public var recipient: NotificationRecipient
    /// The channels to try, in order (urgent messages fall over along them).
    public var channels: [NotificationChannelKind]
    /// The channel of the next (or the last) attempt.
    public var channel: NotificationChannelKind?
    public var attempts: Int
    /// When the next attempt is due (pending), or when the lease runs out (sending).
    public var nextAttemptAt: Date?
    /// The position in an emergency escalation chain (1 = first contact); nil outside chains.
    public var chainStep: Int?
    public var acknowledgedAt: Date?
    /// `account:17 王芳`, or `link` when the recipient used the acknowledgement link.
    public var acknowledgedBy: String?
    public var title: String
    public var text: String
    /// The HTTP status of the last attempt, if it got an answer.
    public var lastStatus: Int?
    public var lastError: String?
    public var sentAt: Date?
    public var createdAt: Date
    /// Every attempt, oldest first; only in the answer for one notification.
    public var attemptLog: [NotificationAttempt]?

    public init(
        id: Int64, idempotencyKey: String, topic: String, urgency: NotificationUrgency, status: NotificationStatus,
        elderId: Int64?, callId: Int64?, recipient: NotificationRecipient, channels: [NotificationChannelKind],
        channel: NotificationChannelKind?, attempts: Int, nextAttemptAt: Date?, chainStep: Int?,
        acknowledgedAt: Date?, acknowledgedBy: String?, title: String, text: String, lastStatus: Int?,
        lastError: String?, sentAt: Date?, createdAt: Date, attemptLog: [NotificationAttempt]? = nil
    ) {
        self.id = id; self.idempotencyKey = idempotencyKey; self.topic = topic; self.urgency = urgency
        self.status = status; self.elderId = elderId; self.callId = callId; self.recipient = recipient
        self.channels = channels; self.channel = channel; self.attempts = attempts; self.nextAttemptAt = nextAttemptAt
        self.chainStep = chainStep; self.acknowledgedAt = acknowledgedAt; self.acknowledgedBy = acknowledgedBy
        self.title = title; self.text = text; self.lastStatus = lastStatus; self.lastError = lastError
        self.sentAt = sentAt; self.createdAt = createdAt; self.attemptLog = attemptLog
    }
}

/// What became of one attempt.
public enum AttemptOutcome: String, Codable, Sendable, CaseIterable {
    /// The channel accepted the message (2xx).
    case delivered
    /// It failed and will be tried again on the same channel after a back-off.
    case retry
    /// It failed and the next channel is tried (urgent messages).
    case fallOver = "fall_over"
    /// It failed for the last time: the message is a dead letter.
    case dead
}

/// One send, as recorded: when, on which channel, how long it took and what came back.
///
/// ```json
/// {"number":2,"channel":"sms","at":"2026-11-23T02:11:27Z","latencyMs":84,"httpStatus":503,
///  "outcome":"fall_over","error":"HTTP 503"}
/// ```
public struct NotificationAttempt: Codable, Sendable, Hashable {
    public var number: Int
    public var channel: NotificationChannelKind
    public var at: Date
    public var latencyMs: Int?
    public var httpStatus: Int?
    public var outcome: AttemptOutcome
    public var error: String?

    public init(
        number: Int, channel: NotificationChannelKind, at: Date, latencyMs: Int?, httpStatus: Int?,
        outcome: AttemptOutcome, error: String?
    ) {
        self.number = number; self.channel = channel; self.at = at; self.latencyMs = latencyMs
        self.httpStatus = httpStatus; self.outcome = outcome; self.error = error
    }
}

/// The answer to an acknowledgement.
///
/// ```json
/// {"notificationId":81,"callId":4812,"acknowledgedAt":"2026-11-23T02:12:03Z","acknowledgedBy":"link",
///  "cancelled":2,"alreadyAcknowledged":false}
/// ```
public struct NotificationAcknowledgement: Codable, Sendable, Hashable {
    public var notificationId: Int64
    public var callId: Int64?
    public var acknowledgedAt: Date
    public var acknowledgedBy: String
    /// Later steps of the chain that will now not be sent.
    public var cancelled: Int
    /// True when it had been acknowledged before: nothing changed.
    public var alreadyAcknowledged: Bool

    public init(
        notificationId: Int64, callId: Int64?, acknowledgedAt: Date, acknowledgedBy: String, cancelled: Int,
        alreadyAcknowledged: Bool
    ) {
        self.notificationId = notificationId; self.callId = callId; self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy; self.cancelled = cancelled; self.alreadyAcknowledged = alreadyAcknowledged
    }
}

/// The answer to a bulk requeue.
public struct RequeueResult: Codable, Sendable, Hashable {
    public var requeued: Int
    public init(requeued: Int) { self.requeued = requeued }
}
