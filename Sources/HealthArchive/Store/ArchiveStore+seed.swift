import CareModel
import CareStore
import Foundation
internal import GRDB
import Synchronization

/// What `eldercare seed` wrote into the archive.
public struct ArchiveSeedReport: Sendable {
    public var patients = 0
    public var resources = 0
    public var seconds = 0.0
}

extension ArchiveStore {
    /// Gives every registered elder who has no archive yet an archive: their Patient and the
    /// records `records` makes for them. Each chunk of elders commits in one transaction, so an
    /// elder's archive is all there or not at all, and the write-ahead log stays the size of a
    /// chunk (checkpointed from memory at each commit) instead of growing to the size of the
    /// city. Records are made and validated on other threads while the writer inserts the
    /// previous chunk; a record the validator refuses stops the seed (the generator is wrong).
    public func seedArchives(
        chunk: Int = 4096, records: @escaping @Sendable (Elder) -> [FHIRJSON], progress: ((Int) -> Void)? = nil
    ) throws -> ArchiveSeedReport {
        let started = Date()
        var report = ArchiveSeedReport()
        let now = database.clock.now()
        // The synthetic archive's output is validated in full by its tests; here only our rules.
        let validator = FHIRValidator.forOwnBuilders
        /// Makes and validates one chunk's records, on every core.
        @Sendable func prepare(_ elders: [Elder]) throws -> [SeedArchive] {
            let results = Mutex<[Int: Result<SeedArchive, any Error>]>([:])
            DispatchQueue.concurrentPerform(iterations: elders.count) { i in
                let elder = elders[i]
                let made = Result {
                    let patient = try validator.validate(
                        FHIRBuild.patient(
                            elder: elder, maskedNationalID: elder.masked.nationalId, archiveNumber: Self.defaultArchiveNumber(elder)),
                        expecting: .patient)
                    let resources = try records(elder).map { try validator.validate($0, expecting: nil) }
                    return SeedArchive(
                        elder: elder, resources: [patient] + resources,
                        templates: ([patient] + resources).map { ServedTemplate($0.resource) })
                }
                results.withLock { $0[i] = made }
            }
            return try results.withLock { table in try (0..<elders.count).map { try table[$0]!.get() } }
        }
        try database.pool.writeWithoutTransaction { db in
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            let insertArchive = try db.makeStatement(
                sql: "INSERT INTO health_archive (elder_id, archive_number, elder_version, created_at) VALUES (?, ?, ?, ?)")
            let insertResource = try db.makeStatement(
                sql: """
                    INSERT INTO health_resource
                        (rid, type, id, elder_id, version, updated_ms, changed_by, code, effective_ms, summary, chronic, json)
                    VALUES (?, ?, ?, ?, 1, ?, 'seed', ?, ?, ?, ?, ?)
                    """)
            var rid = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'health_resource'") ?? 0
            let created = SQLText.time(now)
            let millis = now.millis
            // The ids first: the loop below writes health_archive, which the query reads.
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM elder WHERE id NOT IN (SELECT elder_id FROM health_archive) ORDER BY id")
            func write(_ chunk: [SeedArchive]) throws {
                try db.inTransaction {
                    for archive in chunk {
                        let elder = archive.elder
                        try insertArchive.execute(arguments: [elder.id, Self.defaultArchiveNumber(elder), elder.version, created])
                        for (index, resource) in archive.resources.enumerated() {
                            rid += 1
                            // The Patient's id is its elder's.
                            let id = index == 0 ? String(elder.id) : String(rid)
                            let json = archive.templates[index].utf8(id: id, version: 1, at: now)
                            _ = try insertResource.run {
                                $0.add(rid); $0.add(resource.type.rawValue); $0.add(id); $0.add(elder.id); $0.add(millis)
                                $0.add(resource.codes.first); $0.add(resource.effective?.millis); $0.add(resource.summary)
                                $0.add(resource.isChronicCondition ? 1 : 0); $0.add(utf8: json)
                            }
                        }
                    }
                    return .commit
                }
                report.patients += chunk.count
                report.resources += chunk.reduce(0) { $0 + $1.resources.count }
                progress?(report.patients)
            }
            /// The chunk being made on other threads while the writer inserts the one before.
            var inFlight: (DispatchWorkItem, PreparedChunk)?
            for start in stride(from: 0, to: ids.count, by: chunk) {
                let wanted = ids[start..<min(start + chunk, ids.count)]
                let elders = try Row.fetchAll(
                    db, sql: "SELECT * FROM elder WHERE id BETWEEN ? AND ? ORDER BY id", arguments: [wanted.first!, wanted.last!]
                ).map(Elder.init(row:))
                let set = Set(wanted)
                let box = PreparedChunk()
                let batch = elders.filter { set.contains($0.id) }
                let item = DispatchWorkItem { box.value.withLock { $0 = Result { try prepare(batch) } } }
                DispatchQueue.global().async(execute: item)
                let previous = inFlight
                inFlight = (item, box)
                if let (item, box) = previous {
                    item.wait()
                    try write(try box.value.withLock { $0 }.get())
                }
            }
            if let (item, box) = inFlight {
                item.wait()
                try write(try box.value.withLock { $0 }.get())
            }
            try db.inTransaction {
                try database.audit(
                    db, .commandLine, "seed", "health_archive", "elders",
                    fields: ["patients:\(report.patients)", "resources:\(report.resources)"])
                return .commit
            }
            try db.execute(sql: "ANALYZE")
        }
        chronic.clear()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

/// One elder's archive, made and validated off the writer: the Patient first, then the records.
private struct SeedArchive: Sendable {
    var elder: Elder
    var resources: [ValidatedResource]
    var templates: [ServedTemplate]
}

/// One chunk of seed records, made on other threads.
private final class PreparedChunk: Sendable {
    let value = Mutex<Result<[SeedArchive], any Error>>(.success([]))
}
