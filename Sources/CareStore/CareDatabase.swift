import CareModel
import Foundation
import GRDB
import Logging
import Synchronization

/// The platform's one SQLite file, opened through a GRDB `DatabasePool`.
///
/// WAL journal (readers never wait for the writer), foreign keys on, a busy timeout, and
/// `synchronous=FULL`, so a transaction that has committed survives power loss. Every write
/// method runs in one transaction together with its audit entry.
///
/// ```swift
/// let db = try CareDatabase.open(at: "data/eldercare.sqlite")
/// try await db.migrate()
/// let elder = try await db.elder(id: 42)
/// ```
public final class CareDatabase: Sendable {
    let pool: DatabasePool
    let clock: CareClock
    let random: SecretSource
    let escalation: EscalationPolicy
    /// Recently verified tokens: a busy client costs one hash per request, not a read.
    let tokenCache = ExpiringCache<Data, Principal>(lifetime: 10, capacity: 10_000)
    /// Devices' credentials as the intake last read them: every event is signed, so this read
    /// would otherwise come first in every request. Ten minutes, longer than the usual
    /// five-minute heartbeat, so a quiet device's heartbeats are answered from memory too;
    /// every device change this process makes drops the entry at once, and no other process
    /// changes devices (seeding refuses a registry that has any).
    let deviceCredentialCache = ExpiringCache<String, DeviceWithSecret>(lifetime: 600, capacity: 100_000)
    /// Elders as the intake last read them, so its write transaction does not decode an elder
    /// row for every event. Elders change only through this process: `updateElder` and
    /// `deleteElder` drop the entry, and seeding refuses a registry that already holds elders.
    let elderCache = WriterCache<Int64, Elder>(capacity: 50_000)
    let openCallCache = OpenCallCache()
    /// Each device's elder and supervision columns as the intake's writer last left them:
    /// without it every event read two random pages (the id index and the row) among hundreds of
    /// thousands of devices, which SQLite's small page cache cannot hold. The supervisor
    /// declaring a device offline and a device update drop the entry inside their transactions;
    /// a failed intake transaction clears the table (`forgetUncommittedIntakeState`).
    let deviceStateCache = WriterCache<String, DeviceState>(capacity: 100_000)
    let callsChanged = CommitSignal()
    /// Whether the write transaction in progress has written to the change log (see
    /// `notingCallChanges`).
    let callChangeLogged = Atomic<Bool>(false)
    /// The file this database lives in.
    public let path: String

    /// Options for opening the file.
    public struct Options: Sendable {
        public var busyTimeoutMilliseconds: Int = 5_000
        public var maximumReaderCount: Int = 8
        /// When unclaimed calls, late responders and missing follow-ups are escalated: every
        /// call write sets its next deadline from this.
        public var escalation: EscalationPolicy = .default
        public init(busyTimeoutMilliseconds: Int = 5_000, maximumReaderCount: Int = 8, escalation: EscalationPolicy = .default) {
            self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
            self.maximumReaderCount = maximumReaderCount
            self.escalation = escalation
        }
    }

    /// Opens (creating if needed) the database at `path`. Its folder is created too.
    /// Migrations are not run here: call ``migrate()``.
    public static func open(at path: String, options: Options = Options(), clock: CareClock = .system,
                            random: SecretSource = .system) throws -> CareDatabase {
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
        return CareDatabase(pool: pool, path: path, clock: clock, random: random, escalation: options.escalation)
    }

    init(pool: DatabasePool, path: String, clock: CareClock, random: SecretSource, escalation: EscalationPolicy) {
        self.pool = pool
        self.path = path
        self.clock = clock
        self.random = random
        self.escalation = escalation
    }

    /// Runs every migration not yet applied, in order.
    public func migrate() async throws {
        try await Task.detached { [pool] in try Migrations.migrator.migrate(pool) }.value
    }

    /// Whether every migration this build knows has been applied.
    public func isMigrated() async throws -> Bool {
        try await pool.read { db in try Migrations.migrator.hasCompletedMigrations(db) }
    }

    /// The identifiers of applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await pool.read { db in try Migrations.migrator.appliedMigrations(db) }
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

    /// A read by primary key, run on the calling thread.
    ///
    /// Such a read takes tens of microseconds; sending it to a reader queue and back costs more
    /// than the read itself in thread switches, so hot single-row lookups (tokens, an elder by
    /// id) block briefly instead. Listings and scans use the asynchronous `pool.read`.
    /// The body must run a single SELECT: SQLite makes one statement atomic, so the BEGIN/COMMIT
    /// a multi-statement read needs would only add work.
    func pointRead<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.unsafeRead(body)
    }

    /// Closes every connection. Further use throws.
    public func close() throws { try pool.close() }
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
