import CareModel
import CareStore
import Foundation

/// What the intake reads for every event, kept in memory: each device's credentials, elders,
/// each device's elder and supervision columns, and each elder's open calls.
///
/// Coherence lives here, in one place:
/// - Rows of other stores (elders, regions, devices) are watched (``watch()``): any update or
///   delete of one drops what mirrors it, whoever writes it. A device's heartbeat columns
///   (`last_seen_at`, `online`, `deadline_ms`) are ignored: the intake writes them for every
///   event and keeps ``deviceStates`` exact itself.
/// - Calls change only through ``CallStore``, which keeps ``openCalls`` exact as it writes.
/// - After any rollback everything is forgotten, since the caches may hold what it wrote.
final class IntakeCaches: Sendable {
    /// Devices' credentials as the intake last read them: every event is signed, so this read
    /// would otherwise come first in every request. Ten minutes, longer than the usual
    /// five-minute heartbeat, so a quiet device's heartbeats are answered from memory too. Read
    /// on network threads, outside the writer, so it is also cleared after the commit.
    let credentials = ExpiringCache<String, DeviceWithSecret>(lifetime: 600, capacity: 100_000)
    /// Elders as the intake last read them, so its write transaction does not decode an elder
    /// row for every event.
    let elders = WriterCache<Int64, Elder>(capacity: 50_000)
    /// Each device's elder and supervision columns as the writer last left them: without it
    /// every event read two random pages (the id index and the row) among hundreds of thousands
    /// of devices, which SQLite's small page cache cannot hold.
    let deviceStates = WriterCache<String, DeviceState>(capacity: 100_000)
    let openCalls = OpenCallCache()

    /// The registry rows these caches mirror, and what a change to one drops.
    func watch() -> RowWatch {
        RowWatch(
            [.init("elder"), .init("region", withoutRowID: true), .init("device", ignoring: ["last_seen_at", "online", "deadline_ms"])],
            changed: { [self] table, rowID in rowChanged(table, rowID) },
            committed: { [self] tables in if tables.contains("device") { credentials.clear() } },
            rolledBack: { [self] in forgetAll() })
    }

    private func rowChanged(_ table: String, _ rowID: Int64) {
        switch table {
        case "elder":
            // An elder's open calls keep summary text that names them.
            elders.forget(rowID)
            openCalls.forget(elder: rowID)
        case "region":
            // Kept summaries name the district.
            openCalls.clear()
        default:
            // A device's rowid is not its id; device changes are rare administrative ones.
            deviceStates.clear()
            credentials.clear()
        }
    }

    /// After a rollback, or an event's savepoint rolled back: the caches may hold its changes.
    func forgetAll() {
        openCalls.clear()
        deviceStates.clear()
        elders.clear()
    }
}
