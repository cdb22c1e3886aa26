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
    /// elder's archive is all there or not at all. The one writer thread only inserts: records
    /// are made, checked and serialised (ids included) on other threads while it inserts the
    /// chunk before, and the file is in rollback-journal mode for the load (see
    /// `CareDatabase.withRollbackJournal`). A record the validator refuses stops the seed (the
    /// generator is wrong).
    public func seedArchives(
        chunk: Int = 4096, records: @escaping @Sendable (Elder) -> [FHIRJSON], progress: ((Int) -> Void)? = nil
    ) throws -> ArchiveSeedReport {
        let started = Date()
        var report = ArchiveSeedReport()
        let now = database.clock.now()
        // The synthetic archive's output is validated in full by its tests; here only our rules.
        let validator = FHIRValidator.forOwnBuilders
        let lastUpdated = FHIRInstant.text(now)
        /// Reads the elders of `rows` that `wanted` names and makes, validates and serialises their
        /// records on every core; the resources take the row ids from `firstRid` on, in order.
        @Sendable func prepare(_ fetched: FetchedRows, wanted: Set<Int64>, firstRid: Int64) throws -> SeedChunk {
            // Each elder is read from its row, and its records made, checked and turned into
            // templates, in parallel, and their trees freed there; only the ids, which depend on
            // the order, are left to a serial pass that copies bytes.
            let results = Mutex<[Int: Result<(elder: Elder, number: String, records: [SeedRecord])?, any Error>]>([:])
            Self.inParallel(fetched.rows.count) { i in
                let elder = Elder(row: fetched.rows[i])
                let made = Result { () -> (elder: Elder, number: String, records: [SeedRecord])? in
                    guard wanted.contains(elder.id) else { return nil }
                    let number = Self.defaultArchiveNumber(elder)
                    let patient = try validator.validate(
                        FHIRBuild.patient(
                            elder: elder, maskedNationalID: elder.masked.nationalId, archiveNumber: number),
                        expecting: .patient)
                    let records = try [patient] + records(elder).map { try validator.validate($0, expecting: nil) }
                    return (elder, number, records.map(SeedRecord.init))
                }
                results.withLock { $0[i] = made }
            }
            let made = try results.withLock { table in try (0..<fetched.rows.count).compactMap { try table[$0]!.get() } }
            var out = SeedChunk()
            out.rows.reserveCapacity(made.reduce(0) { $0 + $1.records.count })
            out.bytes.reserveCapacity(out.rows.capacity * 1_024)
            var rid = firstRid
            func text(_ value: String?) -> Range<Int>? {
                guard let value else { return nil }
                let start = out.bytes.count
                out.bytes.append(contentsOf: value.utf8)
                return start..<out.bytes.count
            }
            for (elder, number, records) in made {
                out.archives.append(SeedChunk.Archive(elderId: elder.id, number: number, version: elder.version))
                for (index, record) in records.enumerated() {
                    // The Patient's id is its elder's.
                    let id = index == 0 ? String(elder.id) : String(rid)
                    let start = out.bytes.count
                    record.template.append(id: id, version: 1, lastUpdated: lastUpdated, to: &out.bytes)
                    let json = start..<out.bytes.count
                    out.rows.append(
                        SeedChunk.Row(
                            rid: rid, type: record.type, isPatient: index == 0, elderId: elder.id, json: json,
                            code: text(record.code), effectiveMs: record.effectiveMs, summary: text(record.summary),
                            chronic: record.chronic))
                    rid += 1
                }
            }
            return out
        }
        try database.withRollbackJournal { db in
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
            let created = SQLText.time(now)
            let millis = now.millis
            // The ids first: the loop below writes health_archive, which the query reads.
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM elder WHERE id NOT IN (SELECT elder_id FROM health_archive) ORDER BY id")
            let after = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'health_resource'") ?? 0
            var nextRid = Self.firstSeedRid(after: after, elders: ids.count)
            func write(_ chunk: SeedChunk) throws {
                try db.inTransaction {
                    for archive in chunk.archives {
                        try insertArchive.execute(arguments: [archive.elderId, archive.number, archive.version, created])
                    }
                    try chunk.bytes.withUnsafeBufferPointer { bytes in
                        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }
                        for row in chunk.rows {
                            _ = try insertResource.run {
                                $0.add(row.rid); $0.add(row.type.rawValue)
                                $0.add(row.isPatient ? String(row.elderId) : String(row.rid))
                                $0.add(row.elderId); $0.add(millis)
                                if let code = row.code { $0.add(utf8: slice(code)) } else { $0.addNull() }
                                $0.add(row.effectiveMs)
                                if let summary = row.summary { $0.add(utf8: slice(summary)) } else { $0.addNull() }
                                $0.add(row.chronic ? 1 : 0); $0.add(utf8: slice(row.json))
                            }
                        }
                    }
                    return .commit
                }
                report.patients += chunk.archives.count
                report.resources += chunk.rows.count
                progress?(report.patients)
            }
            /// The chunk being made on other threads while the writer inserts the one before.
            var inFlight: (DispatchGroup, PreparedChunk)?
            for start in stride(from: 0, to: ids.count, by: chunk) {
                let wanted = ids[start..<min(start + chunk, ids.count)]
                let rows = FetchedRows(
                    rows: try Row.fetchAll(
                        db, sql: "SELECT * FROM elder WHERE id BETWEEN ? AND ? ORDER BY id", arguments: [wanted.first!, wanted.last!]))
                let set = Set(wanted)
                // The previous chunk's size says where this one's row ids start.
                let previous = try inFlight.map { item, box in
                    item.wait()
                    return try box.value.withLock { $0 }.get()
                }
                if let previous { nextRid += Int64(previous.rows.count) }
                let box = PreparedChunk()
                let item = DispatchGroup()
                item.enter()
                DedicatedThread.start(named: "seed-prepare", nice: Self.preparersNice) { [nextRid] in
                    box.value.withLock { $0 = Result { try prepare(rows, wanted: set, firstRid: nextRid) } }
                    item.leave()
                }
                inFlight = (item, box)
                if let previous { try write(previous) }
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
            // Statistics from a sample of each index: a full ANALYZE reads every page of a
            // twenty-gigabyte city, and the planner's choices here need only the proportions.
            try db.execute(sql: "PRAGMA analysis_limit = 1000; ANALYZE; PRAGMA analysis_limit = 0")
        }
        chronic.clear()
        report.seconds = Date().timeIntervalSince(started)
        return report
    }
}

extension ArchiveStore {
    /// Where a bulk load's row ids start: after `after`, at a power of ten when that gives every
    /// id of the load as many digits (assuming at most 64 records per elder on average).
    ///
    /// A resource's id is its row id as text, and the unique index on (type, id) orders text:
    /// "10000000" sorts between "1000000" and "1000001". With ids of one width it grows at its
    /// end, like the table; with ids that gain a digit midway, each insert lands somewhere in
    /// the middle of an index larger than the page cache, and a million-elder load spends its
    /// time reading and rewriting index pages.
    static func firstSeedRid(after: Int64, elders: Int) -> Int64 {
        let next = after + 1
        let last = next + Int64(elders) * 64
        var power: Int64 = 1
        while power * 10 <= last { power *= 10 }
        return max(next, power)
    }

    /// The preparing threads run below the writer, which is the load's one bottleneck: when
    /// they share its cores as equals, it waits its turn behind them.
    fileprivate static let preparersNice: Int32 = 10

    /// Runs `body` for 0..<count on one thread per core, each taking every n-th index.
    fileprivate static func inParallel(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let done = DispatchGroup()
        for first in 0..<threads {
            done.enter()
            DedicatedThread.start(named: "seed-prepare", nice: preparersNice) {
                for i in stride(from: first, to: count, by: threads) { body(i) }
                done.leave()
            }
        }
        done.wait()
    }
}

/// One chunk of elders' archives, made and serialised off the writer: each value as it is bound,
/// the text of all of them in one buffer, so the writer neither builds nor frees per record.
private struct SeedChunk: Sendable {
    struct Archive: Sendable {
        var elderId: Int64
        var number: String
        var version: Int
    }
    /// One resource's row; the ranges are in ``bytes``.
    struct Row: Sendable {
        var rid: Int64
        var type: FHIRResourceType
        var isPatient: Bool
        var elderId: Int64
        var json: Range<Int>
        var code: Range<Int>?
        var effectiveMs: Int64?
        var summary: Range<Int>?
        var chronic: Bool
    }
    var archives: [Archive] = []
    var rows: [Row] = []
    var bytes: [UInt8] = []
}

/// One record made and checked, without its tree: what its row needs.
private struct SeedRecord: Sendable {
    var type: FHIRResourceType
    var template: ServedTemplate
    var code: String?
    var effectiveMs: Int64?
    var summary: String?
    var chronic: Bool

    init(_ resource: ValidatedResource) {
        type = resource.type
        template = ServedTemplate(resource.resource)
        code = resource.codes.first
        effectiveMs = resource.effective?.millis
        summary = resource.summary
        chronic = resource.isChronicCondition
    }
}

/// Rows as `fetchAll` returns them: copies, never changed after the fetch, so another thread may
/// read them (GRDB marks every `Row` unsendable, since a row read from a cursor is not a copy).
private struct FetchedRows: @unchecked Sendable {
    var rows: [Row]
}

/// One chunk of seed records, made on other threads.
private final class PreparedChunk: Sendable {
    let value = Mutex<Result<SeedChunk, any Error>>(.success(SeedChunk()))
}
