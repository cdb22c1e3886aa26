import CareModel
import CareStore
import Foundation

/// Decides, for one outbox row, who is told, when, on which channels and in what words. Pure:
/// the store reads the context inside its transaction, and randomness (acknowledgement tokens)
/// is injected.
///
/// - `call_opened`: an **escalation chain**. The first contact (in call order) is told at once and
///   asked to acknowledge; if nobody has acknowledged after ``NotificationSettings/acknowledgementTimeout``,
///   the second is told, and so on; after the last, the supervisor. An acknowledgement (the link,
///   or `POST /v1/notifications/{id}/ack`) cancels the steps not yet sent, and so does the call
///   ending. A step that dies brings the next one forward.
/// - Call updates (dispatched, on scene, resolved) go to the contacts the emergency message went
///   to (attempted at least once), in call order, or to every contact when there was no chain.
///   Resolution also stops the chain.
/// - `call_escalated` goes to the supervisor. Bookings go to the elder (or, without a phone, the
///   first contact) and the provider; sync conflicts to the agency.
/// - Family messages respect the elder's consent (``Consent/notifyFamily``).
/// - Urgent messages list every channel that can reach the recipient, in the configured order;
///   the others only the first. Non-urgent messages are due after quiet hours.
public struct NotificationPlanner: Sendable {
    public var settings: NotificationSettings
    /// The configured channels in order.
    public var channels: [any NotificationChannel]
    public var templates: MessageTemplates
    /// A fresh secret for an acknowledgement link.
    public var makeToken: @Sendable () -> String

    public init(settings: NotificationSettings, channels: [any NotificationChannel], makeToken: @escaping @Sendable () -> String) {
        self.settings = settings
        self.channels = channels
        self.templates = MessageTemplates(
            language: settings.language, signature: settings.signature,
            utcOffsetMinutes: settings.quietHours.utcOffsetMinutes)
        self.makeToken = makeToken
    }

    public func plan(_ context: FanOutContext, now: Date) -> FanOutPlan {
        let m = context.message
        guard let topic = NotificationTopic(rawValue: m.topic) else {
            return FanOutPlan(notifications: [], note: "unknown topic \(m.topic); nothing sent")
        }
        // About a provider's worker, not an elder: the provider alone is told.
        if topic == .certificateExpiring {
            guard let provider = institution(context, "providerId", as: .provider) else {
                return FanOutPlan(notifications: [], note: "provider not found; nothing sent")
            }
            var f = MessageFacts(
                elder: "", at: m.payload["expiresOn"].flatMap(CalendarDate.init(iso:)).map(LocalTime.midnight) ?? m.createdAt)
            f.worker = m.payload["worker"]
            f.record = m.payload["certificate"]
            return FanOutPlan(notifications: [
                message(m, topic.urgency, recipient: provider, .certificateExpiring, f, due: settings.quietHours.release(at: now))
            ])
        }
        // About an institution's inspection finding: the institution alone is told.
        if topic == .rectificationDue {
            guard let home = institution(context, "institutionId", as: .provider) else {
                return FanOutPlan(notifications: [], note: "institution not found; nothing sent")
            }
            var f = MessageFacts(
                elder: "", at: m.payload["deadline"].flatMap(CalendarDate.init(iso:)).map(LocalTime.midnight) ?? m.createdAt)
            f.record = m.payload["domain"]
            f.service = m.payload["stage"] ?? "reminder"
            return FanOutPlan(notifications: [
                message(m, topic.urgency, recipient: home, .rectification, f, due: settings.quietHours.release(at: now))
            ])
        }
        guard let elder = context.elder else {
            return FanOutPlan(notifications: [], note: "elder \(m.elderId.map(String.init) ?? "-") not found; nothing sent")
        }
        let facts = self.facts(context, elder: elder)
        let family = elder.consent.notifyFamily ? context.contacts : []
        switch topic {
        case .callOpened:
            return FanOutPlan(notifications: chain(context, family: family, facts: facts, now: now))
        case .responderDispatched, .responderOnScene, .callResolved:
            let kind: MessageKind =
                topic == .responderDispatched
                ? .responderDispatched
                : topic == .responderOnScene ? .responderOnScene : .resolved
            let told = updateRecipients(context, family: family)
            let list = told.map { contact in
                message(m, topic.urgency, recipient: familyRecipient(contact), kind, facts, due: now)
            }
            return FanOutPlan(notifications: list, cancelsChain: topic == .callResolved)
        case .callEscalated:
            return FanOutPlan(notifications: [message(m, topic.urgency, recipient: supervisor, .escalated, facts, due: now)])
        case .bookingConfirmed, .bookingReminder, .workerAssigned, .visitMissed, .workerOnTheWay:
            var list: [PlannedNotification] = []
            let due = topic.urgency.isUrgent ? now : settings.quietHours.release(at: now)
            let toFamily: MessageKind =
                switch topic {
                case .bookingConfirmed: .bookingConfirmed(toProvider: false)
                case .bookingReminder: .bookingReminder
                case .workerAssigned: .workerAssigned
                case .workerOnTheWay: .workerOnTheWay
                default: .visitMissed(toProvider: false)
                }
            // A missed visit is news for the family; the rest go to the elder when they have a phone.
            if topic != .visitMissed, let phone = elder.phone, !phone.isEmpty {
                list.append(
                    message(
                        m, topic.urgency, recipient: NotificationRecipient(kind: .elder, id: elder.id, name: facts.elder, phone: phone),
                        toFamily, facts, due: due))
            } else if let first = family.first {
                list.append(message(m, topic.urgency, recipient: familyRecipient(first), toFamily, facts, due: due))
            }
            if topic == .bookingConfirmed || topic == .visitMissed, let provider = institution(context, "providerId", as: .provider) {
                list.append(
                    message(
                        m, topic.urgency, recipient: provider,
                        topic == .visitMissed ? .visitMissed(toProvider: true) : .bookingConfirmed(toProvider: true),
                        facts, due: due))
            }
            return FanOutPlan(notifications: list)
        case .certificateExpiring, .rectificationDue:
            return FanOutPlan(notifications: [])  // planned above, before the elder is needed
        case .complaintReceived:
            guard let provider = institution(context, "providerId", as: .provider) else {
                return FanOutPlan(notifications: [], note: "provider not found; nothing sent")
            }
            var f = facts
            f.record = m.payload["complaint"]
            return FanOutPlan(notifications: [message(m, topic.urgency, recipient: provider, .complaint, f, due: now)])
        case .syncConflict:
            guard let agency = institution(context, "agencyId", as: .agency) else {
                return FanOutPlan(notifications: [], note: "agency not found; nothing sent")
            }
            return FanOutPlan(notifications: [
                message(
                    m, topic.urgency, recipient: agency, .syncConflict, facts,
                    due: settings.quietHours.release(at: now))
            ])
        }
    }

    // MARK: - The escalation chain

    func chain(_ context: FanOutContext, family: [EmergencyContact], facts: MessageFacts, now: Date) -> [PlannedNotification] {
        let m = context.message
        var steps: [PlannedNotification] = []
        for (i, contact) in family.enumerated() {
            let token = makeToken()
            var f = facts
            f.ackURL = settings.publicBaseURL.map { Self.ackURL(base: $0, token: token) }
            var n = message(
                m, .critical, recipient: familyRecipient(contact), .emergency, f,
                due: now.addingTimeInterval(Double(i) * settings.acknowledgementTimeout))
            n.chainStep = i + 1
            n.ackToken = token
            steps.append(n)
        }
        var last = message(
            m, .critical, recipient: supervisor, .chainExhausted(contacts: family.count), facts,
            due: now.addingTimeInterval(Double(family.count) * settings.acknowledgementTimeout))
        last.chainStep = family.count + 1
        steps.append(last)
        return steps
    }

    /// `https://care.example.org/v1/acks/<token>`.
    public static func ackURL(base: String, token: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b + "/v1/acks/" + token
    }

    /// Who hears about a call's progress: the contacts its emergency message went to.
    func updateRecipients(_ context: FanOutContext, family: [EmergencyContact]) -> [EmergencyContact] {
        let links = context.chain.filter { $0.recipientKind == .familyContact }
        guard !links.isEmpty else { return family }
        var told = Set(links.filter { $0.attempts > 0 || $0.acknowledged || $0.status == .sent }.compactMap(\.recipientId))
        if told.isEmpty, let first = links.first?.recipientId { told.insert(first) }
        return family.filter { told.contains($0.id) }
    }

    // MARK: - Building messages

    func message(
        _ m: OutboxMessage, _ urgency: NotificationUrgency, recipient: NotificationRecipient, _ kind: MessageKind,
        _ facts: MessageFacts, due: Date
    ) -> PlannedNotification {
        let (title, text) = templates.render(kind, facts)
        let reachable = channels.filter { $0.canReach(recipient) }.map(\.kind)
        let chosen = urgency.isUrgent ? reachable : Array(reachable.prefix(1))
        return PlannedNotification(
            key: m.key + ":" + recipient.key, urgency: urgency, recipient: recipient, channels: chosen,
            title: title, text: text, due: due,
            deadReason: chosen.isEmpty ? "no configured channel can reach this \(recipient.kind.rawValue) (no phone number?)" : nil)
    }

    var supervisor: NotificationRecipient {
        NotificationRecipient(
            kind: .supervisor, id: nil, name: settings.supervisorName,
            phone: settings.supervisorPhone.flatMap { $0.isEmpty ? nil : $0 })
    }

    func familyRecipient(_ c: EmergencyContact) -> NotificationRecipient {
        NotificationRecipient(kind: .familyContact, id: c.id, name: c.name, phone: c.phone)
    }

    func institution(_ context: FanOutContext, _ key: String, as kind: RecipientKind) -> NotificationRecipient? {
        guard let id = context.message.payload[key].flatMap({ Int64($0) }), let i = context.institutions[id] else { return nil }
        return NotificationRecipient(kind: kind, id: i.id, name: i.name, phone: i.phone.isEmpty ? nil : i.phone)
    }

    /// What the templates may say about this event.
    func facts(_ context: FanOutContext, elder: Elder) -> MessageFacts {
        let m = context.message, p = m.payload
        let code = p["code"].flatMap(AlarmCode.init(rawValue:))?.label ?? ("报警", "Alarm")
        let priority = p["priority"] ?? ""
        let at = p["at"].flatMap(Timestamp.parse) ?? m.createdAt
        var f = MessageFacts(
            elder: ElderName.short(elder.name, sex: elder.sex, style: settings.nameStyle, language: settings.language),
            callId: m.callId, codeLabel: code, priority: priority, at: at)
        let zh = settings.language == .zh
        // `kind<TAB>name` lines, as Emergency writes them.
        f.responders = (p["responders"] ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let label = ResponderKind(rawValue: parts[0])?.label
            return (label.map { zh ? $0.chinese : $0.english } ?? parts[0]) + " " + parts[1]
        }
        f.escalationCount = p["escalationCount"].flatMap { Int($0) }
        f.responderName = p["responder"]
        if let outcome = p["outcome"].flatMap(CallOutcome.init(rawValue:)) { f.outcomeLabel = outcome.label }
        f.deadline = p["deadline"].flatMap(CallDeadlineKind.init(rawValue:))
        f.service = p["service"] ?? (zh ? "上门服务" : "home service")
        f.worker = p["worker"]
        f.record = p["record"]
        return f
    }
}
