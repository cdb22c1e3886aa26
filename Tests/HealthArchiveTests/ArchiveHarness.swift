import CareModel
import CareStore
import Emergency
import Foundation
import HealthArchive
import Synchronization

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let time = Mutex(Date(timeIntervalSince1970: 1_795_392_000))  // 2026-11-23 08:00 in Yulin
    var now: Date { time.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 += seconds } }
    var careClock: CareClock { CareClock { [self] in self.now } }
}

/// A migrated database with Emergency's and the archive's tables, two districts, a community
/// health centre in one of them, a hospital, and accounts for each role that touches health data.
struct ArchiveHarness {
    let folder: String
    let database: CareDatabase
    let calls: CallStore
    let archive: HealthArchive
    let clock: TestClock
    /// The health centre serving 玉州区 (Yuzhou), and the hospital.
    let centre: Int64
    let hospital: Int64
    let admin: Principal
    /// An agency account of the Yuzhou health centre, and one of the hospital.
    let centreDoctor: Principal
    let hospitalDoctor: Principal
    let provider: Principal
    let operatorOnDuty: Principal

    static let schema = Schema.shared.adding(CallStore.migrations).adding(ArchiveStore.migrations)
        .adding(ArchiveStore.syncMigrations)

    static func make() async throws -> ArchiveHarness {
        let folder = NSTemporaryDirectory() + "archive-" + UUID().uuidString
        let clock = TestClock()
        let db = try CareDatabase.open(at: folder + "/care.sqlite", schema: schema, clock: clock.careClock)
        try await db.migrate()
        for r in [
            Region(code: "450900000000", name: "玉林市", level: .city, parentCode: nil),
            Region(code: "450902000000", name: "玉州区", level: .district, parentCode: "450900000000"),
            Region(code: "450903000000", name: "福绵区", level: .district, parentCode: "450900000000"),
        ] {
            _ = try await db.registry.createRegion(r, by: .commandLine)
        }
        func institution(_ kind: InstitutionKind, _ name: String, _ region: String) async throws -> Int64 {
            let new = try NewInstitution(kind: kind, name: name, regionCode: region, address: "玉林市", location: nil, phone: "0775-2820000")
                .validated(now: clock.now)
            return try await db.registry.createInstitution(new, by: .commandLine).id
        }
        let centre = try await institution(.communityHealthCentre, "玉州区社区卫生服务中心", "450902000000")
        let hospital = try await institution(.hospital, "玉林市第一人民医院", "450902000000")
        func account(_ name: String, _ role: Role, _ institution: Int64?) async throws -> Principal {
            try await db.createAccount(NewAccount(name: name, role: role, institutionId: institution), by: .commandLine).principal
        }
        return ArchiveHarness(
            folder: folder, database: db, calls: CallStore(db), archive: HealthArchive(store: ArchiveStore(db)), clock: clock,
            centre: centre, hospital: hospital, admin: try await account("管理员", .admin, nil),
            centreDoctor: try await account("陈医生", .agency, centre), hospitalDoctor: try await account("林医生", .agency, hospital),
            provider: try await account("好帮手家政", .provider, nil), operatorOnDuty: try await account("李娜", .operator, nil))
    }

    /// Registers an elder in Yuzhou (or `region`), consenting to share the archive unless told not to.
    func addElder(_ n: Int, region: String = "450902000000", shares: Bool = true, birthYear: Int = 1945) async throws -> Elder {
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: birthYear, month: 3, day: 1 + n % 28)!, sequence: n)
        let elder = try NewElder(
            name: "测试\(n)", nationalId: id.value, phone: "13800001111", address: "玉林市玉州区人民路\(n)号", location: nil,
            regionCode: region, livingSituation: .alone, careLevel: .selfCare, consent: Consent(shareHealthArchive: shares)
        ).validated(now: clock.now)
        return try await database.registry.createElder(elder, by: .commandLine)
    }

    /// Gives an elder a device and returns its id.
    func addDevice(_ n: Int, elderId: Int64) async throws -> Device {
        try await database.registry.createDevice(NewDevice(id: "DEV-\(n)", type: .sosPendant, elderId: elderId), by: .commandLine).device
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}

/// FHIR resources as a client would send them.
enum Sample {
    static func heartRate(_ value: Double, patient: Int64, at: String = "2026-11-20T09:00:00+08:00") -> FHIRJSON {
        FHIRJSON.object(
            FHIRObject([
                ("resourceType", "Observation"), ("status", "final"),
                (
                    "category",
                    [
                        [
                            "coding": [
                                [
                                    "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs",
                                ]
                            ]
                        ]
                    ]
                ),
                ("code", ["coding": [["system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"]]]),
                ("subject", ["reference": .string("Patient/\(patient)")]),
                ("effectiveDateTime", .string(at)),
                (
                    "valueQuantity",
                    ["value": .number(String(value)), "unit": "/min", "system": "http://unitsofmeasure.org", "code": "/min"]
                ),
            ]))
    }

    static func condition(_ code: String, _ display: String, patient: Int64) -> FHIRJSON {
        FHIRJSON.object(
            FHIRObject([
                ("resourceType", "Condition"),
                (
                    "clinicalStatus",
                    ["coding": [["system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"]]]
                ),
                ("code", ["coding": [["system": "http://hl7.org/fhir/sid/icd-10", "code": .string(code), "display": .string(display)]]]),
                ("subject", ["reference": .string("Patient/\(patient)")]),
                ("recordedDate", "2025-03-01"),
            ]))
    }

    static func allergy(_ text: String, patient: Int64) -> FHIRJSON {
        FHIRJSON.object(
            FHIRObject([
                ("resourceType", "AllergyIntolerance"),
                (
                    "clinicalStatus",
                    ["coding": [["system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"]]]
                ),
                ("code", ["text": .string(text)]),
                ("patient", ["reference": .string("Patient/\(patient)")]),
            ]))
    }

    static func patient(nationalId: String) -> FHIRJSON {
        FHIRJSON.object(
            FHIRObject([
                ("resourceType", "Patient"),
                ("identifier", [["system": .string(FHIRSystem.nationalID), "value": .string(nationalId)]]),
                ("name", [["text": "任意"]]),
            ]))
    }
}
