import Foundation
package import GRDB
internal import GRDBSQLite

/// Hot statements, bound and stepped through SQLite's C API.
///
/// GRDB's `execute(arguments:)` boxes every argument in an existential, converts it to a
/// `DatabaseValue`, and binds it inside nested closures; `Row.fetchOne` builds a cursor and a row
/// object. For the few statements a hot path runs per event on the one writer thread, that costs more
/// than SQLite's own work, so these bind plain values directly. The statements still come from
/// GRDB's cache on the writer connection, and run inside GRDB's transactions; transaction
/// observers do not see them (``RowWatch`` says why that is right for the rows they write).
///
/// ```swift
/// let changed = try db.cachedStatement(sql: "UPDATE device SET last_seen_at = ? WHERE id = ?")
///     .run { $0.add(stamp); $0.add(deviceId) }
/// let reply = try db.cachedStatement(sql: "SELECT reply FROM device_event WHERE device_id = ? AND ref = ?")
///     .first({ $0.add(deviceId); $0.add(ref) }) { $0.blob(0) }
/// ```
package struct DirectBindings {
    fileprivate let handle: OpaquePointer
    private var index: Int32 = 0

    fileprivate init(_ handle: OpaquePointer) { self.handle = handle }

    /// SQLite copies the bytes before the call returns, so Swift's buffers may go away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    package mutating func add(_ value: Int64) {
        index += 1
        sqlite3_bind_int64(handle, index, value)
    }

    package mutating func add(_ value: Int) { add(Int64(value)) }

    package mutating func add(_ value: Int64?) {
        if let value { add(value) } else { addNull() }
    }

    package mutating func add(_ value: String) {
        index += 1
        var value = value
        value.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                // An empty string binds as empty text, not NULL.
                _ = sqlite3_bind_text(
                    handle, index, chars.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(chars.count),
                    Self.transient)
            }
        }
    }

    package mutating func add(_ value: String?) {
        if let value { add(value) } else { addNull() }
    }

    package mutating func add(_ value: Data) {
        index += 1
        value.withUnsafeBytes { bytes in
            // A zero-length blob still binds as a blob, not NULL.
            _ = sqlite3_bind_blob(
                handle, index, bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(bytes.count),
                Self.transient)
        }
    }

    /// UTF-8 bytes bound as text, for JSON made as bytes.
    package mutating func add(utf8 value: [UInt8]) {
        value.withUnsafeBufferPointer { add(utf8: $0) }
    }

    /// UTF-8 bytes bound as text, from a buffer holding many values (a bulk load's).
    package mutating func add(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        index += 1
        bytes.withMemoryRebound(to: CChar.self) { chars in
            _ = sqlite3_bind_text(
                handle, index, chars.baseAddress ?? UnsafePointer(bitPattern: 1), Int32(chars.count), Self.transient)
        }
    }

    package mutating func addNull() {
        index += 1
        sqlite3_bind_null(handle, index)
    }
}

/// The current row of a statement stepped by ``DirectBindings``.
package struct DirectRow {
    fileprivate let handle: OpaquePointer

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    package func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
    package func blob(_ column: Int32) -> Data {
        guard let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }
    /// A `Date` column as GRDB stores it; another shape is read by GRDB's own conversion.
    package func date(_ column: Int32) -> Date {
        let text = text(column)
        return SQLText.date(fromTimeText: text) ?? Date.fromDatabaseValue(text.databaseValue) ?? Date(timeIntervalSince1970: 0)
    }
}

extension Statement {
    /// Binds, runs to completion and resets; returns how many rows the statement changed.
    @discardableResult
    package func run(_ bind: (inout DirectBindings) -> Void) throws -> Int {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        var bindings = DirectBindings(handle)
        bind(&bindings)
        defer { sqlite3_reset(handle) }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_DONE: return Int(sqlite3_changes(sqlite3_db_handle(handle)))
            case SQLITE_ROW: continue
            default: throw failure()
            }
        }
    }

    /// Binds, steps once and reads the first row, if there is one.
    package func first<T>(_ bind: (inout DirectBindings) -> Void, read: (DirectRow) throws -> T) throws -> T? {
        let handle = sqliteStatement
        sqlite3_reset(handle)
        var bindings = DirectBindings(handle)
        bind(&bindings)
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return try read(DirectRow(handle: handle))
        case SQLITE_DONE: return nil
        default: throw failure()
        }
    }

    private func failure() -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)).map { String(cString: $0) }
        return DatabaseError(
            resultCode: ResultCode(rawValue: sqlite3_extended_errcode(sqlite3_db_handle(sqliteStatement))),
            message: message, sql: sql)
    }
}
