import CareModel
import CareStore
import Foundation

/// What happens to one event, decided from the event, the elder and their open calls.
/// Pure: the store calls it inside the write transaction, tests call it directly.
public enum IntakeRules {
    public static func decide(_ context: IntakeContext, policy: IntakePolicy) -> IntakeDecision {
        let incoming = context.incoming
        let event = incoming.event
        let now = incoming.receivedAt
        switch event.kind {
        case .heartbeat, .info:
            return .record
        case .cancel:
            // Only the device that raised the alarm can cancel it, and only soon after.
            let cancellable = context.openCalls.first { call in
                call.deviceId == incoming.device.id && call.status == .new && !call.code.isTechnical
                    && now.timeIntervalSince(call.openedAt) <= policy.cancelWindow
            }
            return cancellable.map { .cancel(callId: $0.id) } ?? .record
        case .alarm:
            guard let code = event.code, code.opensCall else { return .record }
            // The store reads the elder for every alarm; were it missing, the alarm still opens
            // its call, triaged without risk factors.
            let risk =
                context.elder.map {
                    RiskProfile(elder: $0, today: CalendarDate(date: now), chronicConditions: context.chronicConditions)
                } ?? .unknown
            let triage = policy.triage.assess(code: code, vitals: event.vitals, risk: risk)
            // A storm of presses joins the open call instead of flooding the queue; an emergency
            // never hides inside a technical call (low battery) or a service request.
            let joinable = context.openCalls.first { call in
                call.code.isTechnical == code.isTechnical && call.code.isServiceRequest == code.isServiceRequest
                    && now.timeIntervalSince(call.lastEventAt) <= policy.dedupeWindow
            }
            guard let call = joinable else {
                return .open(code: code, priority: triage.priority, reason: triage.reason)
            }
            if triage.priority < call.priority {
                return .join(callId: call.id, priority: triage.priority, reason: triage.reason)
            }
            return .join(callId: call.id, priority: call.priority, reason: call.reason)
        }
    }
}
