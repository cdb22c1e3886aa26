import CareModel
import Foundation
import Testing

private let rules = TriageRules.default

@Suite("Triage")
struct TriageTests {
    @Test(arguments: [
        (AlarmCode.sos, Priority.p1), (.fall, .p1), (.smoke, .p1), (.gas, .p1),
        (.abnormalVitals, .p2), (.inactivity, .p2), (.doorOpenNight, .p2), (.geofenceExit, .p2), (.waterLeak, .p2),
        (.lowBattery, .p3), (.tamper, .p3), (.deviceOffline, .p3), (.serviceRequest, .p4),
    ])
    func basePriorities(code: AlarmCode, priority: Priority) {
        let result = rules.assess(code: code, vitals: nil, risk: .unknown)
        #expect(result.priority == priority)
        #expect(result.reason == "\(code.label.english) (\(priority))")
    }

    @Test func theExampleReasons() {
        #expect(rules.assess(code: .sos, vitals: nil, risk: .unknown).reason == "SOS button (P1)")
        let risk = RiskProfile(livingAlone: true, age: 86)
        #expect(
            rules.assess(code: .inactivity, vitals: nil, risk: risk)
                == TriageResult(priority: .p1, reason: "No movement for hours; raised from P2 to P1: lives alone, aged 86"))
    }

    @Test(arguments: [AlarmCode.deviceTest, .powerFailure])
    func codesThatOpenNoCallAreRecordedOnly(_ code: AlarmCode) {
        let result = rules.assess(code: code, vitals: nil, risk: RiskProfile(livingAlone: true))
        #expect(result.priority == .p4)
        #expect(result.reason.contains("opens no call"))
    }

    @Test(arguments: [
        (Vitals(heartRate: 40), Priority.p2), (Vitals(heartRate: 39), .p1),
        (Vitals(heartRate: 150), .p2), (Vitals(heartRate: 151), .p1),
        (Vitals(spo2: 85), .p2), (Vitals(spo2: 84), .p1),
        (Vitals(systolic: 200, diastolic: 100), .p2), (Vitals(systolic: 201, diastolic: 100), .p1),
        (Vitals(systolic: 80, diastolic: 50), .p2), (Vitals(systolic: 79, diastolic: 50), .p1),
        (Vitals(temperature: 40.0), .p2), (Vitals(temperature: 40.1), .p1),
        (Vitals(temperature: 35.0), .p2), (Vitals(temperature: 34.9), .p1),
        (Vitals(), .p2),
    ])
    func criticalVitalsAtTheirEdges(vitals: Vitals, priority: Priority) {
        #expect(rules.assess(code: .abnormalVitals, vitals: vitals, risk: .unknown).priority == priority)
    }

    @Test func criticalReadingsAreNamedAndOnlyCountForAbnormalVitals() {
        let vitals = Vitals(heartRate: 38, spo2: 82)
        #expect(
            rules.assess(code: .abnormalVitals, vitals: vitals, risk: .unknown).reason
                == "Abnormal vitals, critical: heart rate 38/min, SpO2 82% (P1)")
        #expect(rules.assess(code: .abnormalVitals, vitals: nil, risk: .unknown).priority == .p2)
        #expect(rules.assess(code: .inactivity, vitals: vitals, risk: .unknown).priority == .p2)
    }

    @Test(arguments: [
        (RiskProfile(livingAlone: true), "lives alone"),
        (RiskProfile(age: 80), "aged 80"),
        (RiskProfile(careLevel: .disabled), "disabled"),
        (RiskProfile(chronicConditions: ["高血压", "糖尿病"]), "chronic conditions (高血压, 糖尿病)"),
    ])
    func eachRiskFactorRaisesP2ToP1(risk: RiskProfile, phrase: String) {
        let result = rules.assess(code: .waterLeak, vitals: nil, risk: risk)
        #expect(result == TriageResult(priority: .p1, reason: "Water leak; raised from P2 to P1: \(phrase)"))
    }

    @Test(arguments: [
        RiskProfile(livingAlone: false, age: 79, careLevel: .semiDisabled, chronicConditions: ["", "  "]),
        RiskProfile(age: nil, careLevel: .selfCare),
        RiskProfile.unknown,
    ])
    func absentFactorsRaiseNothing(_ risk: RiskProfile) {
        #expect(
            rules.assess(code: .geofenceExit, vitals: nil, risk: risk) == TriageResult(priority: .p2, reason: "Left the safe area (P2)"))
    }

    @Test func severalFactorsRaiseOnlyOnce() {
        // With nothing exempt, P3 and P4 show the single step that P2 → P1 cannot.
        var open = rules
        open.neverRaise = []
        let frail = RiskProfile(livingAlone: true, age: 91, careLevel: .disabled, chronicConditions: ["冠心病"])
        #expect(open.assess(code: .lowBattery, vitals: nil, risk: frail).priority == .p2)
        #expect(
            open.assess(code: .serviceRequest, vitals: nil, risk: frail)
                == TriageResult(
                    priority: .p3, reason: "Service request; raised from P4 to P3: lives alone, aged 91, disabled, chronic conditions (冠心病)"
                ))
        #expect(rules.assess(code: .doorOpenNight, vitals: nil, risk: frail).priority == .p1)
    }

    @Test func theReasonListsFactorsInTheRulesOrder() {
        var reordered = rules
        reordered.riskFactors = [.chronicConditions, .livingAlone]
        let frail = RiskProfile(livingAlone: true, age: 91, chronicConditions: ["冠心病"])
        #expect(
            reordered.assess(code: .inactivity, vitals: nil, risk: frail).reason
                == "No movement for hours; raised from P2 to P1: chronic conditions (冠心病), lives alone")
    }

    @Test func p1StaysP1ButStillNamesTheFactors() {
        let result = rules.assess(code: .fall, vitals: nil, risk: RiskProfile(livingAlone: true, age: 86))
        #expect(result == TriageResult(priority: .p1, reason: "Fall detected (P1; lives alone, aged 86)"))
        let critical = rules.assess(code: .abnormalVitals, vitals: Vitals(spo2: 80), risk: RiskProfile(age: 92))
        #expect(critical == TriageResult(priority: .p1, reason: "Abnormal vitals, critical: SpO2 80% (P1; aged 92)"))
    }

    @Test(arguments: [AlarmCode.lowBattery, .tamper, .deviceOffline, .serviceRequest])
    func technicalAndServiceCodesAreNeverRaised(_ code: AlarmCode) {
        let frail = RiskProfile(livingAlone: true, age: 95, careLevel: .disabled, chronicConditions: ["心衰"])
        let result = rules.assess(code: code, vitals: nil, risk: frail)
        #expect(result.priority == rules.basePriority[code])
        #expect(!result.reason.contains("raised"))
    }

    @Test func riskRaisesByZeroTurnsRaisingOff() {
        var off = rules
        off.riskRaisesBy = 0
        #expect(off.assess(code: .inactivity, vitals: nil, risk: RiskProfile(livingAlone: true)).priority == .p2)
    }

    @Test func aCodeWithoutAConfiguredPriorityIsTreatedAsP1() {
        var gap = rules
        gap.basePriority[.gas] = nil
        let result = gap.assess(code: .gas, vitals: nil, risk: .unknown)
        #expect(result.priority == .p1)
        #expect(result.reason.contains("no base priority configured"))
    }

    @Test func aProfileComesFromTheRegistry() {
        let elder = Elder(
            id: 7, name: "李秀英", nationalId: "450902194011230026", birthDate: CalendarDate(year: 1940, month: 11, day: 24)!,
            sex: .female, phone: nil, address: "玉州区人民中路1号", location: nil, regionCode: "450902001000",
            livingSituation: .alone, careLevel: .semiDisabled, categories: [], consent: Consent(), status: .active,
            version: 1, createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
        let risk = RiskProfile(elder: elder, today: CalendarDate(year: 2026, month: 11, day: 23)!, chronicConditions: ["高血压"])
        #expect(risk == RiskProfile(livingAlone: true, age: 85, careLevel: .semiDisabled, chronicConditions: ["高血压"]))
        #expect(
            rules.assess(code: .inactivity, vitals: nil, risk: risk).reason
                == "No movement for hours; raised from P2 to P1: lives alone, aged 85, chronic conditions (高血压)")
    }
}
