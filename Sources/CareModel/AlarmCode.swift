/// What an alarm or info event is about: the `code` field of a device event
/// (Docs/device-protocol.md, "Codes").
///
/// The raw values are the wire spelling, so `AlarmCode(rawValue: "door_open_night")` is
/// ``doorOpenNight``. Base priorities are not here but in ``TriageRules``, because they are
/// configuration (`Config/triage.json`), not a property of the code.
///
/// ```swift
/// AlarmCode.fall.opensCall          // true
/// AlarmCode.deviceTest.opensCall    // false: a test press is recorded only
/// AlarmCode.sos.label.chinese       // "一键呼救"
/// ```
public enum AlarmCode: String, Codable, Sendable, CaseIterable {
    /// Red key: manual emergency.
    case sos
    case fall
    case smoke
    case gas
    /// Vitals outside the device's thresholds; P1 only when ``TriageRules/criticalVitals`` says so.
    case abnormalVitals = "abnormal_vitals"
    /// No movement for hours.
    case inactivity
    case doorOpenNight = "door_open_night"
    /// Left the safe area.
    case geofenceExit = "geofence_exit"
    case waterLeak = "water_leak"
    case lowBattery = "low_battery"
    /// Device opened or removed.
    case tamper
    /// Raised by the platform's supervision when heartbeats stop; never sent by devices.
    case deviceOffline = "device_offline"
    /// Raised by the platform when a home service finds cause for concern (a meal delivery nobody
    /// opened the door for); never sent by devices.
    case welfareCheck = "welfare_check"
    /// A test press: recorded, opens no call.
    case deviceTest = "device_test"
    /// Green key: the elder asks for a home service; becomes a service request, not an emergency.
    case serviceRequest = "service_request"
    /// Mains power lost, reported by a device now running on its battery (SCAIP stc 0085,
    /// Contact ID 1-301). Recorded as info: the device still works, so no one needs to be sent.
    case powerFailure = "power_failure"

    /// Whether an `alarm` event with this code opens (or joins) a call.
    ///
    /// Tests and power failures are only recorded: counting them as calls would put
    /// non-emergencies in the operators' queue. A code added later for info only belongs here too.
    public var opensCall: Bool {
        switch self {
        case .deviceTest, .powerFailure: false
        default: true
        }
    }

    /// About the device rather than the elder. Their calls go to technicians, and the elder's
    /// risk never raises them, since a flat battery is no more urgent for an older elder.
    public var isTechnical: Bool {
        switch self {
        case .lowBattery, .tamper, .deviceOffline, .powerFailure: true
        default: false
        }
    }

    /// The green key: the call becomes a service request (a booking), not an emergency response.
    public var isServiceRequest: Bool { self == .serviceRequest }

    /// False for codes only the platform raises; intake refuses them from a device, so a device
    /// cannot fake the supervision's verdict.
    public var sentByDevices: Bool { self != .deviceOffline && self != .welfareCheck }

    /// Short names for consoles and notifications, Chinese first.
    ///
    /// ```swift
    /// AlarmCode.sos.label  // (chinese: "一键呼救", english: "SOS button")
    /// ```
    public var label: (chinese: String, english: String) {
        switch self {
        case .sos: ("一键呼救", "SOS button")
        case .fall: ("跌倒报警", "Fall detected")
        case .smoke: ("烟雾报警", "Smoke alarm")
        case .gas: ("燃气泄漏", "Gas leak")
        case .abnormalVitals: ("生命体征异常", "Abnormal vitals")
        case .inactivity: ("长时间无活动", "No movement for hours")
        case .doorOpenNight: ("夜间开门", "Door opened at night")
        case .geofenceExit: ("离开安全区域", "Left the safe area")
        case .waterLeak: ("漏水报警", "Water leak")
        case .lowBattery: ("电量低", "Low battery")
        case .tamper: ("设备被拆", "Device tampered with")
        case .deviceOffline: ("设备离线", "Device offline")
        case .welfareCheck: ("上门关怀", "Welfare check")
        case .deviceTest: ("测试按键", "Test press")
        case .serviceRequest: ("服务请求", "Service request")
        case .powerFailure: ("外部电源断开", "Mains power lost")
        }
    }
}
