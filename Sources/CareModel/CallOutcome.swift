/// How a call ended: the operator picks one when resolving, with a note saying what happened.
///
/// The raw values are stored and sent as they are (`"outcome":"handled_by_phone"`); reports
/// count calls by them.
public enum CallOutcome: String, Codable, Sendable, CaseIterable {
    /// Nobody needed help: a pendant pressed by mistake, a fall detector dropped on the floor.
    case falseAlarm = "false_alarm"
    /// The operator settled it on the phone: reassured the elder, talked them through it.
    case handledByPhone = "handled_by_phone"
    /// A responder went and dealt with it at the elder's home.
    case attendedByResponder = "attended_by_responder"
    /// The elder went to hospital (by 120, by family, by a responder).
    case takenToHospital = "taken_to_hospital"
    /// Nobody found the elder: not at home, not reachable. Handed to family or the police.
    case elderNotFound = "elder_not_found"
    /// The device raised it on its own (a fault, a flat battery); a technician follows up, not the operators.
    case deviceFault = "device_fault"

    /// Whether the call must get a follow-up call (回访) before it can be closed.
    ///
    /// Everything that touched the elder's wellbeing does: a phone call may have missed
    /// something, and a hospital stay or a missing elder always needs checking on. A false alarm
    /// was already confirmed with the elder, and a device fault is the technicians' business, so
    /// those may be closed straight after resolution.
    public var needsFollowUp: Bool {
        switch self {
        case .falseAlarm, .deviceFault: false
        case .handledByPhone, .attendedByResponder, .takenToHospital, .elderNotFound: true
        }
    }

    /// Short names for consoles and reports, Chinese first.
    public var label: (chinese: String, english: String) {
        switch self {
        case .falseAlarm: ("误报", "False alarm")
        case .handledByPhone: ("电话处置", "Handled by phone")
        case .attendedByResponder: ("上门处置", "Attended by a responder")
        case .takenToHospital: ("送医", "Taken to hospital")
        case .elderNotFound: ("未找到老人", "Elder not found")
        case .deviceFault: ("设备故障", "Device fault")
        }
    }
}
