import CareModel
import Foundation
package import GRDB
import Logging
import Synchronization

/// The platform's one SQLite file and the small core every service's store is built on.
///
/// WAL journal (readers never wait for the writer), foreign keys on, a busy timeout, and
/// `synchronous=FULL`, so a transaction that has committed survives power loss.
///
/// What the core offers the stores (the `package` interface, documented in
/// Docs/architecture.md): the pool's readers and its one writer (``read(_:)``, ``write(_:)``,
/// ``writeNow(_:)``, ``pointRead(_:)``), the clock and randomness, the commit signal, row
/// observers for caches (``observe(_:)``), and the tables every service shares: the audit log,
/// the change log, the outbox, accounts and tokens. The tables of one service belong to that
/// service's store, which registers its migrations in the ``Schema`` the database is opened with.
///
/// ```swift
/// let db = try CareDatabase.open(at: "data/eldercare.sqlite", schema: .shared)
/// try await db.migrate()
/// let elder = try await db.registry.elder(id: 42)
/// ```
public final class CareDatabase: Sendable {
    package let pool: DatabasePool
    package let clock: CareClock
    package let random: SecretSource
    /// Facts and questions between stores inside one transaction (``TransactionBus``).
    package let bus = TransactionBus()
    /// Every store's migrations, in the order they run.
    let schema: Schema
    /// Recently verified tokens: a busy client costs one hash per request, not a read.
    let tokenCache = ExpiringCache<Data, Principal>(lifetime: 10, capacity: 10_000)
    /// Signalled after each commit that wrote to the change log.
    let changesCommitted = CommitSignal()
    /// Whether the write transaction in progress has written to the change log (see `noting`).
    let changeLogged = Atomic<Bool>(false)
    /// The file this database lives in.
    public let path: String

    /// Options for opening the file.
    public struct Options: Sendable {
        public var busyTimeoutMilliseconds: Int = 5_000
        public var maximumReaderCount: Int = 8
        public init(busyTimeoutMilliseconds: Int = 5_000, maximumReaderCount: Int = 8) {
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.maximumReaderCount = maximumReaderCount
        }
    }

    /// Opens (creating if needed) the database at `path`. Its folder is created too.
    /// Migrations are not run here: call ``migrate()``.
    /// - Parameter schema: the stores whose tables this process uses; ``Schema/shared`` holds
    ///   the core and the registry, and the server adds each service's.
    public static func open(
        at path: String, schema: Schema = .shared, options: Options = Options(),
        clock: CareClock = .system, random: SecretSource = .system
    ) throws -> CareDatabase {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(TimeInterval(options.busyTimeoutMilliseconds) / 1000)
        config.maximumReaderCount = options.maximumReaderCount
        config.label = "eldercare"
        let pool = try DatabasePool(path: path, configuration: config)
        // FULL: the WAL is synced on every commit, so an acknowledged write survives power loss.
        // Set after opening because GRDB switches its one writer connection to NORMAL when it
        // enables WAL; the pool keeps that connection for its whole life.
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return CareDatabase(pool: pool, path: path, schema: schema, clock: clock, random: random)
    }

    init(pool: DatabasePool, path: String, schema: Schema, clock: CareClock, random: SecretSource) {
        self.pool = pool
        self.path = path
        self.schema = schema
        self.clock = clock
        self.random = random
    }

    /// Runs every migration not yet applied, in order.
    public func migrate() async throws {
        try await Task.detached { [pool, schema] in try schema.migrate(pool) }.value
    }

    /// Whether every migration this build knows has been applied.
    public func isMigrated() async throws -> Bool {
        try await pool.read { db in try self.schema.migrator.hasCompletedMigrations(db) }
    }

    /// The identifiers of applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try self.schema.migrator.appliedMigrations(db) }
    }

    /// Facts about the open file, for `/ready` and the CLI.
    public func pragmas() async throws -> [String: String] {
        try await pool.writeWithoutTransaction { db in
            var out: [String: String] = [:]
            for name in ["journal_mode", "synchronous", "foreign_keys", "busy_timeout"] {
                out[name] = try String.fetchOne(db, sql: "PRAGMA \(name)") ?? ""
            }
            return out
        }
    }

    /// Closes every connection. Further use throws.
    public func close() throws { try pool.close() }

    /// Runs `body` on the writer with SQLite's rollback journal in place of the WAL, for a bulk
    /// load into a file nothing else has open (`eldercare seed`).
    ///
    /// In WAL mode every page is written twice: into the log, then copied into the file by a
    /// checkpoint that first reads it back. A rollback journal keeps only the original of a page
    /// the transaction changes, and a bulk load mostly appends pages the file did not have, so
    /// each page is written once. Commits stay durable (`synchronous=FULL` syncs the journal and
    /// the file). The readers are closed first; if another connection still has the file open
    /// SQLite keeps the WAL and the load simply runs in it. The WAL is back when this returns.
    package func withRollbackJournal<T>(_ body: (Database) throws -> T) throws -> T {
        pool.invalidateReadOnlyConnections()
        return try pool.writeWithoutTransaction { db in
            // SQLite answers "locked" while another connection has the file open.
            let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            guard mode == "delete" else { return try body(db) }
            let result = Result { try body(db) }
            // GRDB sets the writer to NORMAL when it enables the WAL; FULL is this file's rule.
            let restored = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
            guard restored == "wal" else {
                throw StoreError.conflict(reason: "the database could not return to WAL mode (it is in \(restored ?? "no") mode)")
            }
            return try result.get()
        }
    }
}

// MARK: - The interface stores use

extension CareDatabase {
    /// A read transaction on one of the pool's readers.
    package func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// A write transaction on the one writer. After it commits, the live feed and every other
    /// waiter on ``waitForChanges(after:timeout:)`` are woken if it wrote to the change log.
    package func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let (result, logged) = try await pool.write { db in try self.noting(db, body) }
        if logged { changesCommitted.signal() }
        return result
    }

    /// ``write(_:)`` on the calling thread, which blocks until the transaction is durable (the
    /// intake's writer thread, which must not hop to GRDB's queue and back per batch).
    package func writeNow<T>(_ body: (Database) throws -> T) throws -> T {
        let (result, logged) = try pool.write { db in try self.noting(db, body) }
        if logged { changesCommitted.signal() }
        return result
    }

    /// A read by primary key, run on the calling thread.
    ///
    /// Such a read takes tens of microseconds; sending it to a reader queue and back costs more
    /// than the read itself in thread switches, so hot single-row lookups (tokens, a device's
    /// credentials) block briefly instead. The body must run a single SELECT: SQLite makes one
    /// statement atomic, so the BEGIN/COMMIT a multi-statement read needs would only add work.
    package func pointRead<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead(body)
    }

    /// Registers an observer of the writer's transactions for as long as the observer lives:
    /// how a store keeps a cache of rows another store writes (see ``RowWatch``).
    package func observe(_ observer: some TransactionObserver) {
        pool.add(transactionObserver: observer, extent: .observerLifetime)
    }

    /// Runs `body` inside the transaction and says whether it wrote to the change log. Only then
    /// are the live feed and the notifier woken: a commit of heartbeats alone changes nothing
    /// they show, and at a city's thousand heartbeats a second waking them for each cost more
    /// than the heartbeats. Read inside the transaction, where no other one can set it meanwhile.
    private func noting<T>(_ db: Database, _ body: (Database) throws -> T) throws -> (T, Bool) {
        changeLogged.store(false, ordering: .relaxed)
        let result = try body(db)
        return (result, changeLogged.exchange(false, ordering: .relaxed))
    }
}

/// Where secrets (tokens, device keys) get their randomness; injected so tests control it.
public struct SecretSource: Sendable {
    public var bytes: @Sendable (Int) -> [UInt8]
    public init(bytes: @escaping @Sendable (Int) -> [UInt8]) { self.bytes = bytes }

    /// The operating system's cryptographically secure generator (getrandom on Linux).
    public static let system = SecretSource { count in
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &g) }
    }
}
