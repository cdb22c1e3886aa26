import CareModel
import CareStore
import Foundation

/// Who hears of what happens to a call: the outbox messages a change causes, decided here and
/// written by ``CallStore`` in the change's own transaction. The notifications worker then
/// decides channels and words from the message alone, so every fact its templates use travels
/// in the payload (``NotificationTopic`` lists them).
enum CallNotices {
    /// A new P1 or P2 call starts the family's escalation chain, when the elder consents.
    static func opened(_ call: Call, elder: Elder?) -> OutboxEntry? {
        guard call.priority <= .p2, elder?.consent.notifyFamily == true else { return nil }
        return OutboxEntry(
            topic: .callOpened, key: "call:\(call.id):opened", elderId: call.elderId, callId: call.id,
            payload: ["code": call.code.rawValue, "priority": call.priority.description])
    }

    /// Family hears when help is sent, arrives and the call ends; the supervisor when a deadline
    /// passes. Nil for every other action.
    static func after(_ transition: CallTransition, call: Call) -> OutboxEntry? {
        let entry = transition.entry, state = transition.state
        var payload = [
            "action": entry.action, "status": entry.to.rawValue, "priority": call.priority.description,
            "code": call.code.rawValue,
        ]
        let topic: NotificationTopic
        switch CallActionKind(rawValue: entry.action) {
        case .dispatch?:
            topic = .responderDispatched
            // Only the responders this dispatch sent, so family hears of each once.
            let ids = Set((entry.detail["responderIds"] ?? "").split(separator: ",").compactMap { Int(String($0)) })
            payload["responderIds"] = entry.detail["responderIds"]
            payload["responders"] = responderLines(state.responders.filter { ids.isEmpty ? $0.status.isActive : ids.contains($0.id) })
        case .updateResponder? where entry.detail["responderTo"] == ResponderStatus.onScene.rawValue:
            topic = .responderOnScene
            payload["responder"] = entry.detail["responder"]
        case .resolve?:
            topic = .callResolved
            payload["outcome"] = entry.detail["outcome"] ?? state.outcome?.rawValue
        case .escalate?:
            topic = .callEscalated
            payload["deadline"] = entry.detail["deadline"]
            payload["escalationCount"] = state.escalation.map { String($0.count) }
        default: return nil
        }
        return OutboxEntry(
            topic: topic, key: "call:\(call.id):v\(state.version):\(topic.rawValue)", elderId: call.elderId,
            callId: call.id, payload: payload)
    }

    /// Responders as `kind<TAB>name` lines, the payload's `responders`.
    static func responderLines(_ responders: [Responder]) -> String {
        responders.map { $0.kind.rawValue + "\t" + $0.name }.joined(separator: "\n")
    }
}
