/// The code systems and naming systems the archive writes and checks, in one place so that the
/// builders, the validator and the searches agree on every URI.
public enum FHIRSystem {
    public static let loinc = "http://loinc.org"
    public static let ucum = "http://unitsofmeasure.org"
    public static let icd10 = "http://hl7.org/fhir/sid/icd-10"
    public static let snomed = "http://snomed.info/sct"
    /// WHO ATC, for the drugs in MedicationStatement.
    public static let atc = "http://www.whocc.no/atc"
    /// The resident identity card number, as HL7 China's CN-CORE names it.
    public static let nationalID = "http://NamingSystem.hl7fhir.cn/identityDocument"
    /// 健康档案编号: the archive number a community health centre gives each resident.
    public static let archiveNumber = "https://eldercare-platform.org/fhir/NamingSystem/health-archive-number"
    /// Our devices, by their registry id, for Observation.device.
    public static let device = "https://eldercare-platform.org/fhir/NamingSystem/device"
    /// A device event: `<device id>/<event ref>`, on the Observations its vitals became.
    public static let deviceEvent = "https://eldercare-platform.org/fhir/NamingSystem/device-event"
    /// The prefix of our own code systems.
    public static let ours = "https://eldercare-platform.org/fhir/CodeSystem"
    /// Encounter kinds: annual check-up, chronic-disease follow-up, home visit, consultation.
    public static let encounterKind = ours + "/encounter-kind"
    /// Assessments with no LOINC code: 老年人生活自理能力评估.
    public static let assessment = ours + "/assessment"
    /// The self-care score's bands, for Observation.interpretation.
    public static let selfCareBand = ours + "/self-care-band"
    /// Tags in meta.tag: `device-measured`.
    public static let tag = ours + "/tag"
    /// Archive document kinds for DocumentReference.type (`WS365-2011`).
    public static let documentType = ours + "/document-type"

    public static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    public static let conditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    public static let conditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
    public static let conditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
    public static let allergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
    public static let allergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
    public static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
}

/// The measurements the archive keeps, with the LOINC code, UCUM unit and the physical limits a
/// living person can show (not what is healthy: a value outside them is a typing or device error).
public enum VitalSign: String, CaseIterable, Sendable {
    case bloodPressure, systolic, diastolic, heartRate, spo2, glucose, weight, height, bmi, temperature, selfCareAssessment

    /// The LOINC code; for the self-care assessment, its code in ``FHIRSystem/assessment``.
    public var loinc: String {
        switch self {
        case .bloodPressure: "85354-9"
        case .systolic: "8480-6"
        case .diastolic: "8462-4"
        case .heartRate: "8867-4"
        case .spo2: "59408-5"
        case .glucose: "15074-8"
        case .weight: "29463-7"
        case .height: "8302-2"
        case .bmi: "39156-5"
        case .temperature: "8310-5"
        case .selfCareAssessment: "self-care"
        }
    }

    /// The system ``loinc`` belongs to.
    public var system: String { self == .selfCareAssessment ? FHIRSystem.assessment : FHIRSystem.loinc }

    /// The code system's own display (English for LOINC), for Coding.display.
    public var codeDisplay: String {
        switch self {
        case .bloodPressure: "Blood pressure panel with all children optional"
        case .systolic: "Systolic blood pressure"
        case .diastolic: "Diastolic blood pressure"
        case .heartRate: "Heart rate"
        case .spo2: "Oxygen saturation in Arterial blood by Pulse oximetry"
        case .glucose: "Glucose [Moles/volume] in Blood"
        case .weight: "Body weight"
        case .height: "Body height"
        case .bmi: "Body mass index (BMI) [Ratio]"
        case .temperature: "Body temperature"
        case .selfCareAssessment: "老年人生活自理能力评估"
        }
    }

    /// The Chinese name operators read, for CodeableConcept.text and summaries.
    public var display: String {
        switch self {
        case .bloodPressure: "血压"
        case .systolic: "收缩压"
        case .diastolic: "舒张压"
        case .heartRate: "心率"
        case .spo2: "血氧饱和度"
        case .glucose: "血糖"
        case .weight: "体重"
        case .height: "身高"
        case .bmi: "体质指数"
        case .temperature: "体温"
        case .selfCareAssessment: "生活自理能力评估"
        }
    }

    /// English words for refusal sentences ("900 is not a possible heart rate").
    public var englishName: String {
        switch self {
        case .bloodPressure: "blood pressure"
        case .systolic: "systolic blood pressure"
        case .diastolic: "diastolic blood pressure"
        case .heartRate: "heart rate"
        case .spo2: "oxygen saturation"
        case .glucose: "blood glucose"
        case .weight: "body weight"
        case .height: "body height"
        case .bmi: "body mass index"
        case .temperature: "body temperature"
        case .selfCareAssessment: "self-care assessment score"
        }
    }

    /// The UCUM code of the unit (Quantity.code); the panel's is its components'.
    public var unit: String {
        switch self {
        case .bloodPressure, .systolic, .diastolic: "mm[Hg]"
        case .heartRate: "/min"
        case .spo2: "%"
        case .glucose: "mmol/L"
        case .weight: "kg"
        case .height: "cm"
        case .bmi: "kg/m2"
        case .temperature: "Cel"
        case .selfCareAssessment: "{score}"
        }
    }

    /// The unit as people write it (Quantity.unit and summaries).
    public var displayUnit: String {
        switch self {
        case .bloodPressure, .systolic, .diastolic: "mmHg"
        case .temperature: "°C"
        case .selfCareAssessment: "分"
        default: unit
        }
    }

    /// What a living person can show; the self-care score runs from 0 to the sum of the five items' top levels.
    public var limits: ClosedRange<Double> {
        switch self {
        case .bloodPressure, .systolic: 50...260
        case .diastolic: 30...160
        case .heartRate: 20...250
        case .spo2: 50...100
        case .glucose: 1...35
        case .weight: 20...250
        case .height: 100...230
        case .bmi: 10...60
        case .temperature: 30...45
        case .selfCareAssessment: 0...37
        }
    }

    /// The Observation.category code: vital signs, laboratory (glucose) or survey (the assessment).
    public var category: String {
        switch self {
        case .glucose: "laboratory"
        case .selfCareAssessment: "survey"
        default: "vital-signs"
        }
    }

    /// Other LOINC codes clients use for the same measurement in the same unit: HL7's vital-signs profile codes
    /// oxygen saturation 2708-6, older systems code the panel 55284-4, and laboratories send glucose in serum or plasma.
    public var loincAliases: [String] {
        switch self {
        case .bloodPressure: ["55284-4"]
        case .spo2: ["2708-6"]
        case .glucose: ["14749-6", "14771-0"]
        case .temperature: ["8331-1"]
        case .weight: ["3141-9"]
        default: []
        }
    }

    /// The sign a coding names (by its code or an alias), if it is one we keep.
    public init?(system: String, code: String) {
        guard
            let sign = VitalSign.allCases.first(where: { $0.system == system && ($0.loinc == code || $0.loincAliases.contains(code)) })
        else { return nil }
        self = sign
    }

    /// `limits` as a refusal sentence writes them: "20–250 /min".
    var limitsText: String {
        JSONText.number(limits.lowerBound) + "–" + JSONText.number(limits.upperBound) + " " + displayUnit
    }
}

/// The bands of 老年人生活自理能力评估 (five items: eating, grooming, dressing, toileting, moving about).
public enum SelfCareBand: String, CaseIterable, Sendable {
    /// 0–3: 可自理.
    case independent
    /// 4–8: 轻度依赖.
    case mildlyDependent = "mild-dependence"
    /// 9–18: 中度依赖.
    case moderatelyDependent = "moderate-dependence"
    /// 19 and above: 不能自理.
    case dependent

    public init(score: Int) {
        switch score {
        case ..<4: self = .independent
        case 4...8: self = .mildlyDependent
        case 9...18: self = .moderatelyDependent
        default: self = .dependent
        }
    }

    public var display: String {
        switch self {
        case .independent: "可自理"
        case .mildlyDependent: "轻度依赖"
        case .moderatelyDependent: "中度依赖"
        case .dependent: "不能自理"
        }
    }
}

/// An ICD-10 diagnosis the archive knows by name. Codes outside the table are accepted when they
/// look like ICD-10; the table gives the Chinese display and says which conditions count as
/// chronic for triage.
public struct ICD10Condition: Sendable, Hashable {
    /// The three-character category (`I10`) or a subcategory (`E11.9`).
    public var code: String
    /// The Chinese name (高血压).
    public var display: String
    /// Long-lasting and raising the urgency of an alarm (triage's "chronic conditions" factor).
    public var isChronic: Bool

    public init(code: String, display: String, isChronic: Bool) {
        self.code = code
        self.display = display
        self.isChronic = isChronic
    }

    public static let hypertension = ICD10Condition(code: "I10", display: "高血压", isChronic: true)
    public static let type2Diabetes = ICD10Condition(code: "E11", display: "2型糖尿病", isChronic: true)
    public static let coronaryHeartDisease = ICD10Condition(code: "I25", display: "冠心病", isChronic: true)
    public static let strokeSequelae = ICD10Condition(code: "I69", display: "脑卒中后遗症", isChronic: true)
    public static let copd = ICD10Condition(code: "J44", display: "慢性阻塞性肺疾病", isChronic: true)
    public static let alzheimers = ICD10Condition(code: "G30", display: "阿尔茨海默病", isChronic: true)
    public static let hyperlipidaemia = ICD10Condition(code: "E78", display: "高脂血症", isChronic: true)
    public static let osteoporosis = ICD10Condition(code: "M81", display: "骨质疏松", isChronic: true)

    /// The conditions the archive names; acute ones are listed so their display is known but they
    /// are not chronic.
    public static let table: [ICD10Condition] = [
        hypertension, type2Diabetes, coronaryHeartDisease, strokeSequelae, copd, alzheimers, hyperlipidaemia, osteoporosis,
        ICD10Condition(code: "N18", display: "慢性肾脏病", isChronic: true),
        ICD10Condition(code: "H25", display: "老年性白内障", isChronic: false),
        ICD10Condition(code: "M17", display: "膝关节病", isChronic: true),
        ICD10Condition(code: "F32", display: "抑郁发作", isChronic: false),
        ICD10Condition(code: "F33", display: "复发性抑郁障碍", isChronic: true),
        ICD10Condition(code: "I48", display: "心房颤动", isChronic: true),
        ICD10Condition(code: "I50", display: "心力衰竭", isChronic: true),
        ICD10Condition(code: "E10", display: "1型糖尿病", isChronic: true),
        ICD10Condition(code: "I11", display: "高血压性心脏病", isChronic: true),
        ICD10Condition(code: "I12", display: "高血压性肾脏病", isChronic: true),
        ICD10Condition(code: "G20", display: "帕金森病", isChronic: true),
        ICD10Condition(code: "F03", display: "痴呆", isChronic: true),
        ICD10Condition(code: "J45", display: "哮喘", isChronic: true),
        ICD10Condition(code: "K74", display: "肝硬化", isChronic: true),
        ICD10Condition(code: "M10", display: "痛风", isChronic: true),
        ICD10Condition(code: "E03", display: "甲状腺功能减退症", isChronic: true),
        ICD10Condition(code: "G40", display: "癫痫", isChronic: true),
        ICD10Condition(code: "C34", display: "肺恶性肿瘤", isChronic: true),
        ICD10Condition(code: "I63", display: "脑梗死", isChronic: false),
        ICD10Condition(code: "I21", display: "急性心肌梗死", isChronic: false),
        ICD10Condition(code: "J18", display: "肺炎", isChronic: false),
        ICD10Condition(code: "J06", display: "急性上呼吸道感染", isChronic: false),
        ICD10Condition(code: "S72", display: "股骨骨折", isChronic: false),
    ]

    private static let byCode: [String: ICD10Condition] = Dictionary(uniqueKeysWithValues: table.map { ($0.code, $0) })

    /// The table's entry for `code` or for its three-character category (`E11.9` → 2型糖尿病).
    public static func named(_ code: String) -> ICD10Condition? {
        if let exact = byCode[code] { return exact }
        guard code.utf8.count > 3 else { return nil }
        return byCode[String(code.prefix(3))]
    }

    /// Whether `code` has the shape of an ICD-10 code: a letter, two digits, optionally a point and
    /// up to four digits (China's clinical edition writes `x` in some places, so `x` is allowed there).
    public static func looksValid(_ code: String) -> Bool {
        let b = Array(code.utf8)
        guard b.count >= 3, b[0] >= 0x41, b[0] <= 0x5A, isDigit(b[1]), isDigit(b[2]) else { return false }
        if b.count == 3 { return true }
        guard b[3] == UInt8(ascii: "."), (5...8).contains(b.count) else { return false }
        return b[4...].allSatisfy { isDigit($0) || $0 == UInt8(ascii: "x") }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// The kinds of Encounter the archive records, coded in ``FHIRSystem/encounterKind``, with the
/// v3 ActCode class each happens in.
public enum EncounterKind: String, CaseIterable, Sendable {
    /// 健康体检: the yearly check-up of elders 65 and over.
    case checkup
    /// 随访: a chronic-disease follow-up (hypertension, type 2 diabetes).
    case followUp = "follow-up"
    /// 上门访视: a clinician's visit at home.
    case homeVisit = "home-visit"
    /// 健康咨询: a question from the elder or family, answered by a clinician.
    case consultation

    public var display: String {
        switch self {
        case .checkup: "健康体检"
        case .followUp: "随访"
        case .homeVisit: "上门访视"
        case .consultation: "健康咨询"
        }
    }

    /// Encounter.class: ambulatory, home health, or virtual (by phone or the app).
    public var actCode: (code: String, display: String) {
        switch self {
        case .checkup, .followUp: ("AMB", "ambulatory")
        case .homeVisit: ("HH", "home health")
        case .consultation: ("VR", "virtual")
        }
    }
}

/// A substance elders are commonly allergic to, with its SNOMED CT substance code.
public struct Allergen: Sendable, Hashable {
    public var snomed: String
    /// Chinese name, without 过敏 (青霉素).
    public var display: String
    /// AllergyIntolerance.category: `medication`, `food` or `environment`.
    public var category: String

    public init(snomed: String, display: String, category: String) {
        self.snomed = snomed
        self.display = display
        self.category = category
    }

    public static let penicillin = Allergen(snomed: "764146007", display: "青霉素", category: "medication")
    public static let sulfonamide = Allergen(snomed: "387406002", display: "磺胺类药物", category: "medication")
    public static let aspirin = Allergen(snomed: "387458008", display: "阿司匹林", category: "medication")
    public static let seafood = Allergen(snomed: "44027008", display: "海鲜", category: "food")
    public static let peanut = Allergen(snomed: "762952008", display: "花生", category: "food")
}

/// A drug elders with chronic conditions commonly take, with its WHO ATC code and usual dose.
public struct Drug: Sendable, Hashable {
    public var atc: String
    /// Chinese generic name (氨氯地平).
    public var display: String
    public var dose: Double
    /// UCUM unit of `dose` (`mg`, `ug`).
    public var doseUnit: String
    public var timesPerDay: Int

    public init(atc: String, display: String, dose: Double, doseUnit: String, timesPerDay: Int) {
        self.atc = atc
        self.display = display
        self.dose = dose
        self.doseUnit = doseUnit
        self.timesPerDay = timesPerDay
    }

    public static let amlodipine = Drug(atc: "C08CA01", display: "氨氯地平", dose: 5, doseUnit: "mg", timesPerDay: 1)
    public static let nifedipine = Drug(atc: "C08CA05", display: "硝苯地平控释片", dose: 30, doseUnit: "mg", timesPerDay: 1)
    public static let enalapril = Drug(atc: "C09AA02", display: "依那普利", dose: 10, doseUnit: "mg", timesPerDay: 1)
    public static let metformin = Drug(atc: "A10BA02", display: "二甲双胍", dose: 500, doseUnit: "mg", timesPerDay: 3)
    public static let aspirin = Drug(atc: "B01AC06", display: "阿司匹林肠溶片", dose: 100, doseUnit: "mg", timesPerDay: 1)
    public static let atorvastatin = Drug(atc: "C10AA05", display: "阿托伐他汀", dose: 20, doseUnit: "mg", timesPerDay: 1)
    public static let tiotropium = Drug(atc: "R03BB04", display: "噻托溴铵吸入剂", dose: 18, doseUnit: "ug", timesPerDay: 1)
    public static let donepezil = Drug(atc: "N06DA02", display: "多奈哌齐", dose: 5, doseUnit: "mg", timesPerDay: 1)
}
