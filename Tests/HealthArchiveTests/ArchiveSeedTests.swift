import CareModel
import CareStore
import Foundation
import Testing

@testable import HealthArchive

/// `eldercare seed`'s archive load: rows made off the writer, ids assigned ahead, chunk by chunk.
@Suite("Seeding archives")
struct ArchiveSeedTests {
    @Test func everySeededRecordIsServedWithItsOwnIdAndLaterRecordsFollowOn() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        var elders: [Elder] = []
        for n in 1...5 { elders.append(try await t.addElder(n)) }
        let at = t.clock.now, first = elders[0].id
        // Elder n gets n heart rates, so chunks of two hold different numbers of records.
        let report = try ArchiveStore(t.database).seedArchives(chunk: 2) { elder in
            let n = Int(elder.id - first) + 1
            return (0..<n).map { FHIRBuild.vital(.heartRate, value: Double(60 + $0), patientId: String(elder.id), at: at) }
        }
        #expect(report.patients == 5)
        #expect(report.resources == 5 + (1 + 2 + 3 + 4 + 5))

        var ids: Set<String> = []
        for elder in elders {
            let patient = try await t.archive.read(.patient, id: String(elder.id), by: t.centreDoctor)
            #expect(patient.version == 1)
            let page = try await t.archive.search(.observation, [("patient", String(elder.id)), ("_count", "50")], by: t.centreDoctor)
            #expect(page.matches.count == Int(elder.id - elders[0].id) + 1)
            for match in page.matches {
                let id = match.id
                // The id in the served JSON is the one the row is found by.
                let read = try await t.archive.read(.observation, id: id, by: t.centreDoctor)
                #expect(try FHIRJSON.parse(Data(read.json.utf8))["id"]?.string == id)
                #expect(read.changedBy == "seed")
                ids.insert(id)
            }
        }
        #expect(ids.count == 15)

        // A record written after the seed takes the next id, not one the seed used.
        let (later, _) = try await t.archive.create(Sample.heartRate(80, patient: elders[0].id), as: .observation, by: t.centreDoctor)
        #expect(!ids.contains(later.id))
        #expect(Int(later.id)! > ids.compactMap { Int($0) }.max()!)
        let mode = try await t.database.pragmas()["journal_mode"]
        #expect(mode == "wal")
    }

    @Test func aLoadsIdsAllHaveOneWidthSoTheTextIndexGrowsAtItsEnd() {
        #expect(ArchiveStore.firstSeedRid(after: 0, elders: 1_000_000) == 10_000_000)
        #expect(ArchiveStore.firstSeedRid(after: 0, elders: 30_000) == 1_000_000)
        #expect(ArchiveStore.firstSeedRid(after: 0, elders: 5) == 100)
        // Already wider than the load needs: straight on.
        #expect(ArchiveStore.firstSeedRid(after: 12_345_678, elders: 10) == 12_345_679)
        #expect(ArchiveStore.firstSeedRid(after: 0, elders: 0) == 1)
    }
}
