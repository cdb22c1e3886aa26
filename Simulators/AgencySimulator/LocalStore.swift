import AgencySQLite
import Foundation

/// A simulated agency's own SQLite database: its copy of the archives it serves, its cursor,
/// and the pushes it has not yet seen answered. Every change commits before the simulator acts
/// on it, so a kill at any moment loses nothing: on restart the cursor and the pending pushes
/// are where they were.
final class LocalStore {
    private var db: OpaquePointer?
    let path: String

    init(path: String) throws {
        self.path = path
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw SimFailure("cannot open \(path)") }
        try exec("PRAGMA journal_mode = WAL")
        try exec("PRAGMA synchronous = FULL")
        try exec(
            """
            CREATE TABLE IF NOT EXISTS resource (key TEXT PRIMARY KEY, elder INTEGER NOT NULL, version INTEGER NOT NULL, json TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS pending (push_id TEXT PRIMARY KEY, body TEXT NOT NULL, made_at REAL NOT NULL);
            CREATE TABLE IF NOT EXISTS conflict (id INTEGER PRIMARY KEY, resolution TEXT);
            """)
    }

    deinit { sqlite3_close(db) }

    func exec(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "?"
            sqlite3_free(error)
            throw SimFailure("sqlite: \(message) in \(sql.prefix(60))")
        }
    }

    /// Runs one statement with text/integer arguments, returning its rows as text.
    @discardableResult
    func run(_ sql: String, _ arguments: [Any?] = []) throws -> [[String?]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw SimFailure("sqlite: \(String(cString: sqlite3_errmsg(db))) in \(sql.prefix(60))")
        }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, argument) in arguments.enumerated() {
            let index = Int32(i + 1)
            switch argument {
            case let n as Int: sqlite3_bind_int64(statement, index, Int64(n))
            case let n as Int64: sqlite3_bind_int64(statement, index, n)
            case let d as Double: sqlite3_bind_double(statement, index, d)
            case let s as String: sqlite3_bind_text(statement, index, s, -1, transient)
            default: sqlite3_bind_null(statement, index)
            }
        }
        var rows: [[String?]] = []
        while true {
            let step = sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw SimFailure("sqlite: \(String(cString: sqlite3_errmsg(db)))") }
            rows.append(
                (0..<sqlite3_column_count(statement)).map { column in
                    sqlite3_column_text(statement, column).map { String(cString: $0) }
                })
        }
        return rows
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try exec("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try exec("COMMIT")
            return result
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    func meta(_ key: String) throws -> String? { try run("SELECT value FROM meta WHERE key = ?", [key]).first?[0] ?? nil }

    func setMeta(_ key: String, _ value: String) throws {
        try run("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])
    }
}

struct SimFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
