public import CareModel
public import Foundation

/// A realistic, reproducible health archive for a synthetic elder: chronic conditions at the rates
/// seen among Chinese elders (rising with age), the drugs that go with them, a few allergies, and
/// a year of check-up and follow-up records, about 20 resources per elder.
///
/// ```swift
/// let resources = SyntheticArchive.resources(for: elder, patientId: "42", seed: 7, until: now)
/// // [Condition 高血压, MedicationStatement 氨氯地平, Encounter 健康体检, Observation 血压, …]
/// ```
///
/// Every resource validates with ``FHIRValidator``, references `Patient/{patientId}` and has no id
/// (the store gives them). The seed writes millions, so dates and numbers are written by hand.
public struct SyntheticArchive {
    /// The archive of `elder` up to `until` (the last year of records ends there). The same seed
    /// and elder (by identity number) always give the same resources.
    public static func resources(for elder: Elder, patientId: String, seed: UInt64, until: Date) -> [FHIRJSON] {
        var random = RandomSource(seed: seed ^ fnv1a(elder.nationalId), stream: 17)
        var builder = ArchiveBuilder(elder: elder, patientId: patientId, until: until)
        return builder.build(&random)
    }

    /// A stable 64-bit hash (FNV-1a): Swift's `Hasher` is seeded per process.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}

/// One elder's archive being drawn.
private struct ArchiveBuilder {
    let elder: Elder
    let patientId: String
    let until: Date
    let today: CalendarDate
    let age: Int
    var out: [FHIRJSON] = []

    init(elder: Elder, patientId: String, until: Date) {
        self.elder = elder
        self.patientId = patientId
        self.until = until
        self.today = CalendarDate(date: until)
        self.age = max(elder.age(on: today), 0)
        out.reserveCapacity(32)
    }

    /// Shares of elders with each condition by age band (60–69, 70–79, 80+), from Chinese surveys of
    /// older adults rounded: hypertension about half, type 2 diabetes a fifth, and so on.
    private func prevalence(_ rates: (Double, Double, Double)) -> Double {
        age < 70 ? rates.0 : age < 80 ? rates.1 : rates.2
    }

    mutating func build(_ random: inout RandomSource) -> [FHIRJSON] {
        let female = elder.sex == .female

        // Conditions, with the usual clustering: diabetes and heart disease go with hypertension.
        let hypertension = random.chance(prevalence((0.45, 0.55, 0.60)))
        let diabetes = random.chance(prevalence((0.18, 0.22, 0.20)) * (hypertension ? 1.3 : 0.7))
        let coronary = random.chance(prevalence((0.07, 0.11, 0.15)) * (hypertension ? 1.4 : 0.6))
        let stroke = random.chance(prevalence((0.03, 0.06, 0.08)) * (hypertension ? 1.4 : 0.6))
        let copd = random.chance(prevalence((0.06, 0.09, 0.12)) * (female ? 0.7 : 1.3))
        let alzheimers = random.chance(prevalence((0.01, 0.05, 0.15)))
        let lipids = random.chance(0.15)
        let osteoporosis = random.chance(prevalence(female ? (0.12, 0.20, 0.28) : (0.03, 0.05, 0.08)))

        var onsets: [ICD10Condition: String] = [:]
        func diagnose(_ c: ICD10Condition, _ yes: Bool, _ random: inout RandomSource) {
            guard yes else { return }
            let yearsAgo = 1 + random.below(max(1, min(20, age - 45)))
            let year = today.year - yearsAgo
            let month = 1 + random.below(12)
            let onset = Self.yearMonth(year, month)
            onsets[c] = onset
            // Recorded when the archive was opened or at a later visit: some months after onset, never after `until`.
            let onsetDay = CalendarDate(year: year, month: month, day: 1)!.daysSinceEpoch
            let recordedDay = min(onsetDay + 30 + random.below(700), today.daysSinceEpoch - 1)
            out.append(FHIRBuild.condition(c, patientId: patientId, onset: onset, recorded: at(day: recordedDay, &random)))
        }
        diagnose(.hypertension, hypertension, &random)
        diagnose(.type2Diabetes, diabetes, &random)
        diagnose(.coronaryHeartDisease, coronary, &random)
        diagnose(.strokeSequelae, stroke, &random)
        diagnose(.copd, copd, &random)
        diagnose(.alzheimers, alzheimers, &random)
        diagnose(.hyperlipidaemia, lipids, &random)
        diagnose(.osteoporosis, osteoporosis, &random)

        // Allergies: about 15%, drugs more often than food.
        var allergicToAspirin = false
        if random.chance(0.15) {
            let count = random.chance(0.1) ? 2 : 1
            var chosen: [Allergen] = []
            while chosen.count < count {
                let r = random.unit()
                let allergen: Allergen =
                    r < 0.40 ? .penicillin : r < 0.60 ? .sulfonamide : r < 0.80 ? .seafood : r < 0.90 ? .aspirin : .peanut
                if chosen.contains(allergen) { continue }
                chosen.append(allergen)
                if allergen == .aspirin { allergicToAspirin = true }
                let reaction = Self.reactions[random.below(Self.reactions.count)]
                let recordedDay = today.daysSinceEpoch - 60 - random.below(3000)
                out.append(
                    FHIRBuild.allergy(
                        allergen, patientId: patientId, recorded: at(day: recordedDay, &random),
                        criticality: random.chance(0.3) ? "high" : "low", reaction: reaction))
            }
        }

        // The year's visits: the annual check-up (most elders go) and, for hypertension or diabetes,
        // the quarterly follow-up. Drugs are asserted at the last visit.
        let lastDay = today.daysSinceEpoch
        let checkupDay: Int? = random.chance(0.9) ? lastDay - 1 - random.below(360) : nil
        let followUpDays: [Int] = (hypertension || diabetes) ? (0..<4).map { lastDay - 1 - $0 * 91 - random.below(20) } : []
        let assertedDay = max(checkupDay ?? lastDay - 1, followUpDays.first ?? lastDay - 1)
        let asserted = at(day: assertedDay, &random)

        var taking: [Drug] = []
        func prescribe(_ drug: Drug, for c: ICD10Condition, _ p: Double, _ random: inout RandomSource) {
            guard let onset = onsets[c], !taking.contains(drug), !(drug == .aspirin && allergicToAspirin), random.chance(p) else { return }
            taking.append(drug)
            out.append(FHIRBuild.medication(drug, patientId: patientId, since: onset, asserted: asserted, reason: c))
        }
        if hypertension {
            let r = random.unit()
            prescribe(r < 0.55 ? .amlodipine : r < 0.80 ? .nifedipine : .enalapril, for: .hypertension, 0.85, &random)
        }
        prescribe(.metformin, for: .type2Diabetes, 0.85, &random)
        prescribe(.aspirin, for: .coronaryHeartDisease, 0.8, &random)
        prescribe(.atorvastatin, for: .coronaryHeartDisease, 0.7, &random)
        prescribe(.aspirin, for: .strokeSequelae, 0.8, &random)
        prescribe(.atorvastatin, for: .strokeSequelae, 0.7, &random)
        prescribe(.atorvastatin, for: .hyperlipidaemia, 0.6, &random)
        prescribe(.tiotropium, for: .copd, 0.6, &random)
        prescribe(.donepezil, for: .alzheimers, 0.5, &random)

        // The elder's own levels, so that readings over the year agree with each other.
        let systolic = hypertension ? 142 + 12 * Self.normal(&random) : 124 + 10 * Self.normal(&random)
        let diastolic = min(hypertension ? 86 + 8 * Self.normal(&random) : 76 + 7 * Self.normal(&random), systolic - 25)
        let pulse = 74 + 8 * Self.normal(&random)
        let shrink = Double(max(age - 60, 0)) * 0.1
        let height = Self.round((female ? 154 : 165) + 6 * Self.normal(&random) - shrink, 0.5)
        let bmi = min(max(23.5 + 3 * Self.normal(&random), 16), 35)
        let weight = Self.round(bmi * height * height / 10_000, 0.1)
        let glucose = diabetes ? 7.8 + 1.5 * Self.normal(&random) : 5.3 + 0.5 * Self.normal(&random)

        if let checkupDay {
            let start = at(day: checkupDay, &random)
            out.append(FHIRBuild.encounter(.checkup, patientId: patientId, start: start, end: start.addingTimeInterval(3600)))
            let t = FHIRBuild.Readings(patientId: patientId, at: start.addingTimeInterval(600))
            bloodPressure(systolic, diastolic, t, &random)
            vital(.heartRate, Self.round(pulse + 4 * Self.normal(&random), 1), t)
            vital(.weight, weight, t)
            vital(.height, height, t)
            vital(.bmi, Self.round(weight / (height * height / 10_000), 0.1), t)
            vital(.glucose, Self.round(glucose + 0.4 * Self.normal(&random), 0.1), t)
            vital(.temperature, Self.round(36.6 + 0.2 * Self.normal(&random), 0.1), t)
            vital(.selfCareAssessment, Double(selfCareScore(&random)), t)
        }
        for day in followUpDays.reversed() {
            let start = at(day: day, &random)
            let kind: EncounterKind = elder.careLevel == .disabled || random.chance(0.2) ? .homeVisit : .followUp
            out.append(FHIRBuild.encounter(kind, patientId: patientId, start: start, end: start.addingTimeInterval(1200)))
            let t = FHIRBuild.Readings(patientId: patientId, at: start.addingTimeInterval(300))
            bloodPressure(systolic, diastolic, t, &random)
            vital(.weight, Self.round(weight + 0.8 * Self.normal(&random), 0.1), t)
            if hypertension { vital(.heartRate, Self.round(pulse + 4 * Self.normal(&random), 1), t) }
            if diabetes { vital(.glucose, Self.round(glucose + 0.8 * Self.normal(&random), 0.1), t) }
        }
        return out
    }

    private mutating func vital(_ sign: VitalSign, _ value: Double, _ at: FHIRBuild.Readings) {
        let clamped = min(max(value, sign.limits.lowerBound), sign.limits.upperBound)
        out.append(at.vital(sign, value: clamped))
    }

    private mutating func bloodPressure(_ systolic: Double, _ diastolic: Double, _ at: FHIRBuild.Readings, _ random: inout RandomSource) {
        let s = Self.round(min(max(systolic + 6 * Self.normal(&random), 80), 240), 1)
        let d = Self.round(min(max(diastolic + 4 * Self.normal(&random), 40), s - 20), 1)
        out.append(at.bloodPressure(systolic: s, diastolic: d))
    }

    /// 老年人生活自理能力评估 by care level: 可自理 mostly 0, 半失能 in the dependent bands, 失能 19 and above.
    private func selfCareScore(_ random: inout RandomSource) -> Int {
        switch elder.careLevel {
        case .selfCare: random.chance(0.7) ? 0 : random.int(in: 1...3)
        case .semiDisabled: random.int(in: 4...18)
        case .disabled: random.int(in: 19...37)
        }
    }

    /// A morning time on day `day` (days since 1970, China time): clinics see elders 08:00–11:30.
    private func at(day: Int, _ random: inout RandomSource) -> Date {
        let seconds = day * 86_400 - LocalTime.utcOffsetSeconds + 8 * 3600 + random.below(210) * 60
        return Date(timeIntervalSince1970: Double(seconds))
    }

    static let reactions = ["皮疹", "荨麻疹", "瘙痒", "呼吸困难", "恶心呕吐"]

    /// About standard normal (the sum of three uniforms, scaled): cheap and bounded at ±3.
    static func normal(_ random: inout RandomSource) -> Double {
        (random.unit() + random.unit() + random.unit() - 1.5) * 2
    }

    /// `value` to the nearest `step` (1, 0.5 or 0.1), divided last so that 65.3 is the double nearest 65.3 and prints so.
    static func round(_ value: Double, _ step: Double) -> Double {
        let inverse = (1 / step).rounded()
        return (value * inverse).rounded() / inverse
    }

    static func yearMonth(_ year: Int, _ month: Int) -> String {
        String(year) + (month < 10 ? "-0" : "-") + String(month)
    }
}
