import CareModel
import CareStore
import Emergency
import Foundation
import HealthArchive
import Testing

@Suite("The health archive")
struct ArchiveTests {
    @Test func aCreatedRecordReadsBackAsSentWithItsVersionAndPatient() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let patient = String(elder.id), at = t.clock.now
        for json in [
            Sample.heartRate(72, patient: elder.id), Sample.condition("I10", "高血压", patient: elder.id),
            Sample.allergy("青霉素", patient: elder.id),
            FHIRBuild.medication(.amlodipine, patientId: patient, since: "2024-05", asserted: at, reason: .hypertension),
            FHIRBuild.encounter(.checkup, patientId: patient, start: at, end: at.addingTimeInterval(1800)),
            FHIRBuild.archiveDocument(
                patientId: patient, title: "健康体检表", contentType: "application/pdf", data: Data("%PDF-1.4".utf8), at: at),
        ] {
            let type = FHIRResourceType(rawValue: json["resourceType"]?.string ?? "")!
            let (stored, created) = try await t.archive.create(json, as: type, by: t.centreDoctor)
            #expect(created)
            #expect(stored.version == 1)
            let read = try await t.archive.read(type, id: stored.id, by: t.centreDoctor)
            let served = try FHIRJSON.parse(Data(read.json.utf8))
            #expect(served["id"]?.string == stored.id)
            #expect(served["meta"]?["versionId"]?.string == "1")
            // Everything the client sent comes back unchanged.
            for key in json.object!.keys { #expect(served[key] == json[key], "\(type.rawValue).\(key)") }
        }
        // The first record gave the elder an archive: a Patient made from the registry.
        let made = try await t.archive.read(.patient, id: patient, by: t.centreDoctor)
        #expect(made.json.contains("测试1"))
        #expect(!made.json.contains(elder.nationalId), "the national ID is masked as the registry masks it")
    }

    @Test func invalidFHIRIsRefusedAndNothingIsStored() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        var broken = Sample.heartRate(72, patient: elder.id).object!
        broken["status"] = nil
        broken["valueQuanity"] = ["value": 72]
        await #expect(throws: OperationOutcome.self) {
            try await t.archive.create(.object(broken), as: .observation, by: t.centreDoctor)
        }
        do {
            _ = try await t.archive.create(Sample.heartRate(900, patient: elder.id), as: .observation, by: t.centreDoctor)
            Issue.record("a heart rate of 900 was stored")
        } catch let outcome as OperationOutcome {
            #expect(outcome.issues.contains { $0.expression == "Observation.valueQuantity.value" && $0.diagnostics.contains("900") })
        }
        let page = try await t.archive.search(.observation, [("patient", String(elder.id))], by: t.centreDoctor)
        #expect(page.matches.isEmpty)
    }

    @Test func aRecordForAnElderWhoIsNotRegisteredIsRefused() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        do {
            _ = try await t.archive.create(Sample.heartRate(72, patient: 999), as: .observation, by: t.admin)
            Issue.record("stored for a missing elder")
        } catch let refusal as ArchiveRefusal {
            #expect(refusal.status == 422)
            #expect(refusal.outcome.issues.first?.expression == "Observation.subject")
        }
    }

    @Test func aStaleIfMatchIsRefusedWithTheCurrentVersionAndHistoryKeepsEveryVersion() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let (v1, _) = try await t.archive.create(Sample.heartRate(72, patient: elder.id), as: .observation, by: t.centreDoctor)
        var next = Sample.heartRate(75, patient: elder.id).object!
        next["id"] = .string(v1.id)
        let v2 = try await t.archive.update(.object(next), as: .observation, id: v1.id, ifMatch: 1, by: t.centreDoctor)
        #expect(v2.version == 2)
        do {
            _ = try await t.archive.update(.object(next), as: .observation, id: v1.id, ifMatch: 1, by: t.admin)
            Issue.record("a stale version overwrote the record")
        } catch let refusal as ArchiveRefusal {
            #expect(refusal.status == 412)
            #expect(refusal.current?.version == 2)
        }
        let old = try await t.archive.read(.observation, id: v1.id, version: 1, by: t.centreDoctor)
        #expect(old.json.contains("72"))
        _ = try await t.archive.delete(.observation, id: v1.id, by: t.centreDoctor)
        await #expect(throws: ArchiveRefusal.self) { try await t.archive.read(.observation, id: v1.id, by: t.centreDoctor) }
        let history = try await t.archive.history(.observation, id: v1.id, by: t.centreDoctor)
        #expect(history.map(\.version) == [3, 2, 1])
        #expect(history.first?.deleted == true)
    }

    @Test func oneElderHasOnePatientAndConditionalCreateFindsIt() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let patient = Sample.patient(nationalId: elder.nationalId)
        let (first, created) = try await t.archive.create(patient, as: .patient, by: t.centreDoctor)
        #expect(created && first.id == String(elder.id))
        do {
            _ = try await t.archive.create(patient, as: .patient, by: t.centreDoctor)
            Issue.record("a second Patient for one elder")
        } catch let refusal as ArchiveRefusal {
            #expect(refusal.status == 409)
        }
        let condition = [("identifier", "\(FHIRSystem.nationalID)|\(elder.nationalId)")]
        let (again, createdAgain) = try await t.archive.create(patient, as: .patient, ifNoneExist: condition, by: t.centreDoctor)
        #expect(!createdAgain && again.id == first.id)
    }

    @Test func agenciesSeeTheirAreaAndEnrolmentsProvidersNeverTheWholeArchive() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let inArea = try await t.addElder(1)
        let elsewhere = try await t.addElder(2, region: "450903000000")
        let private_ = try await t.addElder(3, shares: false)
        for elder in [inArea, elsewhere, private_] {
            _ = try await t.archive.create(Sample.allergy("青霉素", patient: elder.id), as: .allergyIntolerance, by: t.admin)
        }
        func status(_ principal: Principal, _ elder: Elder, _ type: FHIRResourceType = .allergyIntolerance) async -> Int {
            do {
                _ = try await t.archive.search(type, [("patient", String(elder.id))], by: principal)
                return 200
            } catch let refusal as ArchiveRefusal {
                return refusal.status
            } catch {
                return 500
            }
        }
        #expect(await status(t.centreDoctor, inArea) == 200)
        #expect(await status(t.centreDoctor, elsewhere) == 403)
        #expect(await status(t.centreDoctor, private_) == 403, "no consent, no sharing")
        // A hospital sees no area, only its enrolled patients.
        #expect(await status(t.hospitalDoctor, inArea) == 403)
        #expect(await status(t.provider, inArea, .observation) == 403)
        #expect(await status(t.provider, inArea) == 403, "no booked service needs it")
        #expect(await status(t.operatorOnDuty, inArea) == 403)
        #expect(await status(t.admin, elsewhere) == 200)
        // Refusals are not recorded as reads; the allowed one is, with its reason.
        let log = try await t.database.auditLog(AuditFilter(elderId: inArea.id), page: PageRequest(limit: 50)).items
        #expect(log.contains { $0.action == "search" && $0.actorName == "陈医生" && $0.reason == "service area of 玉州区社区卫生服务中心" })
        #expect(!log.contains { $0.actorName == "林医生" })
    }

    @Test func searchPagesStayCompleteWhileRecordsAreAdded() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        for day in 1...9 {
            _ = try await t.archive.create(
                Sample.heartRate(Double(60 + day), patient: elder.id, at: "2026-11-0\(day)T09:00:00+08:00"), as: .observation,
                by: t.centreDoctor)
        }
        var seen: [String] = []
        var parameters = [("patient", "Patient/\(elder.id)"), ("_sort", "date"), ("_count", "4"), ("date", "ge2026-11-02")]
        while true {
            let page = try await t.archive.search(.observation, parameters, by: t.centreDoctor)
            seen += page.matches.map(\.id)
            // A record added between pages, dated before the pages read so far, is not shown
            // and shifts nothing: no match is repeated or skipped.
            _ = try await t.archive.create(
                Sample.heartRate(99, patient: elder.id, at: "2026-10-01T09:00:00+08:00"), as: .observation, by: t.centreDoctor)
            guard let next = page.next else { break }
            parameters = parameters.filter { $0.0 != "_cursor" } + [("_cursor", ArchiveQuery.cursor(next))]
        }
        #expect(seen.count == 8)
        #expect(Set(seen).count == 8)
        let dated = try await t.archive.search(.observation, [("patient", String(elder.id)), ("date", "2026-11-05")], by: t.centreDoctor)
        #expect(dated.matches.count == 1)
        #expect(dated.matches.first?.json.contains("65") == true)
    }

    @Test func anUnknownSearchParameterIsRefusedNotIgnored() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        for parameters in [[("patient", "1"), ("value-quantity", "gt100")], [("code", "8867-4")], [("patient", "1"), ("date", "soon")]] {
            do {
                _ = try await t.archive.search(.observation, parameters, by: t.admin)
                Issue.record("\(parameters) was accepted")
            } catch let refusal as ArchiveRefusal {
                #expect(refusal.status == 400)
            }
        }
        _ = elder
    }

    @Test func anOperatorBreakingTheGlassIsRecordedWithTheCall() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        _ = try await t.archive.create(Sample.condition("I10", "高血压", patient: elder.id), as: .condition, by: t.centreDoctor)
        _ = try await t.archive.create(Sample.allergy("青霉素", patient: elder.id), as: .allergyIntolerance, by: t.centreDoctor)
        _ = try await t.archive.create(Sample.heartRate(88, patient: elder.id), as: .observation, by: t.centreDoctor)
        let summary = try await t.archive.summary(elderId: elder.id, callId: 42, by: t.operatorOnDuty)
        #expect(summary.conditions.count == 1 && summary.conditions[0].contains("高血压"))
        #expect(summary.allergies.count == 1)
        #expect(summary.vitals.count == 1 && summary.vitals[0].contains("88"))
        let log = try await t.database.auditLog(AuditFilter(elderId: elder.id), page: PageRequest(limit: 50)).items
        #expect(log.contains { $0.action == "break_glass" && $0.actorName == "李娜" && $0.reason == "call 42" })
    }

    @Test func aConsultationIsRoutedAnsweredAndKeptAsAnEncounter() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        let asked = try await t.archive.store.ask(
            NewConsultation(elderId: elder.id, question: "血压药早上还是晚上吃？", channel: .phone), by: t.operatorOnDuty)
        #expect(asked.institutionId == t.centre)
        await #expect(throws: (any Error).self) {
            try await t.archive.store.answer(
                asked.id, ConsultationAnswer(answer: "早上"), by: ArchiveWriter(t.hospitalDoctor, reason: "answer"), institutionId: t.hospital
            )
        }
        let answered = try await t.archive.store.answer(
            asked.id, ConsultationAnswer(answer: "早上服用，每天固定时间。"), by: ArchiveWriter(t.centreDoctor, reason: "answer"),
            institutionId: t.centre)
        #expect(answered.status == .answered)
        let encounter = try #require(answered.encounter)
        let stored = try await t.archive.read(.encounter, id: String(encounter.dropFirst("Encounter/".count)), by: t.centreDoctor)
        #expect(stored.json.contains("血压药早上还是晚上吃"))
    }
}

@Suite("Enrolments and the registry")
struct EnrolmentTests {
    @Test func aHospitalSeesItsEnrolledPatientsUntilTheEnrolmentEnds() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1, region: "450903000000")
        _ = try await t.archive.create(Sample.allergy("青霉素", patient: elder.id), as: .allergyIntolerance, by: t.admin)
        let search = { try await t.archive.search(.allergyIntolerance, [("patient", String(elder.id))], by: t.hospitalDoctor) }
        await #expect(throws: ArchiveRefusal.self) { try await search() }
        try await t.archive.store.enrol(elderId: elder.id, institutionId: t.hospital, by: t.admin)
        #expect(try await search().matches.count == 1)
        try await t.archive.store.unenrol(elderId: elder.id, institutionId: t.hospital, by: t.admin)
        await #expect(throws: ArchiveRefusal.self) { try await search() }
    }

    @Test func thePatientFollowsTheRegistry() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let elder = try await t.addElder(1)
        _ = try await t.archive.create(Sample.allergy("青霉素", patient: elder.id), as: .allergyIntolerance, by: t.admin)
        let before = try await t.archive.read(.patient, id: String(elder.id), by: t.admin)
        _ = try await t.database.registry.updateElder(id: elder.id, by: .commandLine) { elder, now in
            try ElderPatch(address: "玉林市玉州区新民路8号").applied(to: elder, now: now)
        }
        let after = try await t.archive.read(.patient, id: String(elder.id), by: t.admin)
        #expect(after.version == before.version + 1)
        #expect(after.json.contains("新民路8号"))
        #expect(after.changedBy == "registry")
        // Unchanged, it stays at its version.
        #expect(try await t.archive.read(.patient, id: String(elder.id), by: t.admin).version == after.version)
    }
}
