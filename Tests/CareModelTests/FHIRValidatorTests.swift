import CareModel
import Foundation
import Testing

/// Realistic resources as a FHIR client would send them, one per type the archive keeps.
enum FHIRSamples {
    static let patient = #"""
        {"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2026-03-01T09:30:00.123+08:00",
         "profile":["http://hl7.org/fhir/StructureDefinition/Patient"]},
         "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">张桂兰</div>"},
         "identifier":[{"use":"official","system":"http://NamingSystem.hl7fhir.cn/identityDocument","value":"450902********0025"},
                       {"system":"https://eldercare-platform.org/fhir/NamingSystem/health-archive-number","value":"450902-000123"}],
         "active":true,"name":[{"use":"official","text":"张桂兰","family":"张","given":["桂兰"]}],
         "telecom":[{"system":"phone","value":"13800000000","use":"mobile","rank":1}],"gender":"female","birthDate":"1945-03-02",
         "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime",
          "valueDateTime":"1945-03-02T06:00:00+08:00"}]},
         "deceasedBoolean":false,"address":[{"use":"home","text":"玉林市玉州区人民中路1号","city":"玉林市","district":"玉州区","state":"广西壮族自治区",
          "country":"CN"}],
         "contact":[{"relationship":[{"text":"女儿"}],"name":{"text":"李芳"},"telecom":[{"system":"phone","value":"13900000000"}]}],
         "communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"zh-CN"}]},"preferred":true}],
         "managingOrganization":{"display":"玉州区人民中路社区卫生服务中心"}}
        """#

    static let heartRate = #"""
        {"resourceType":"Observation","status":"final",
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
         "code":{"coding":[{"system":"http://loinc.org","code":"8867-4","display":"Heart rate"}],"text":"心率"},
         "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-03-01T09:30:00+08:00","issued":"2026-03-01T09:31:00.000+08:00",
         "performer":[{"display":"王医生"}],"valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"},
         "note":[{"text":"静息状态"}]}
        """#

    static let bloodPressure = #"""
        {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}],"text":"血压"},
         "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2026-03-01"},
         "interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H"}]}],
         "component":[
           {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":145.0,"unit":"mmHg",
            "system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
           {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":92,"unit":"mmHg",
            "system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}
        """#

    static let condition = #"""
        {"resourceType":"Condition","clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical",
         "code":"active"}]},
         "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},
         "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"problem-list-item"}]}],
         "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10","display":"高血压"}],"text":"原发性高血压"},
         "subject":{"reference":"Patient/p1"},"onsetDateTime":"2012-05","recordedDate":"2013-01-10T10:00:00+08:00",
         "recorder":{"display":"李医生"},"note":[{"authorString":"李医生","text":"规律服药"}]}
        """#

    static let allergy = #"""
        {"resourceType":"AllergyIntolerance",
         "clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
         "type":"allergy","category":["medication"],"criticality":"high",
         "code":{"coding":[{"system":"http://snomed.info/sct","code":"764146007","display":"Penicillin"}],"text":"青霉素"},
         "patient":{"reference":"Patient/p1"},"recordedDate":"2015-06-01",
         "reaction":[{"manifestation":[{"text":"皮疹"}],"severity":"moderate"}]}
        """#

    static let medication = #"""
        {"resourceType":"MedicationStatement","status":"active",
         "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}],"text":"氨氯地平"},
         "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2020-01-01"},"dateAsserted":"2026-03-01",
         "reasonCode":[{"text":"高血压"}],
         "dosage":[{"text":"5 mg 每日一次","timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},"route":{"text":"口服"},
                    "doseAndRate":[{"doseQuantity":{"value":5,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}]}]}
        """#

    static let encounter = #"""
        {"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},
         "type":[{"coding":[{"system":"https://eldercare-platform.org/fhir/CodeSystem/encounter-kind","code":"checkup",
          "display":"健康体检"}],"text":"健康体检"}],
         "subject":{"reference":"Patient/p1"},"participant":[{"individual":{"display":"王医生"},
          "period":{"start":"2026-03-01T09:00:00+08:00"}}],
         "period":{"start":"2026-03-01T09:00:00+08:00","end":"2026-03-01T10:00:00+08:00"},"reasonCode":[{"text":"年度体检"}],
         "serviceProvider":{"display":"社区卫生服务中心"}}
        """#

    static let document = #"""
        {"resourceType":"DocumentReference","status":"current","docStatus":"final",
         "type":{"coding":[{"system":"https://eldercare-platform.org/fhir/CodeSystem/document-type","code":"WS365-2011",
          "display":"城乡居民健康档案基本数据集"}]},
         "subject":{"reference":"Patient/p1"},"date":"2026-03-01T09:00:00+08:00","description":"健康体检表",
         "content":[{"attachment":{"contentType":"text/plain; charset=utf-8","data":"5L2T5qOA6KGo","size":9,
          "hash":"8vnwGqITpdiH+UHECkY81s2vhFw=","title":"体检表","creation":"2026-03-01"}}]}
        """#

    static let all: [(FHIRResourceType, String)] = [
        (.patient, patient), (.observation, heartRate), (.observation, bloodPressure), (.condition, condition),
        (.allergyIntolerance, allergy),
        (.medicationStatement, medication), (.encounter, encounter), (.documentReference, document),
    ]
}

@Suite("FHIR validation")
struct FHIRValidatorTests {
    let validator = FHIRValidator()

    func json(_ text: String) throws -> FHIRJSON { try FHIRJSON.parse(Data(text.utf8)) }

    /// The issues `text` is refused with, or none when it is accepted.
    func issues(_ text: String, expecting type: FHIRResourceType? = nil) throws -> [FHIRIssue] {
        do {
            _ = try validator.validate(try json(text), expecting: type)
            return []
        } catch let outcome as OperationOutcome {
            return outcome.issues
        }
    }

    /// `sample` with `edit` applied to its top-level object.
    func edited(_ sample: String, _ edit: (inout FHIRObject) -> Void) throws -> String {
        var object = try #require(try json(sample).object)
        edit(&object)
        return FHIRJSON.object(object).text
    }

    @Test(arguments: FHIRSamples.all.indices)
    func everyTypeRoundTrips(index: Int) throws {
        let (type, text) = FHIRSamples.all[index]
        let valid = try validator.validate(try json(text), expecting: type)
        #expect(valid.type == type)
        let again = try FHIRJSON.parse(Data(valid.resource.text.utf8))
        #expect(again == valid.resource)
        let revalidated = try validator.validate(again, expecting: nil)
        #expect(revalidated.resource == valid.resource)
        if type != .patient { #expect(valid.patientId == "p1") }
    }

    @Test func patientFacts() throws {
        let valid = try validator.validate(try json(FHIRSamples.patient), expecting: .patient)
        #expect(valid.id == "p1")
        #expect(valid.patientId == nil)
        #expect(valid.identifiers.map(\.system) == [FHIRSystem.nationalID, FHIRSystem.archiveNumber])
        #expect(valid.summary == "张桂兰")
        // The server sets version and time; the profile stays.
        #expect(valid.resource["meta"]?.object?.keys == ["profile"])
        #expect(valid.resource["name"]?.array?.first?["text"] == "张桂兰")
    }

    @Test func observationFacts() throws {
        let hr = try validator.validate(try json(FHIRSamples.heartRate), expecting: .observation)
        #expect(hr.codes == ["http://loinc.org|8867-4"])
        #expect(hr.summary == "心率 72 /min")
        #expect(hr.effective == FHIRDate.parse("2026-03-01T09:30:00+08:00"))
        let bp = try validator.validate(try json(FHIRSamples.bloodPressure), expecting: .observation)
        #expect(bp.codes == ["http://loinc.org|85354-9", "http://loinc.org|8480-6", "http://loinc.org|8462-4"])
        #expect(bp.summary == "血压 145/92 mmHg")
        #expect(bp.effective == FHIRDate.parse("2026-03-01T00:00:00+08:00"))
        // Decimal text is kept as sent.
        #expect(bp.resource["component"]?.array?.first?["valueQuantity"]?["value"] == .number("145.0"))
    }

    @Test func conditionFacts() throws {
        let valid = try validator.validate(try json(FHIRSamples.condition), expecting: .condition)
        #expect(valid.codes == ["http://hl7.org/fhir/sid/icd-10|I10"])
        #expect(valid.summary == "高血压 (I10)")
        #expect(valid.isChronicCondition)
        #expect(valid.effective == FHIRDate.parse("2012-05-01"))
        let resolved = try edited(FHIRSamples.condition) {
            $0["clinicalStatus"] = ["coding": [["system": .string(FHIRSystem.conditionClinical), "code": "resolved"]]]
        }
        #expect(try validator.validate(try json(resolved), expecting: nil).isChronicCondition == false)
        let pneumonia = try edited(FHIRSamples.condition) {
            $0["code"] = ["coding": [["system": .string(FHIRSystem.icd10), "code": "J18.9"]]]
        }
        let acute = try validator.validate(try json(pneumonia), expecting: nil)
        #expect(!acute.isChronicCondition)
        #expect(acute.summary == "肺炎 (J18.9)")
        let unlisted = try edited(FHIRSamples.condition) {
            $0["code"] = ["coding": [["system": .string(FHIRSystem.icd10), "code": "K29.7"]], "text": "胃炎"]
        }
        #expect(try validator.validate(try json(unlisted), expecting: nil).summary == "胃炎 (K29.7)")
    }

    @Test func otherFacts() throws {
        #expect(try validator.validate(try json(FHIRSamples.allergy), expecting: nil).summary == "青霉素过敏")
        let med = try validator.validate(try json(FHIRSamples.medication), expecting: nil)
        #expect(med.summary == "氨氯地平 5 mg 每日一次")
        #expect(med.codes == ["http://www.whocc.no/atc|C08CA01"])
        #expect(med.effective == FHIRDate.parse("2020-01-01"))
        let encounter = try validator.validate(try json(FHIRSamples.encounter), expecting: nil)
        #expect(encounter.summary == "健康体检 2026-03-01")
        #expect(encounter.codes == ["https://eldercare-platform.org/fhir/CodeSystem/encounter-kind|checkup"])
        let document = try validator.validate(try json(FHIRSamples.document), expecting: nil)
        #expect(document.summary == "健康体检表")
        #expect(document.effective == FHIRDate.parse("2026-03-01T09:00:00+08:00"))
    }

    @Test func acceptsTheVitalSignsProfileCodeForOxygenSaturation() throws {
        let text = FHIRSamples.heartRate.replacingOccurrences(of: "8867-4", with: "2708-6").replacingOccurrences(
            of: #""/min""#, with: #""%""#
        )
        .replacingOccurrences(of: "72", with: "96")
        let valid = try validator.validate(try json(text), expecting: .observation)
        #expect(valid.codes == ["http://loinc.org|2708-6", "http://loinc.org|59408-5"])
        #expect(valid.summary == "血氧饱和度 96 %")
    }

    @Test func refusesAnImpossibleHeartRateWithThePathAndSentence() throws {
        let text = FHIRSamples.heartRate.replacingOccurrences(of: #""value":72"#, with: #""value":900"#)
        #expect(
            try issues(text) == [
                FHIRIssue(
                    code: "value", expression: "Observation.valueQuantity.value",
                    diagnostics: "900 is not a possible heart rate (20–250 /min)")
            ])
    }

    @Test func refusesAWrongOrUncodedUnit() throws {
        let mg = FHIRSamples.heartRate.replacingOccurrences(of: #""code":"/min"}"#, with: #""code":"mg"}"#)
        #expect(try issues(mg).map(\.expression) == ["Observation.valueQuantity.code"])
        let local = FHIRSamples.heartRate.replacingOccurrences(of: "http://unitsofmeasure.org", with: "http://example.org/units")
        #expect(try issues(local).map { "\($0.code) \($0.expression)" } == ["code-invalid Observation.valueQuantity.system"])
    }

    @Test func refusesAPanelWithoutBothComponentsAndIndexesComponentPaths() throws {
        let missing = try edited(FHIRSamples.bloodPressure) { $0["component"] = .array([$0["component"]!.array![0]]) }
        let found = try issues(missing)
        #expect(found.map(\.expression) == ["Observation.component"])
        #expect(found.first?.diagnostics.contains("diastolic (8462-4) is missing") == true)
        let high = FHIRSamples.bloodPressure.replacingOccurrences(of: #""value":92"#, with: #""value":300"#)
        #expect(
            try issues(high) == [
                FHIRIssue(
                    code: "value", expression: "Observation.component[1].valueQuantity.value",
                    diagnostics: "300 is not a possible diastolic blood pressure (30–160 mmHg)")
            ])
    }

    @Test func refusesObservationsWeDoNotKnow() throws {
        let snomed = FHIRSamples.heartRate.replacingOccurrences(
            of: #""system":"http://loinc.org","code":"8867-4""#, with: #""system":"http://snomed.info/sct","code":"364075005""#)
        #expect(try issues(snomed).map(\.code) == ["code-invalid"])
        // A coding that is itself broken gets its structural issue only, not a second "needs a LOINC coding".
        let numeric = FHIRSamples.heartRate.replacingOccurrences(of: #""code":"8867-4""#, with: #""code":88674"#)
        #expect(try issues(numeric).map(\.expression) == ["Observation.code.coding[0].code"])
        let cholesterol = FHIRSamples.heartRate.replacingOccurrences(of: "8867-4", with: "2093-3")
        #expect(try issues(cholesterol).map { "\($0.code) \($0.expression)" } == ["not-supported Observation.code"])
    }

    @Test func refusesStructuralFaultsWithEveryPath() throws {
        let text = try edited(FHIRSamples.heartRate) {
            $0["status"] = "finale"
            $0["colour"] = "red"
            $0["code"] = "8867-4"
            $0["issued"] = "2026-03-01"
            $0["effectiveDateTime"] = "2026-03-01T09:30"
            $0["valueString"] = "72"
            $0["note"] = ["text": "x"]
            $0["performer"] = [["display": 5]]
            $0["id"] = "a b"
        }
        let found = try issues(text)
        let byPath = Dictionary(found.map { ($0.expression, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byPath["Observation.status"]?.code == "code-invalid")
        #expect(byPath["Observation.status"]?.diagnostics.hasPrefix(#""finale" is not one of registered, preliminary, final"#) == true)
        #expect(byPath["Observation.colour"]?.diagnostics == #""colour" is not an element of Observation"#)
        #expect(byPath["Observation.code"]?.diagnostics == "Must be an object (a CodeableConcept), found a string")
        #expect(byPath["Observation.issued"]?.code == "value")
        #expect(byPath["Observation.effectiveDateTime"]?.code == "value")
        #expect(
            byPath["Observation.valueString"]?.diagnostics
                == "Only one of valueQuantity and valueString may be given: value[x] takes a single type")
        #expect(byPath["Observation.note"]?.diagnostics == "Must be an array, found an object")
        #expect(byPath["Observation.performer[0].display"]?.diagnostics == "Must be a string, found a number")
        #expect(byPath["Observation.id"]?.code == "value")
    }

    @Test func refusesMissingRequiredElements() throws {
        let observation = try edited(FHIRSamples.heartRate) {
            $0["status"] = nil
            $0["code"] = nil
        }
        #expect(
            try issues(observation).map { "\($0.code) \($0.expression)" } == ["required Observation.status", "required Observation.code"])
        let medication = try edited(FHIRSamples.medication) {
            $0["medicationCodeableConcept"] = nil
            $0["subject"] = nil
        }
        #expect(
            try issues(medication).map(\.expression) == ["MedicationStatement.medication[x]", "MedicationStatement.subject"])
        let encounter = try edited(FHIRSamples.encounter) { $0["class"] = nil }
        #expect(try issues(encounter).map(\.expression) == ["Encounter.class"])
        let document = try edited(FHIRSamples.document) { $0["content"] = [["format": ["code": "x"]]] }
        #expect(try issues(document).map(\.expression) == ["DocumentReference.content[0].attachment"])
        let allergy = try edited(FHIRSamples.allergy) { $0["patient"] = nil }
        #expect(try issues(allergy).map(\.expression) == ["AllergyIntolerance.patient"])
        let noSubject = try edited(FHIRSamples.heartRate) { $0["subject"] = nil }
        #expect(try issues(noSubject).map { "\($0.code) \($0.expression)" } == ["required Observation.subject"])
    }

    @Test func refusesBadPrimitives() throws {
        let patient = try edited(FHIRSamples.patient) {
            $0["gender"] = "F"
            $0["birthDate"] = "1945-02-30"
            $0["active"] = "yes"
            $0["telecom"] = [["system": "phone", "value": "1", "rank": 0]]
            $0["photo"] = [["contentType": " image/png", "data": "not base64!"]]
        }
        let found = try issues(patient)
        #expect(
            found.map { "\($0.code) \($0.expression)" } == [
                "structure Patient.active", "value Patient.telecom[0].rank",
                "code-invalid Patient.gender", "value Patient.birthDate", "value Patient.photo[0].contentType",
                "value Patient.photo[0].data",
            ])
        #expect(found.first { $0.expression == "Patient.gender" }?.diagnostics == #""F" is not one of male, female, other, unknown"#)
    }

    @Test func refusesEmptyAndNullValues() throws {
        let text = try edited(FHIRSamples.heartRate) {
            $0["note"] = []
            $0["performer"] = [[:]]
            $0["method"] = .null
        }
        let found = try issues(text).map(\.expression)
        #expect(found == ["Observation.performer[0]", "Observation.note", "Observation.method"])
    }

    @Test func refusesConditionsWithoutICD10() throws {
        let snomed = try edited(FHIRSamples.condition) {
            $0["code"] = ["coding": [["system": .string(FHIRSystem.snomed), "code": "38341003"]]]
        }
        #expect(
            try issues(snomed) == [
                FHIRIssue(
                    code: "code-invalid", expression: "Condition.code",
                    diagnostics: "Needs an ICD-10 coding (http://hl7.org/fhir/sid/icd-10); "
                        + "http://snomed.info/sct is not a code system accepted for diagnoses")
            ])
        let malformed = try edited(FHIRSamples.condition) {
            $0["code"] = ["coding": [["system": .string(FHIRSystem.icd10), "code": "高血压"]]]
        }
        #expect(try issues(malformed).map(\.expression) == ["Condition.code.coding[0].code"])
        let uncoded = try edited(FHIRSamples.condition) { $0["code"] = nil }
        #expect(try issues(uncoded).map { "\($0.code) \($0.expression)" } == ["required Condition.code"])
        let status = try edited(FHIRSamples.condition) {
            $0["clinicalStatus"] = ["coding": [["system": .string(FHIRSystem.conditionClinical), "code": "ongoing"]]]
        }
        #expect(try issues(status).map(\.expression) == ["Condition.clinicalStatus.coding[0].code"])
    }

    @Test func refusesReferencesThatAreNotToAPatient() throws {
        let group = try edited(FHIRSamples.condition) { $0["subject"] = ["reference": "Group/7"] }
        #expect(
            try issues(group) == [
                FHIRIssue(
                    code: "value", expression: "Condition.subject.reference",
                    diagnostics: #"Must reference the patient as Patient/{id}, found "Group/7""#)
            ])
    }

    @Test func refusesAPatientWithoutOurIdentifiers() throws {
        let text = try edited(FHIRSamples.patient) { $0["identifier"] = [["system": "urn:oid:1.2.3", "value": "9"]] }
        #expect(try issues(text).map { "\($0.code) \($0.expression)" } == ["required Patient.identifier"])
    }

    @Test func refusesTheWrongTypeAndUnknownTypes() throws {
        #expect(try issues(FHIRSamples.patient, expecting: .observation).map(\.code) == ["structure"])
        #expect(try issues(#"{"resourceType":"Basic"}"#).map(\.code) == ["not-supported"])
        #expect(try issues(#"{"id":"1"}"#).map(\.code) == ["required"])
        #expect(try issues("[1]").map(\.code) == ["structure"])
    }

    @Test func refusesContainedResourcesAndModifierExtensions() throws {
        let text = try edited(FHIRSamples.heartRate) {
            $0["contained"] = [["resourceType": "Patient"]]
            $0["modifierExtension"] = [["url": "http://example.org/x", "valueBoolean": true]]
        }
        #expect(try issues(text).map(\.code) == ["not-supported", "not-supported"])
    }

    @Test func checksTheAttachmentHashAndSize() throws {
        let wrongHash = FHIRSamples.document.replacingOccurrences(of: "8vnwGqITpdiH+UHECkY81s2vhFw=", with: "2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
        #expect(try issues(wrongHash).map(\.expression) == ["DocumentReference.content[0].attachment.hash"])
        let wrongSize = FHIRSamples.document.replacingOccurrences(of: #""size":9"#, with: #""size":10"#)
        #expect(try issues(wrongSize).map(\.expression) == ["DocumentReference.content[0].attachment.size"])
    }

    @Test func checksTheSelfCareScoreAndBand() throws {
        let observation = FHIRBuild.vital(.selfCareAssessment, value: 5, patientId: "p1", at: Date(timeIntervalSince1970: 1_772_328_600))
        let valid = try validator.validate(observation, expecting: .observation)
        #expect(valid.summary == "生活自理能力评估 5 分 (轻度依赖)")
        var object = try #require(observation.object)
        object["valueInteger"] = 20
        #expect(
            try issues(FHIRJSON.object(object).text).map { "\($0.code) \($0.expression)" } == ["invariant Observation.interpretation[0]"])
        object["valueInteger"] = 40
        #expect(try issues(FHIRJSON.object(object).text).map(\.expression) == ["Observation.valueInteger"])
        #expect(SelfCareBand(score: 3) == .independent)
        #expect(SelfCareBand(score: 4) == .mildlyDependent)
        #expect(SelfCareBand(score: 18) == .moderatelyDependent)
        #expect(SelfCareBand(score: 19) == .dependent)
    }

    @Test func refusesBrokenInvariants() throws {
        let observation = try edited(FHIRSamples.heartRate) {
            $0["effectiveDateTime"] = nil
            $0["effectivePeriod"] = ["start": "2026-03-02T09:00:00+08:00", "end": "2026-03-01"]
            $0["dataAbsentReason"] = ["text": "设备故障"]
            $0["extension"] = [
                ["url": "http://example.org/a"],
                ["url": "http://example.org/b", "valueString": "x", "extension": [["url": "c", "valueCode": "d"]]],
            ]
            $0["referenceRange"] = [["low": ["value": 60, "code": "/min"]]]
        }
        let found = try issues(observation).map { "\($0.code) \($0.expression)" }
        #expect(
            found == [
                "invariant Observation.effectivePeriod", "invariant Observation.extension[0]", "invariant Observation.extension[1]",
                "invariant Observation.referenceRange[0].low.system", "invariant Observation.dataAbsentReason",
            ])
        let abated = try edited(FHIRSamples.condition) { $0["abatementDateTime"] = "2020" }
        #expect(try issues(abated).map(\.diagnostics) == ["An abated condition is inactive, resolved or in remission, not active (con-4)"])
        let noStatus = try edited(FHIRSamples.allergy) { $0["clinicalStatus"] = nil }
        #expect(try issues(noStatus).map(\.expression) == ["AllergyIntolerance.clinicalStatus"])
        let contact = try edited(FHIRSamples.patient) { $0["contact"] = [["relationship": [["text": "女儿"]]]] }
        #expect(try issues(contact).map(\.expression) == ["Patient.contact[0]"])
        let photo = try edited(FHIRSamples.patient) { $0["photo"] = [["data": "eA=="]] }
        #expect(try issues(photo).map(\.expression) == ["Patient.photo[0].contentType"])
    }

    @Test func acceptsICD10Shapes() {
        for code in ["I10", "E11.9", "I10.x00", "S72.001"] { #expect(ICD10Condition.looksValid(code), "\(code)") }
        for code in ["i10", "I1", "I10.", "110", "I10x", "I10.00000"] { #expect(!ICD10Condition.looksValid(code), "\(code)") }
        #expect(ICD10Condition.named("E11.9")?.display == "2型糖尿病")
    }
}

@Suite("The validator for the server's own builders")
struct OwnBuilderValidatorTests {
    @Test func itGivesTheSameFactsAndStillKeepsOurRules() throws {
        let at = Date(timeIntervalSince1970: 1_795_392_000)
        let reading = FHIRBuild.vital(.heartRate, value: 72, patientId: "42", at: at)
        let full = try FHIRValidator().validate(reading, expecting: .observation)
        let own = try FHIRValidator.forOwnBuilders.validate(reading, expecting: .observation)
        #expect(own == full)
        // A value out of range is still refused; only the structural walk is skipped.
        #expect(throws: OperationOutcome.self) {
            try FHIRValidator.forOwnBuilders.validate(FHIRBuild.vital(.heartRate, value: 900, patientId: "42", at: at), expecting: nil)
        }
    }
}
