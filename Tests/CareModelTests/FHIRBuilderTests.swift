import CareModel
import Foundation
import Testing

@Suite("FHIR builders")
struct FHIRBuilderTests {
    let validator = FHIRValidator()
    let at = Date(timeIntervalSince1970: 1_772_328_600)  // 2026-03-01 09:30 China time

    let elder = Elder(
        id: 7, name: "欧阳桂兰", nationalId: "11010519491231002X", birthDate: CalendarDate(year: 1949, month: 12, day: 31)!, sex: .female,
        phone: "13800000000", address: "玉林市玉州区人民中路1号", location: nil, regionCode: "450902001001", livingSituation: .alone,
        careLevel: .selfCare, categories: [], consent: Consent(), status: .active, version: 1, createdAt: Date(timeIntervalSince1970: 0),
        updatedAt: Date(timeIntervalSince1970: 0))

    /// Validates `json`, then checks its text reads back to the same value.
    @discardableResult
    func valid(_ json: FHIRJSON, _ type: FHIRResourceType) throws -> ValidatedResource {
        let result = try validator.validate(json, expecting: type)
        #expect(try FHIRJSON.parse(Data(json.text.utf8)) == json)
        #expect(result.resource == json)
        return result
    }

    @Test func patientFollowsTheRegistry() throws {
        let patient = FHIRBuild.patient(elder: elder, maskedNationalID: NationalID.mask(elder.nationalId), archiveNumber: "450902-0000007")
        let result = try valid(patient, .patient)
        #expect(
            result.identifiers == [
                FHIRIdentifier(system: FHIRSystem.nationalID, value: "110105********002X"),
                FHIRIdentifier(system: FHIRSystem.archiveNumber, value: "450902-0000007"),
            ])
        let name = patient["name"]?.array?.first
        #expect(name?["family"] == "欧阳")
        #expect(name?["given"] == ["桂兰"])
        #expect(patient["gender"] == "female")
        #expect(patient["birthDate"] == "1949-12-31")
        #expect(patient["telecom"]?.array?.first?["value"] == "13800000000")
        #expect(patient["address"]?.array?.first?["text"] == "玉林市玉州区人民中路1号")
        var noPhone = elder
        noPhone.phone = nil
        noPhone.name = "Anna Li"
        let other = FHIRBuild.patient(elder: noPhone, maskedNationalID: "x", archiveNumber: "y")
        try valid(other, .patient)
        #expect(other["telecom"] == nil)
        #expect(other["name"]?.array?.first?["family"] == nil)
    }

    @Test func deviceReadingsAreTaggedObservations() throws {
        let vitals = Vitals(heartRate: 118, spo2: 93, systolic: 165, diastolic: 95, temperature: 37.8)
        let observations = FHIRBuild.deviceObservations(vitals, patientId: "42", at: at, deviceId: "SOS-9001")
        #expect(observations.count == 4)
        let results = try observations.map { try valid($0, .observation) }
        #expect(results.map(\.summary) == ["心率 118 /min", "血氧饱和度 93 %", "血压 165/95 mmHg", "体温 37.8 °C"])
        #expect(results.allSatisfy { $0.patientId == "42" && $0.effective == at })
        for o in observations {
            #expect(o["meta"]?["tag"]?.array?.first?["code"] == "device-measured")
            #expect(o["effectiveDateTime"] == "2026-03-01T09:30:00+08:00")
            #expect(o["device"]?["display"] == "设备 SOS-9001")
        }
        #expect(FHIRBuild.deviceObservations(Vitals(systolic: 120), patientId: "42", at: at, deviceId: "SOS-1").isEmpty)
    }

    @Test(arguments: VitalSign.allCases)
    func everyManualVitalValidates(sign: VitalSign) throws {
        let value: Double =
            switch sign {
            case .selfCareAssessment: 12
            case .temperature: 36.6
            default: (sign.limits.lowerBound + sign.limits.upperBound) / 2
            }
        let result = try valid(FHIRBuild.vital(sign, value: value, patientId: "42", at: at), .observation)
        #expect(result.summary != nil)
    }

    @Test func bloodPressurePanel() throws {
        let result = try valid(FHIRBuild.bloodPressure(systolic: 128, diastolic: 82, patientId: "42", at: at), .observation)
        #expect(result.summary == "血压 128/82 mmHg")
        #expect(result.codes == ["http://loinc.org|85354-9", "http://loinc.org|8480-6", "http://loinc.org|8462-4"])
        let visit = FHIRBuild.Readings(patientId: "42", at: at)
        #expect(
            visit.bloodPressure(systolic: 128, diastolic: 82)
                == FHIRBuild.bloodPressure(systolic: 128, diastolic: 82, patientId: "42", at: at))
        #expect(visit.vital(.heartRate, value: 72) == FHIRBuild.vital(.heartRate, value: 72, patientId: "42", at: at))
    }

    @Test func consultationKeepsTheExchange() throws {
        let asked = FHIRBuild.consultation(patientId: "42", question: "血压<140算正常吗？", answer: nil, clinician: nil, at: at, answeredAt: nil)
        #expect(try valid(asked, .encounter).summary == "健康咨询 2026-03-01")
        #expect(asked["status"] == "in-progress")
        let answered = FHIRBuild.consultation(
            patientId: "42", question: "血压<140算正常吗？", answer: "老年人低于150/90 & 无不适即可", clinician: "王医生", at: at,
            answeredAt: at.addingTimeInterval(3600))
        try valid(answered, .encounter)
        #expect(answered["status"] == "finished")
        #expect(answered["period"]?["end"] == "2026-03-01T10:30:00+08:00")
        let parts = FHIRBuild.consultationParts(answered)
        #expect(parts.question == "血压<140算正常吗？")
        #expect(parts.answer == "老年人低于150/90 & 无不适即可")
        #expect(parts.clinician == "王医生")
    }

    @Test func archiveRecordsValidate() throws {
        let condition = try valid(FHIRBuild.condition(.type2Diabetes, patientId: "42", onset: "2015-06", recorded: at), .condition)
        #expect(condition.summary == "2型糖尿病 (E11)")
        #expect(condition.isChronicCondition)
        let allergy = try valid(
            FHIRBuild.allergy(.penicillin, patientId: "42", recorded: at, criticality: "high", reaction: "皮疹"), .allergyIntolerance)
        #expect(allergy.summary == "青霉素过敏")
        let medication = try valid(
            FHIRBuild.medication(.metformin, patientId: "42", since: "2015-07-01", asserted: at, reason: .type2Diabetes),
            .medicationStatement)
        #expect(medication.summary == "二甲双胍 500 mg 每日三次")
        for kind in EncounterKind.allCases {
            try valid(FHIRBuild.encounter(kind, patientId: "42", start: at, end: at.addingTimeInterval(1800)), .encounter)
        }
        let document = FHIRBuild.archiveDocument(
            patientId: "42", title: "健康体检表", contentType: "application/pdf", data: Data("%PDF-1.4 体检".utf8), at: at)
        #expect(try valid(document, .documentReference).summary == "城乡居民健康档案基本数据集")
    }
}
