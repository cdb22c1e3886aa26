import Foundation

/// What an operator needs to know about an alarm's urgency: the priority and why.
///
/// ```swift
/// TriageResult(priority: .p1, reason: "No movement for hours; raised from P2 to P1: lives alone, aged 86")
/// ```
public struct TriageResult: Sendable, Hashable {
    public var priority: Priority
    /// One English sentence for the console and the call record: the code, any critical
    /// vitals, and the risk factors that raised it.
    public var reason: String

    public init(priority: Priority, reason: String) {
        self.priority = priority
        self.reason = reason
    }
}

/// The facts about an elder that make the same alarm more urgent (Docs/device-protocol.md:
/// "living alone, aged 80 or over, disabled care level, or chronic conditions").
/// ``TriageRules/riskFactors`` chooses which of them count and the order the reason lists them.
public enum RiskFactor: String, Codable, Sendable, CaseIterable {
    /// No one at home to help or to notice.
    case livingAlone = "living_alone"
    /// A fall or an hour on the floor harms the very old far more.
    case age80Plus = "age_80_plus"
    /// Care level `disabled` (失能): cannot get up or call back unaided.
    case disabled
    /// Any chronic condition in the health archive.
    case chronicConditions = "chronic_conditions"
}

/// The elder-specific input to triage, taken from the registry and the health archive at the
/// moment the alarm arrives. Unknown facts are nil or empty and never raise a priority.
///
/// ```swift
/// let risk = RiskProfile(elder: elder, today: CalendarDate(date: now), chronicConditions: ["高血压"])
/// ```
public struct RiskProfile: Sendable, Hashable {
    public var livingAlone: Bool
    /// Whole years; nil when unknown.
    public var age: Int?
    public var careLevel: CareLevel?
    /// Names as the health archive holds them ("高血压", "糖尿病"); blank entries are ignored.
    public var chronicConditions: [String]

    public init(livingAlone: Bool = false, age: Int? = nil, careLevel: CareLevel? = nil, chronicConditions: [String] = []) {
        self.livingAlone = livingAlone
        self.age = age
        self.careLevel = careLevel
        self.chronicConditions = chronicConditions
    }

    /// The profile of a registered elder; `today` is the China calendar day the alarm arrived.
    public init(elder: Elder, today: CalendarDate, chronicConditions: [String]) {
        self.init(
            livingAlone: elder.livingSituation == .alone, age: elder.age(on: today),
            careLevel: elder.careLevel, chronicConditions: chronicConditions)
    }

    /// An elder nothing is known about: no factor is present.
    public static let unknown = RiskProfile()

    /// The words for `factor` in a triage reason, or nil when the factor is absent.
    ///
    /// ```swift
    /// RiskProfile(age: 86).phrase(for: .age80Plus)  // "aged 86"
    /// ```
    public func phrase(for factor: RiskFactor) -> String? {
        switch factor {
        case .livingAlone:
            return livingAlone ? "lives alone" : nil
        case .age80Plus:
            guard let age, age >= 80 else { return nil }
            return "aged \(age)"
        case .disabled:
            return careLevel == .disabled ? "disabled" : nil
        case .chronicConditions:
            let names = chronicConditions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            return names.isEmpty ? nil : "chronic conditions (\(names.joined(separator: ", ")))"
        }
    }
}

extension TriageRules {
    /// The priority of an alarm with `code` from an elder with `risk`, and the reason in words.
    ///
    /// 1. The code's base priority; `abnormal_vitals` with any critical reading is P1.
    /// 2. If any configured risk factor is present, the priority rises by ``riskRaisesBy``
    ///    steps, once however many factors there are, never above P1, and never from a
    ///    priority in ``neverRaise`` (technical P3, service P4).
    ///
    /// ```swift
    /// TriageRules.default.assess(code: .sos, vitals: nil, risk: .unknown).reason
    /// // "SOS button (P1)"
    /// TriageRules.default.assess(code: .inactivity, vitals: nil,
    ///                            risk: RiskProfile(livingAlone: true, age: 86)).reason
    /// // "No movement for hours; raised from P2 to P1: lives alone, aged 86"
    /// ```
    ///
    /// Codes that open no call (`device_test`, `power_failure`) get P4 with a reason saying
    /// they are recorded only. A call-opening code missing from ``basePriority`` (possible only
    /// for rules built in code; decoded rules must rate every such code) is treated as P1, so a
    /// gap in configuration never hides an emergency.
    public func assess(code: AlarmCode, vitals: Vitals?, risk: RiskProfile) -> TriageResult {
        var what = code.label.english
        guard code.opensCall else { return TriageResult(priority: .p4, reason: "\(what): recorded only, opens no call") }
        var priority: Priority
        if let base = basePriority[code] {
            priority = base
        } else {
            priority = .p1
            what += " (no base priority configured)"
        }
        if code == .abnormalVitals, let vitals {
            let findings = criticalVitals.findings(in: vitals)
            if !findings.isEmpty {
                priority = .p1
                what += ", critical: " + findings.joined(separator: ", ")
            }
        }
        let factors = riskFactors.compactMap(risk.phrase(for:))
        if factors.isEmpty || riskRaisesBy <= 0 || neverRaise.contains(priority) {
            return TriageResult(priority: priority, reason: "\(what) (\(priority))")
        }
        let raised = priority.raised(by: riskRaisesBy)
        if raised == priority {
            // Already P1: the factors change nothing, but the operator still wants to know them.
            return TriageResult(priority: priority, reason: "\(what) (\(priority); \(factors.joined(separator: ", ")))")
        }
        return TriageResult(
            priority: raised,
            reason: "\(what); raised from \(priority) to \(raised): \(factors.joined(separator: ", "))")
    }
}
