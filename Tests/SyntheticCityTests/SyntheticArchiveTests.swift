import CareModel
import Foundation
import SyntheticCity
import Testing

@Suite("Synthetic health archives")
struct SyntheticArchiveTests {
    static let referenceDate = CalendarDate(year: 2025, month: 6, day: 1)!
    /// 09:00 China time on the reference date.
    static let until = LocalTime.midnight(referenceDate).addingTimeInterval(9 * 3600)

    static func archives(count: Int, seed: UInt64 = 11) -> [(Elder, [FHIRJSON])] {
        var city = SyntheticCity(seed: seed, referenceDate: referenceDate)
        return (0..<count).map { i in
            let elder = city.nextElder().elder
            return (elder, SyntheticArchive.resources(for: elder, patientId: String(i + 1), seed: seed, until: until))
        }
    }

    @Test("every resource of 300 elders validates, belongs to its patient, has no id and lies before `until`")
    func everyResourceValidates() throws {
        let validator = FHIRValidator()
        for (index, (_, resources)) in Self.archives(count: 300).enumerated() {
            for resource in resources {
                let valid = try validator.validate(resource, expecting: nil)
                #expect(valid.patientId == String(index + 1))
                #expect(valid.id == nil)
                if let effective = valid.effective { #expect(effective <= Self.until) }
                #expect(try FHIRJSON.parse(Data(resource.text.utf8)) == resource)
            }
        }
    }

    @Test("about 20 resources per elder on average")
    func averageCount() {
        let archives = Self.archives(count: 2_000)
        let average = Double(archives.reduce(0) { $0 + $1.1.count }) / Double(archives.count)
        #expect((15...25).contains(average), "average \(average)")
    }

    @Test("conditions come at realistic rates and chronic ones are found")
    func prevalence() throws {
        let validator = FHIRValidator()
        let archives = Self.archives(count: 2_000)
        var withCode: [String: Int] = [:]
        var allergic = 0
        var medicated = 0
        for (_, resources) in archives {
            var codes: Set<String> = []
            var hasAllergy = false
            for resource in resources {
                let valid = try validator.validate(resource, expecting: nil)
                if valid.type == .condition {
                    codes.formUnion(valid.codes)
                    #expect(valid.isChronicCondition)
                }
                if valid.type == .allergyIntolerance { hasAllergy = true }
            }
            for code in codes { withCode[code, default: 0] += 1 }
            if hasAllergy { allergic += 1 }
            if resources.contains(where: { $0["resourceType"] == "MedicationStatement" }) { medicated += 1 }
        }
        func share(_ code: String) -> Double { Double(withCode["\(FHIRSystem.icd10)|\(code)"] ?? 0) / Double(archives.count) }
        #expect((0.42...0.58).contains(share("I10")), "hypertension \(share("I10"))")
        #expect((0.15...0.25).contains(share("E11")), "diabetes \(share("E11"))")
        #expect((0.06...0.14).contains(share("I25")), "coronary \(share("I25"))")
        #expect((0.02...0.08).contains(share("I69")), "stroke \(share("I69"))")
        #expect((0.05...0.11).contains(share("J44")), "COPD \(share("J44"))")
        #expect((0.02...0.08).contains(share("G30")), "Alzheimer's \(share("G30"))")
        let allergyShare = Double(allergic) / Double(archives.count)
        #expect((0.12...0.18).contains(allergyShare), "allergies \(allergyShare)")
        #expect(medicated > archives.count / 3)
    }

    @Test("the same seed gives the same archive; another seed another")
    func deterministic() {
        let a = Self.archives(count: 50, seed: 5).map(\.1)
        let b = Self.archives(count: 50, seed: 5).map(\.1)
        #expect(a == b)
        var city = SyntheticCity(seed: 5, referenceDate: Self.referenceDate)
        let elder = city.nextElder().elder
        let other = SyntheticArchive.resources(for: elder, patientId: "1", seed: 6, until: Self.until)
        #expect(other != a[0])
    }

    @Test("hypertensive elders have a year of follow-up blood pressures")
    func followUps() throws {
        let validator = FHIRValidator()
        let bp = "\(FHIRSystem.loinc)|\(VitalSign.bloodPressure.loinc)"
        for (_, resources) in Self.archives(count: 200) {
            let valid = try resources.map { try validator.validate($0, expecting: nil) }
            guard valid.contains(where: { $0.codes.contains("\(FHIRSystem.icd10)|I10") }) else { continue }
            let pressures = valid.filter { $0.codes.contains(bp) }
            #expect(pressures.count >= 4)
            let yearAgo = Self.until.addingTimeInterval(-366 * 86_400)
            #expect(pressures.allSatisfy { ($0.effective ?? .distantPast) > yearAgo })
        }
    }
}
