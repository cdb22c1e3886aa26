import Foundation

/// Our rules on top of R4, and the facts the store indexes. The rules read the resource through
/// optional accessors, so a structurally broken element yields its structural issue only, never a
/// second confusing one.
struct FHIRFacts {
    let type: FHIRResourceType
    let object: FHIRObject
    var patientId: String?
    var codes: [String] = []
    var effective: Date?
    var identifiers: [FHIRIdentifier] = []
    var summary: String?
    var isChronicCondition = false

    init(type: FHIRResourceType, object: FHIRObject) {
        self.type = type
        self.object = object
    }

    /// One coding's parts, any of them possibly absent.
    struct Coding {
        var system: String?
        var code: String?
        var display: String?
        var key: String? {
            guard let system, let code else { return nil }
            return system + "|" + code
        }
    }

    static func codings(_ concept: FHIRJSON?) -> [Coding] {
        guard let items = concept?["coding"]?.array else { return [] }
        return items.map { Coding(system: $0["system"]?.string, code: $0["code"]?.string, display: $0["display"]?.string) }
    }

    /// The words people read for a concept: its text, else the first coding's display, else its code.
    static func words(_ concept: FHIRJSON?) -> String? {
        if let text = concept?["text"]?.string { return text }
        let all = codings(concept)
        return all.lazy.compactMap(\.display).first ?? all.lazy.compactMap(\.code).first
    }

    /// The id in a `Patient/{id}` reference.
    static func patientId(fromReference reference: String) -> String? {
        guard reference.hasPrefix("Patient/") else { return nil }
        let id = String(reference.dropFirst(8))
        return FHIRFormat.isID(id) ? id : nil
    }

    static func date(_ value: FHIRJSON?) -> Date? { value?.string.flatMap(FHIRDate.parse) }

    mutating func apply(_ w: inout FHIRWalker) {
        let root = type.rawValue
        if let element = type.patientElement {
            checkPatientReference(element, &w)
        }
        switch type {
        case .patient: patient(&w)
        case .observation: observation(&w, root)
        case .condition: condition(&w)
        case .allergyIntolerance: allergy(&w)
        case .medicationStatement: medication()
        case .encounter: encounter()
        case .documentReference: document(&w)
        }
    }

    private mutating func checkPatientReference(_ element: String, _ w: inout FHIRWalker) {
        let path = type.rawValue + "." + element
        guard let value = object[element] else {
            // Where R4 itself requires the element the walker has said so already.
            if !FHIRSchema.types[type.rawValue]!.required.contains(element) {
                w.add("required", path, "Every record in the archive belongs to a patient: \(element) must reference Patient/{id}")
            }
            return
        }
        guard case .object(let reference) = value else { return }
        guard let text = reference["reference"]?.string, let id = Self.patientId(fromReference: text) else {
            let found = reference["reference"]?.string.map { ", found \(JSONText.quoted($0))" } ?? ""
            w.add("value", path + ".reference", "Must reference the patient as Patient/{id}\(found)")
            return
        }
        patientId = id
    }

    // MARK: Patient

    private mutating func patient(_ w: inout FHIRWalker) {
        for item in object["identifier"]?.array ?? [] {
            if let system = item["system"]?.string, let value = item["value"]?.string {
                identifiers.append(FHIRIdentifier(system: system, value: value))
            }
        }
        if !identifiers.contains(where: { $0.system == FHIRSystem.nationalID || $0.system == FHIRSystem.archiveNumber }) {
            w.add(
                "required", "Patient.identifier",
                "A patient needs an identifier with the national ID system (\(FHIRSystem.nationalID))"
                    + " or the archive number system (\(FHIRSystem.archiveNumber))")
        }
        let name = object["name"]?.array?.first
        summary =
            name?["text"]?.string ?? name.map { ($0["family"]?.string ?? "") + ($0["given"]?.array?.compactMap(\.string).joined() ?? "") }
        if summary?.isEmpty == true { summary = nil }
    }

    // MARK: Observation

    private mutating func observation(_ w: inout FHIRWalker, _ root: String) {
        effective =
            Self.date(object["effectiveDateTime"]) ?? Self.date(object["effectivePeriod"]?["start"])
            ?? Self.date(object["effectiveInstant"])
        guard let code = object["code"], code.object != nil else { return }
        let all = Self.codings(code)
        codes = all.compactMap(\.key)
        let sign = all.lazy.compactMap { c in c.system.flatMap { s in c.code.flatMap { VitalSign(system: s, code: $0) } } }.first
        guard let sign else {
            if let loinc = all.first(where: { $0.system == FHIRSystem.loinc })?.code {
                let kept = VitalSign.allCases.map(\.englishName).joined(separator: ", ")
                w.add("not-supported", "Observation.code", "LOINC \(loinc) is not a measurement the archive keeps (\(kept))")
            } else {
                w.add(
                    "code-invalid", "Observation.code",
                    "Needs a LOINC coding (\(FHIRSystem.loinc)) or the self-care assessment code (\(FHIRSystem.assessment))")
            }
            return
        }
        // Searches use our codes: a reading coded with an alias is found under the main code too.
        let main = sign.system + "|" + sign.loinc
        if !codes.contains(main) { codes.append(main) }
        var values: [VitalSign: Double] = [:]
        switch sign {
        case .bloodPressure:
            // A search for systolic pressures finds the panels too.
            for item in object["component"]?.array ?? [] {
                for key in Self.codings(item["code"]).compactMap(\.key) where !codes.contains(key) { codes.append(key) }
            }
            checkPanel(&w, &values)
            if let s = values[.systolic], let d = values[.diastolic] {
                summary = "血压 " + JSONText.number(s) + "/" + JSONText.number(d) + " mmHg"
            }
        case .selfCareAssessment:
            checkSelfCare(&w)
        default:
            if let value = checkQuantity(sign, object, path: root, &w) {
                summary = sign.display + " " + JSONText.number(value) + " " + sign.displayUnit
            }
        }
        if sign != .bloodPressure {
            checkComponents(&w, &values)
        }
    }

    /// The value of a vital in `container` (the Observation or one component), checked for unit and limits.
    @discardableResult
    private func checkQuantity(_ sign: VitalSign, _ container: FHIRObject, path: String, _ w: inout FHIRWalker) -> Double? {
        guard let quantity = container["valueQuantity"]?.object else {
            if let other = container.keys.first(where: { $0.hasPrefix("value") }) {
                w.add("value", path + "." + other, "A \(sign.englishName) must be given as a valueQuantity in \(sign.unit)")
            } else if container["dataAbsentReason"] == nil {
                w.add("required", path + ".valueQuantity", "A \(sign.englishName) needs its value in valueQuantity (or a dataAbsentReason)")
            }
            return nil
        }
        let qPath = path + ".valueQuantity"
        if quantity["system"]?.string != FHIRSystem.ucum {
            w.add("code-invalid", qPath + ".system", "The unit must be coded in UCUM (\(FHIRSystem.ucum))")
        } else if let code = quantity["code"]?.string, code != sign.unit {
            w.add("value", qPath + ".code", "A \(sign.englishName) is recorded in \(sign.unit), not \(JSONText.quoted(code))")
        } else if quantity["code"] == nil {
            w.add("required", qPath + ".code", "A \(sign.englishName) needs its UCUM unit code (\(sign.unit))")
        }
        guard let valueJSON = quantity["value"] else {
            w.add("required", qPath + ".value", "The measured \(sign.englishName) is missing")
            return nil
        }
        guard case .number(let text) = valueJSON, let value = Double(text) else { return nil }
        guard sign.limits.contains(value) else {
            w.add("value", qPath + ".value", "\(text) is not a possible \(sign.englishName) (\(sign.limitsText))")
            return nil
        }
        return value
    }

    private func checkPanel(_ w: inout FHIRWalker, _ values: inout [VitalSign: Double]) {
        var found: Set<VitalSign> = []
        for (i, item) in (object["component"]?.array ?? []).enumerated() {
            guard let component = item.object, let sign = Self.sign(of: component["code"]) else { continue }
            found.insert(sign)
            if let v = checkQuantity(sign, component, path: "Observation.component[\(i)]", &w) { values[sign] = v }
        }
        let missing = [VitalSign.systolic, .diastolic].filter { !found.contains($0) }
        if !missing.isEmpty {
            let names = missing.map { "\($0 == .systolic ? "systolic" : "diastolic") (\($0.loinc))" }.joined(separator: " and ")
            w.add(
                "required", "Observation.component",
                "A blood pressure panel needs both a systolic and a diastolic component; \(names) \(missing.count == 1 ? "is" : "are") missing"
            )
        }
        if let s = values[.systolic], let d = values[.diastolic], d >= s {
            w.add(
                "invariant", "Observation.component",
                "The diastolic pressure \(JSONText.number(d)) must be below the systolic \(JSONText.number(s))")
        }
    }

    /// Components of other observations that are vitals we know are held to the same limits.
    private func checkComponents(_ w: inout FHIRWalker, _ values: inout [VitalSign: Double]) {
        for (i, item) in (object["component"]?.array ?? []).enumerated() {
            guard let component = item.object, let sign = Self.sign(of: component["code"]), sign != .bloodPressure,
                sign != .selfCareAssessment
            else { continue }
            if let v = checkQuantity(sign, component, path: "Observation.component[\(i)]", &w) { values[sign] = v }
        }
    }

    static func sign(of concept: FHIRJSON?) -> VitalSign? {
        for c in codings(concept) {
            if let system = c.system, let code = c.code, let sign = VitalSign(system: system, code: code) { return sign }
        }
        return nil
    }

    private mutating func checkSelfCare(_ w: inout FHIRWalker) {
        let sign = VitalSign.selfCareAssessment
        guard let valueJSON = object["valueInteger"] else {
            if let other = object.keys.first(where: { $0.hasPrefix("value") }) {
                w.add("value", "Observation." + other, "The self-care assessment's score must be given as a valueInteger")
            } else if object["dataAbsentReason"] == nil {
                w.add("required", "Observation.valueInteger", "The self-care assessment needs its score in valueInteger")
            }
            return
        }
        guard let score = valueJSON.int else { return }
        guard sign.limits.contains(Double(score)) else {
            w.add("value", "Observation.valueInteger", "\(score) is not a possible self-care assessment score (\(sign.limitsText))")
            return
        }
        let band = SelfCareBand(score: score)
        for (i, concept) in (object["interpretation"]?.array ?? []).enumerated() {
            for c in Self.codings(concept) where c.system == FHIRSystem.selfCareBand {
                if c.code != band.rawValue {
                    w.add(
                        "invariant", "Observation.interpretation[\(i)]",
                        "A score of \(score) is in the band \(band.rawValue) (\(band.display)), not \(c.code ?? "none")")
                }
            }
        }
        summary = "\(sign.display) \(score) 分 (\(band.display))"
    }

    // MARK: Condition

    private mutating func condition(_ w: inout FHIRWalker) {
        effective =
            Self.date(object["onsetDateTime"]) ?? Self.date(object["onsetPeriod"]?["start"]) ?? Self.date(object["recordedDate"])
        checkStatus(
            "Condition.clinicalStatus", FHIRSystem.conditionClinical,
            ["active", "recurrence", "relapse", "inactive", "remission", "resolved"],
            &w)
        checkStatus(
            "Condition.verificationStatus", FHIRSystem.conditionVerification,
            ["unconfirmed", "provisional", "differential", "confirmed", "refuted", "entered-in-error"], &w)
        let clinical = Self.codings(object["clinicalStatus"]).filter { $0.system == FHIRSystem.conditionClinical }.compactMap(\.code)
        let verification = Self.codings(object["verificationStatus"]).filter { $0.system == FHIRSystem.conditionVerification }
            .compactMap(\.code)
        if object.keys.contains(where: { $0.hasPrefix("abatement") }), let status = clinical.first,
            !["inactive", "resolved", "remission"].contains(status)
        {
            w.add(
                "invariant", "Condition.clinicalStatus", "An abated condition is inactive, resolved or in remission, not \(status) (con-4)")
        }
        if verification.contains("entered-in-error") && object["clinicalStatus"] != nil {
            w.add("invariant", "Condition.clinicalStatus", "A condition entered in error has no clinical status (con-5)")
        }
        guard let code = object["code"] else {
            w.add("required", "Condition.code", "A condition needs its diagnosis as an ICD-10 code (\(FHIRSystem.icd10))")
            return
        }
        guard code.object != nil else { return }
        let all = Self.codings(code)
        codes = all.compactMap(\.key)
        let icd = all.enumerated().filter { $0.element.system == FHIRSystem.icd10 }
        if icd.isEmpty {
            let others = Set(all.compactMap(\.system)).sorted()
            let found = others.isEmpty ? "" : "; \(others.joined(separator: ", ")) is not a code system accepted for diagnoses"
            w.add("code-invalid", "Condition.code", "Needs an ICD-10 coding (\(FHIRSystem.icd10))\(found)")
            return
        }
        var known: ICD10Condition?
        for (i, coding) in icd {
            guard let c = coding.code, ICD10Condition.looksValid(c) else {
                let text = coding.code.map(JSONText.quoted) ?? "A missing code"
                w.add(
                    "code-invalid", "Condition.code.coding[\(i)].code",
                    "\(text) is not an ICD-10 code (a letter, two digits, optionally a point and digits)")
                continue
            }
            if known == nil { known = ICD10Condition.named(c) }
        }
        let firstCode = icd.lazy.compactMap(\.element.code).first ?? ""
        let name = known?.display ?? code["text"]?.string ?? icd.lazy.compactMap(\.element.display).first ?? firstCode
        summary = name == firstCode ? name : "\(name) (\(firstCode))"
        let active = clinical.isEmpty || clinical.contains { ["active", "recurrence", "relapse"].contains($0) }
        let believed = !verification.contains { $0 == "refuted" || $0 == "entered-in-error" }
        isChronicCondition =
            active && believed && icd.contains { $0.element.code.flatMap(ICD10Condition.named)?.isChronic == true }
    }

    /// A status CodeableConcept bound to a required value set: its codings in that system must be in it.
    private func checkStatus(_ path: String, _ system: String, _ allowed: [String], _ w: inout FHIRWalker) {
        let element = String(path.split(separator: ".").last!)
        for (i, c) in Self.codings(object[element]).enumerated() where c.system == system {
            if let code = c.code, !allowed.contains(code) {
                w.add(
                    "code-invalid", path + ".coding[\(i)].code", "\(JSONText.quoted(code)) is not one of \(allowed.joined(separator: ", "))"
                )
            }
        }
    }

    // MARK: AllergyIntolerance

    private mutating func allergy(_ w: inout FHIRWalker) {
        effective = Self.date(object["recordedDate"]) ?? Self.date(object["onsetDateTime"])
        checkStatus("AllergyIntolerance.clinicalStatus", FHIRSystem.allergyClinical, ["active", "inactive", "resolved"], &w)
        checkStatus(
            "AllergyIntolerance.verificationStatus", FHIRSystem.allergyVerification,
            ["unconfirmed", "confirmed", "refuted", "entered-in-error"],
            &w)
        let enteredInError = Self.codings(object["verificationStatus"]).contains {
            $0.system == FHIRSystem.allergyVerification && $0.code == "entered-in-error"
        }
        if enteredInError && object["clinicalStatus"] != nil {
            w.add("invariant", "AllergyIntolerance.clinicalStatus", "An allergy entered in error has no clinical status (ait-2)")
        } else if !enteredInError && object["clinicalStatus"] == nil {
            w.add(
                "invariant", "AllergyIntolerance.clinicalStatus",
                "An allergy needs its clinical status unless it was entered in error (ait-1)")
        }
        codes = Self.codings(object["code"]).compactMap(\.key)
        if let name = Self.words(object["code"]) {
            let suffix = object["type"]?.string == "intolerance" ? "不耐受" : "过敏"
            summary = name.hasSuffix(suffix) ? name : name + suffix
        }
    }

    // MARK: MedicationStatement

    private mutating func medication() {
        effective = Self.date(object["effectiveDateTime"]) ?? Self.date(object["effectivePeriod"]?["start"])
        let concept = object["medicationCodeableConcept"]
        codes = Self.codings(concept).compactMap(\.key)
        guard let name = Self.words(concept) ?? object["medicationReference"]?["display"]?.string else { return }
        let dosage = object["dosage"]?.array?.first
        var parts = [name]
        if let dose = dosage?["doseAndRate"]?.array?.first?["doseQuantity"], case .number(let value) = dose["value"] {
            parts.append(value + " " + (dose["unit"]?.string ?? dose["code"]?.string ?? ""))
        }
        if let frequency = Self.frequency(dosage?["timing"]?["repeat"]) { parts.append(frequency) }
        if parts.count == 1, let text = dosage?["text"]?.string { parts.append(text) }
        summary = parts.joined(separator: " ")
    }

    /// "每日一次", "每日三次", "每周2次", "每2日一次" from a Timing.repeat.
    static func frequency(_ repeatJSON: FHIRJSON?) -> String? {
        guard let r = repeatJSON, let unit = r["periodUnit"]?.string else { return nil }
        let times = r["frequency"]?.int ?? 1
        let period = r["period"]?.double ?? 1
        let unitWord = ["h": "小时", "d": "日", "wk": "周", "mo": "月"][unit]
        guard let unitWord else { return nil }
        let count = ["一次", "两次", "三次", "四次"].indices.contains(times - 1) ? ["一次", "两次", "三次", "四次"][times - 1] : "\(times)次"
        return period == 1 ? "每\(unitWord)\(count)" : "每\(JSONText.number(period))\(unitWord)\(count)"
    }

    // MARK: Encounter

    private mutating func encounter() {
        effective = Self.date(object["period"]?["start"])
        codes = (object["type"]?.array ?? []).flatMap { Self.codings($0).compactMap(\.key) }
        let kind = object["type"]?.array?.first.flatMap { Self.words($0) } ?? object["class"]?["display"]?.string
        if let kind {
            summary = effective.map { kind + " " + FHIRDate.date($0) } ?? kind
        }
    }

    // MARK: DocumentReference

    private mutating func document(_ w: inout FHIRWalker) {
        effective = Self.date(object["date"])
        codes = Self.codings(object["type"]).compactMap(\.key)
        let firstTitle = object["content"]?.array?.first?["attachment"]?["title"]?.string
        summary = object["description"]?.string ?? Self.words(object["type"]) ?? firstTitle
        for (i, item) in (object["content"]?.array ?? []).enumerated() {
            guard let attachment = item["attachment"]?.object else { continue }
            let path = "DocumentReference.content[\(i)].attachment"
            if attachment["data"] == nil && attachment["url"] == nil {
                w.add("required", path, "An archive document needs its content: data or url")
            }
            if let data = attachment["data"]?.string {
                if let length = FHIRFormat.base64Length(data), let size = attachment["size"]?.int, size != length {
                    w.add("invariant", path + ".size", "The size is \(size) but the data holds \(length) bytes")
                }
                if let hash = attachment["hash"]?.string, let bytes = Data(base64Encoded: data, options: .ignoreUnknownCharacters),
                    FHIRFormat.base64Length(hash) != nil
                {
                    let actual = SHA1.digest(bytes).base64EncodedString()
                    if actual != hash.filter({ !$0.isWhitespace }) {
                        w.add("invariant", path + ".hash", "The hash does not match the data: its SHA-1 is \(actual)")
                    }
                }
            }
        }
    }
}
