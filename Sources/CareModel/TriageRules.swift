/// How alarms are prioritised, as data: `Config/triage.json`, decoded by
/// ``init(decodingJSON:)``, with ``default`` compiled in and equal to the shipped file.
///
/// ```json
/// { "basePriority": { "sos": "P1", "abnormal_vitals": "P2", "low_battery": "P3", … },
///   "criticalVitals": { "heartRateBelow": 40, "heartRateAbove": 150, … },
///   "riskRaisesBy": 1,
///   "riskFactors": ["living_alone", "age_80_plus", "disabled", "chronic_conditions"],
///   "neverRaise": ["P3", "P4"] }
/// ```
public struct TriageRules: Sendable, Hashable {
    /// The priority of every code that opens a call. `abnormal_vitals` is its non-critical
    /// priority; ``criticalVitals`` make it P1.
    public var basePriority: [AlarmCode: Priority]
    public var criticalVitals: CriticalVitals
    /// How many steps a present risk factor raises the priority (once, however many are present).
    /// 0 turns raising off.
    public var riskRaisesBy: Int
    /// The factors that count, in the order the reason names them.
    public var riskFactors: [RiskFactor]
    /// Priorities a risk factor never raises: technical problems (P3) and service requests (P4)
    /// are no more urgent for a frailer elder.
    public var neverRaise: Set<Priority>

    public init(
        basePriority: [AlarmCode: Priority], criticalVitals: CriticalVitals, riskRaisesBy: Int,
        riskFactors: [RiskFactor], neverRaise: Set<Priority>
    ) {
        self.basePriority = basePriority
        self.criticalVitals = criticalVitals
        self.riskRaisesBy = riskRaisesBy
        self.riskFactors = riskFactors
        self.neverRaise = neverRaise
    }

    /// The rules of Docs/device-protocol.md, identical to `Config/triage.json` (a test checks),
    /// so the platform triages correctly even when the file is absent.
    public static let `default` = TriageRules(
        basePriority: [
            .sos: .p1, .fall: .p1, .smoke: .p1, .gas: .p1,
            .abnormalVitals: .p2, .inactivity: .p2, .doorOpenNight: .p2, .geofenceExit: .p2, .waterLeak: .p2,
            .lowBattery: .p3, .tamper: .p3, .deviceOffline: .p3,
            .welfareCheck: .p2, .serviceRequest: .p4,
        ],
        criticalVitals: CriticalVitals(
            heartRateBelow: 40, heartRateAbove: 150, spo2Below: 85, systolicAbove: 200,
            systolicBelow: 80, temperatureAbove: 40.0, temperatureBelow: 35.0),
        riskRaisesBy: 1,
        riskFactors: [.livingAlone, .age80Plus, .disabled, .chronicConditions],
        neverRaise: [.p3, .p4])
}

/// Readings that make an `abnormal_vitals` alarm P1. Every bound is strict: a heart rate of
/// exactly 40 with `heartRateBelow: 40` is not critical, 39 is.
public struct CriticalVitals: Codable, Sendable, Hashable {
    public var heartRateBelow: Int
    public var heartRateAbove: Int
    public var spo2Below: Int
    public var systolicAbove: Int
    public var systolicBelow: Int
    public var temperatureAbove: Double
    public var temperatureBelow: Double

    public init(
        heartRateBelow: Int, heartRateAbove: Int, spo2Below: Int, systolicAbove: Int, systolicBelow: Int,
        temperatureAbove: Double, temperatureBelow: Double
    ) {
        self.heartRateBelow = heartRateBelow; self.heartRateAbove = heartRateAbove; self.spo2Below = spo2Below
        self.systolicAbove = systolicAbove; self.systolicBelow = systolicBelow
        self.temperatureAbove = temperatureAbove; self.temperatureBelow = temperatureBelow
    }

    /// The critical readings in `vitals`, in words for the reason; empty when none is critical.
    ///
    /// ```swift
    /// TriageRules.default.criticalVitals.findings(in: Vitals(heartRate: 38, spo2: 96))
    /// // ["heart rate 38/min"]
    /// ```
    public func findings(in vitals: Vitals) -> [String] {
        var found: [String] = []
        if let hr = vitals.heartRate, hr < heartRateBelow || hr > heartRateAbove { found.append("heart rate \(hr)/min") }
        if let spo2 = vitals.spo2, spo2 < spo2Below { found.append("SpO2 \(spo2)%") }
        if let s = vitals.systolic, s > systolicAbove || s < systolicBelow { found.append("systolic \(s) mmHg") }
        if let t = vitals.temperature, t > temperatureAbove || t < temperatureBelow { found.append("temperature \(t) °C") }
        return found
    }
}
