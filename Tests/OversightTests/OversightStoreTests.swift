import CareModel
import CareStore
import Foundation
import GRDB
import Testing

@testable import Oversight

@Suite("Oversight's store")
struct OversightStoreTests {
    @Test func eldersAreCountedAtTheDateIncludingOneTurningSixtyThatDay() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        try await h.addElder(1, born: "1966-12-31")  // sixty on the date
        try await h.addElder(2, born: "1967-01-01")  // sixty the day after
        try await h.addElder(3, born: "1940-05-05", region: "450903101201")
        let inactive = try await h.addElder(4, born: "1940-05-06")
        _ = try await h.database.registry.updateElder(id: inactive.id, by: .commandLine) { e, _ in
            var e = e
            e.status = .inactive
            return e
        }
        _ = try await h.addHome("玉州区社会福利院", beds: 70, nursing: 40)

        let at = OversightHarness.day("2026-12-31")
        let beds = try await h.oversight.indicators(region: "450900000000", at: at).first { $0.id == "beds_per_1000" }!
        #expect(beds.note == "70 beds for 2 elders aged 60+; the target needs 1")
        #expect(beds.items.map(\.id) == ["450902000000", "450903000000", "450981000000"])
        #expect(beds.items.map(\.value) == [70_000, 0, nil])
        #expect(beds.items.map(\.flag) == [nil, "land_priority", "no_elders"])
        // A day earlier the first elder is 59.
        let before = try await h.oversight.indicators(region: "450902", at: OversightHarness.day("2026-12-30"))
        #expect(before.first { $0.id == "beds_per_1000" }?.value == nil)
        #expect(before.first { $0.id == "beds_per_1000" }?.items.count == 1)
    }

    @Test func profilesFacilitiesAndTheCarersQuestion() async throws {
        let h = try await OversightHarness.make(withBookings: true)
        defer { h.remove() }
        let home = try await h.addHome("福绵区中心敬老院", region: "450903101201", beds: 120, nursing: 60)
        _ = try await h.addHome("六龙村幸福院", region: "450903101201", beds: 0, nursing: 0, kind: .ruralHappinessHome)
        _ = try await h.oversight.saveProfile(
            InstitutionProfile(
                institutionId: home, operatingModel: .publicBuiltPrivatelyRun, ruralCentre: true, newPublicFacility: true,
                medicalService: .partnerClinic, professionalSocialWorkers: 1, staff: 10, carers: 5, residents: 60,
                wuBaoResidents: 60, wuBaoNonSelfCare: 20), by: .commandLine)
        _ = try await h.oversight.saveFacility(
            CommunityFacility(regionCode: "450902001001", urban: true, dayCareCentre: true, rehabilitationPlace: true), by: .commandLine)
        _ = try await h.oversight.saveFacility(CommunityFacility(regionCode: "450902001002", urban: true), by: .commandLine)
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.saveFacility(CommunityFacility(regionCode: "450902001000", urban: true), by: .commandLine)
        }
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.saveProfile(
                InstitutionProfile(institutionId: home, operatingModel: .publicRun, staff: 1, carers: 2), by: .commandLine)
        }
        let list = try await h.oversight.indicators(region: "450900000000", at: OversightHarness.day("2026-12-31"))
        func value(_ id: String) -> Indicator { list.first { $0.id == id }! }
        // The village counts by the happiness home registered there.
        #expect(value("community_day_care").value == 66.67)
        #expect(value("urban_community_rehabilitation").value == 50)
        #expect(value("rural_staff_ratio").value == 100)  // 10 × 8 ≥ 60
        #expect(value("rural_carer_ratio").value == 100)  // 5 × 4 ≥ 20
        #expect(value("rural_centre_100_beds").items.map(\.met) == [false, true, false])
        // Bookings answers (no carers yet): available, nothing to measure.
        #expect(value("carers_certified").available == true)
        #expect(value("carers_certified").note == "0 of 0 carers")
        #expect(try await h.oversight.profile(institutionId: home).wuBaoResidents == 60)
    }

    @Test func withoutBookingsTheCarersIndicatorSaysNotAvailable() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        let list = try await h.oversight.indicators(region: "450900000000", at: OversightHarness.day("2026-12-31"))
        #expect(list.first { $0.id == "carers_certified" }?.available == false)
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.indicators(region: "450902001001", at: OversightHarness.day("2026-12-31"))
        }
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.indicators(region: "450999000000", at: OversightHarness.day("2026-12-31"))
        }
    }

    @Test func aFindingRemindsThenGoesOverdueSuspendsAndIsPublishedAcrossARestart() async throws {
        var h = try await OversightHarness.make()
        defer { h.remove() }
        let home = try await h.addHome("玉州区颐养院", beds: 100, nursing: 50)
        let record = try await h.oversight.recordInspection(
            NewInspection(
                institutionId: home, inspectedOn: OversightHarness.day("2026-11-02"), inspector: "李检查",
                findings: [
                    NewFinding(domain: .fireSafety, severity: .major, scope: .isolated, clause: "GB 38600 4.4", description: "疏散通道堆放杂物")
                ]),
            by: .commandLine)
        let finding = record.findings[0]
        #expect(finding.deadline == LocalTime.midnight(OversightHarness.day("2026-12-03")))  // 30 days
        #expect(try await h.subsidyChanges() == [])
        let sweeper = { (h: OversightHarness) in RectificationSweeper(oversight: h.oversight, clock: h.clock.careClock) }

        #expect(try await sweeper(h).runOnce(now: OversightHarness.at("2026-11-20")).isEmpty)
        let reminded = try await sweeper(h).runOnce(now: OversightHarness.at("2026-11-30"))
        #expect(reminded.reminded == [finding.id])
        #expect(try await h.outboxKeys() == ["finding:\(finding.id):reminder"])

        // The server restarts; the deadline is in the file, not in memory.
        h = try h.reopened()
        h.clock.set(OversightHarness.at("2026-12-03"))
        let overdue = try await sweeper(h).runOnce(now: h.clock.now)
        #expect(overdue.overdue == [finding.id] && overdue.reminded == [])
        #expect(try await h.subsidyChanges() == ["operating_subsidy_suspended \(home)"])
        #expect(try await h.outboxKeys().last == "finding:\(finding.id):overdue")
        #expect(try await h.oversight.publishedViolations().isEmpty)

        // The institution replies within the notice period; then it is published with the reply.
        _ = try await h.oversight.reply(findingId: finding.id, text: "已清理通道，申请复查", institutionId: home, by: .commandLine)
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.reply(findingId: finding.id, text: "x", institutionId: home + 1, by: .commandLine)
        }
        #expect(try await sweeper(h).runOnce(now: OversightHarness.at("2026-12-17")).published == [])
        #expect(try await sweeper(h).runOnce(now: OversightHarness.at("2026-12-19")).published == [finding.id])
        let published = try await h.oversight.publishedViolations()
        #expect(published.map(\.institution) == ["玉州区颐养院"])
        #expect(published.first?.reply == "已清理通道，申请复查")
        // Nothing happens twice.
        #expect(try await sweeper(h).runOnce(now: OversightHarness.at("2026-12-30")).isEmpty)

        let rectified = try await h.oversight.rectify(findingId: finding.id, by: .commandLine)
        #expect(rectified.status == .rectified)
        #expect(try await h.subsidyChanges() == ["operating_subsidy_suspended \(home)", "operating_subsidy_restored \(home)"])
    }

    @Test func aSeriousFindingSuspendsAtOnceAndARectifiedMinorOneIsNotPublished() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        let home = try await h.addHome("玉州区颐养院", beds: 100, nursing: 50)
        let record = try await h.oversight.recordInspection(
            NewInspection(
                institutionId: home, inspectedOn: OversightHarness.day("2026-11-02"), inspector: "李检查",
                findings: [
                    NewFinding(domain: .foodSafety, severity: .serious, scope: .widespread, description: "食品留样缺失"),
                    NewFinding(domain: .hygiene, severity: .minor, scope: .isolated, description: "洗手间清洁记录不全"),
                ]), by: .commandLine)
        #expect(try await h.subsidyChanges() == ["operating_subsidy_suspended \(home)"])
        #expect(record.findings.map(\.status) == [.open, .open])
        _ = try await h.oversight.rectify(findingId: record.findings[1].id, by: .commandLine)
        await #expect(throws: StoreError.self) { _ = try await h.oversight.rectify(findingId: record.findings[1].id, by: .commandLine) }
        let r = try await RectificationSweeper(oversight: h.oversight).runOnce(now: OversightHarness.at("2027-03-01"))
        #expect(r.published == [record.findings[0].id])
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.recordInspection(
                NewInspection(institutionId: home, inspectedOn: OversightHarness.day("2027-01-01"), inspector: "李检查", findings: []),
                by: .commandLine)
        }
    }

    @Test func assessmentsAreGradedAndAppendOnly() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        let home = try await h.addHome("玉州区颐养院", beds: 100, nursing: 50)
        let scores = ["fire_safety": 92.0, "food_safety": 88, "hygiene": 95, "care_quality": 90, "gb38600": 96]
        let a = try await h.oversight.assess(
            NewAssessment(institutionId: home, assessedOn: OversightHarness.day("2026-10-30"), assessor: "评定委员会", scores: scores),
            by: .commandLine)
        #expect(a.grade.level == 5)
        _ = try await h.oversight.assess(
            NewAssessment(
                institutionId: home, assessedOn: OversightHarness.day("2026-11-01"), assessor: "评定委员会",
                scores: scores.merging(["food_safety": 65]) { $1 }), by: .commandLine)
        #expect(try await h.oversight.assessments(institutionId: home).map(\.grade.level) == [3, 5])
        await #expect(throws: StoreError.self) {
            _ = try await h.oversight.assess(
                NewAssessment(institutionId: home, assessedOn: OversightHarness.day("2026-11-01"), assessor: "x", scores: ["fire": 1]),
                by: .commandLine)
        }
        await #expect(throws: (any Error).self) {
            try await h.database.pool.write { db in try db.execute(sql: "UPDATE oversight_assessment SET level = 5") }
        }
        await #expect(throws: (any Error).self) {
            try await h.database.pool.write { db in try db.execute(sql: "DELETE FROM oversight_assessment") }
        }
    }

    @Test func aFrozenReturnDoesNotChangeWhenTheRegistryDoes() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        try await h.addElder(1, born: "1950-01-01")
        _ = try await h.addHome("玉州区社会福利院", beds: 30, nursing: 20)
        let period = ReturnPeriod("2026-Q4")!
        await #expect(throws: StoreError.self) { _ = try await h.oversight.freeze(period: period, by: .commandLine) }
        h.clock.set(OversightHarness.at("2027-01-05"))
        let frozen = try await h.oversight.freeze(period: period, by: .commandLine)
        #expect(frozen.asOf == OversightHarness.day("2026-12-31"))
        #expect(frozen.indicators.first { $0.id == "beds_per_1000" }?.value == 30_000)
        try await h.addElder(2, born: "1950-01-02")
        _ = try await h.addHome("新院", beds: 500, nursing: 400)
        let again = try await h.oversight.frozenReturn(period)
        #expect(again.indicators == frozen.indicators)
        await #expect(throws: StoreError.self) { _ = try await h.oversight.freeze(period: period, by: .commandLine) }
        await #expect(throws: (any Error).self) {
            try await h.database.pool.write { db in try db.execute(sql: "UPDATE oversight_return SET figures = '[]'") }
        }
        let csv = ReturnDocuments.csv(again)
        #expect(csv.contains("2026-Q4,2026-12-31,450900000000,beds_per_1000,"))
        let html = ReturnDocuments.html(again)
        #expect(html.contains("<svg") && html.contains("target 35"))
    }

    @Test func noOversightOutputNamesAnElder() async throws {
        let h = try await OversightHarness.make()
        defer { h.remove() }
        var elders: [Elder] = []
        for n in 1...5 { elders.append(try await h.addElder(n, born: "1945-03-0\(n)", name: "欧阳秀\(n)")) }
        let home = try await h.addHome("玉州区社会福利院", beds: 30, nursing: 20)
        let record = try await h.oversight.recordInspection(
            NewInspection(
                institutionId: home, inspectedOn: OversightHarness.day("2026-11-02"), inspector: "李检查",
                findings: [NewFinding(domain: .careQuality, severity: .serious, scope: .pattern, description: "夜间巡查记录缺失")]),
            by: .commandLine)
        h.clock.set(OversightHarness.at("2027-01-05"))
        _ = try await RectificationSweeper(oversight: h.oversight).runOnce(now: h.clock.now)
        let frozen = try await h.oversight.freeze(period: ReturnPeriod("2026-Q4")!, by: .commandLine)
        let encoder = JSONEncoder()
        var outputs: [String] = [
            String(
                decoding: try encoder.encode(
                    try await h.oversight.indicators(region: "450900000000", at: OversightHarness.day("2026-12-31"))), as: UTF8.self),
            String(decoding: try encoder.encode(try await h.oversight.inspections(institutionId: home)), as: UTF8.self),
            String(decoding: try encoder.encode(try await h.oversight.publishedViolations()), as: UTF8.self),
            String(decoding: try encoder.encode(frozen), as: UTF8.self), ReturnDocuments.csv(frozen), ReturnDocuments.html(frozen),
        ]
        outputs += try await h.database.pool.read { db in
            try String.fetchAll(db, sql: "SELECT payload FROM change_log WHERE entity = 'oversight' UNION ALL SELECT payload FROM outbox")
        }
        #expect(record.findings.count == 1)
        for text in outputs {
            for e in elders {
                #expect(!text.contains(e.name), "an elder's name in \(text.prefix(80))")
                #expect(!text.contains(e.nationalId), "an identity number in \(text.prefix(80))")
                #expect(!text.contains(String(e.nationalId.prefix(14))), "part of an identity number")
            }
        }
    }
}
