import CareModel
import Foundation
import GRDB
import Synchronization
import Testing

@testable import CareStore

/// Stores meeting in one transaction: a published fact reaches its subscriber in the
/// publisher's transaction (and is undone with it); a question gets its one answer.
@Suite("The transaction bus")
struct TransactionBusTests {
    struct Reading: Sendable { var value: Int }
    struct Question: Sendable { var n: Int }

    @Test func aSubscriberWritesInThePublishersTransactionAndUsesWhatWasPrepared() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        let prepared = Mutex(0)
        t.database.bus.subscribe(
            Reading.self,
            prepare: { (reading: Reading) -> String in
                prepared.withLock { $0 += 1 }
                return "reading \(reading.value)"
            },
            handle: { (db: Database, _: Reading, text: String) in
                try db.execute(
                    sql: "INSERT INTO change_log (at, entity, entity_id, change, payload) VALUES ('', 't', 0, ?, '')", arguments: [text])
            })
        let ready = t.database.bus.prepare(Reading(value: 1))
        try await t.database.write { db in try t.database.bus.publish(db, Reading(value: 1), prepared: ready) }
        #expect(prepared.withLock { $0 } == 1, "prepared once, before the transaction")
        // Without a prepared value the subscriber prepares inline.
        try await t.database.write { db in try t.database.bus.publish(db, Reading(value: 2)) }
        #expect(prepared.withLock { $0 } == 2)
        // A transaction that fails after publishing leaves nothing of what the subscriber wrote.
        struct Failed: Error {}
        await #expect(throws: Failed.self) {
            try await t.database.write { db in
                try t.database.bus.publish(db, Reading(value: 3))
                throw Failed()
            }
        }
        let changes = try await t.database.changes(of: "t", after: 0, limit: 10).map(\.change)
        #expect(changes == ["reading 1", "reading 2"])
    }

    @Test func aQuestionWithoutAnAnswererGetsNil() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        #expect(try await t.database.read { db in try t.database.bus.ask(db, Question(n: 2), as: Int.self) } == nil)
        t.database.bus.answer(Question.self) { _, q in q.n * 2 }
        #expect(try await t.database.read { db in try t.database.bus.ask(db, Question(n: 2), as: Int.self) } == 4)
    }
}
