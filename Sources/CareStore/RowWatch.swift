package import GRDB

/// Keeps a cache of rows coherent with the database: it watches the writer's transactions and
/// tells its owner when a row the cache mirrors changed, whoever wrote it. A store that keeps
/// another store's rows in memory (the intake keeps elders and devices) declares what it
/// mirrors here once, instead of every writer of those rows remembering to drop entries.
///
/// - `changed(table, rowID)` runs inside the writing transaction, for each row updated or
///   deleted in a watched table (for updates, only when a column not ignored is set), and
///   inserted where the table says so: a new row is in no cache of rows by id, but it changes a
///   cached list (an elder's contacts).
/// - `committed(tables)` runs after each commit in which a watched row changed, with the tables
///   that changed: for caches read outside the writer, which must not keep what a reader
///   loaded between the change and the commit.
/// - `rolledBack()` runs after every rollback: the owner forgets everything, since the cache
///   may hold what the transaction wrote.
///
/// Statements bound through SQLite's C API (`Statement.run`) are not seen: those are the
/// owner's own writes, which keep its cache exact as they go.
package final class RowWatch: TransactionObserver, @unchecked Sendable {
    /// A table to watch, and the columns whose updates do not concern the cache (a device's
    /// heartbeat columns, written for every event, must not empty the cache they feed).
    package struct Table: Sendable {
        package var name: String
        package var ignoredColumns: Set<String>
        /// SQLite reports no row changes for a `WITHOUT ROWID` table (`region`): for one, every
        /// statement that may update or delete its rows counts as a change, with row id 0.
        package var withoutRowID: Bool
        /// Whether inserts count as changes.
        package var inserts: Bool
        package init(_ name: String, ignoring ignoredColumns: Set<String> = [], withoutRowID: Bool = false, inserts: Bool = false) {
            self.name = name
            self.ignoredColumns = ignoredColumns
            self.withoutRowID = withoutRowID
            self.inserts = inserts
        }
    }

    private let tables: [String: Table]
    private let changed: @Sendable (String, Int64) -> Void
    private let committed: @Sendable (Set<String>) -> Void
    private let rolledBack: @Sendable () -> Void
    /// Touched only on the writer connection, inside its transactions.
    private var changedTables: Set<String> = []

    package init(
        _ tables: [Table], changed: @escaping @Sendable (_ table: String, _ rowID: Int64) -> Void,
        committed: @escaping @Sendable (_ tables: Set<String>) -> Void = { _ in }, rolledBack: @escaping @Sendable () -> Void
    ) {
        self.tables = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
        self.changed = changed
        self.committed = committed
        self.rolledBack = rolledBack
    }

    package func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .insert(let table):
            return tables[table]?.inserts == true && concerns(table, columns: nil)
        case .delete(let table):
            return concerns(table, columns: nil)
        case .update(let table, let columns):
            return concerns(table, columns: columns)
        }
    }

    /// Asked by GRDB on the writer as each statement starts, with what the statement may change.
    private func concerns(_ table: String, columns: Set<String>?) -> Bool {
        guard let watched = tables[table] else { return false }
        if let columns, columns.isSubset(of: watched.ignoredColumns) { return false }
        guard watched.withoutRowID else { return true }
        changedTables.insert(table)
        changed(table, 0)
        return false
    }

    package func databaseDidChange(with event: DatabaseEvent) {
        changedTables.insert(event.tableName)
        changed(event.tableName, event.rowID)
    }

    package func databaseDidCommit(_ db: Database) {
        guard !changedTables.isEmpty else { return }
        let tables = changedTables
        changedTables = []
        committed(tables)
    }

    package func databaseDidRollback(_ db: Database) {
        changedTables = []
        rolledBack()
    }
}
