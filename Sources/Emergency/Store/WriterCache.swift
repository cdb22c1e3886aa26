import Foundation
import Synchronization

/// Rows the intake's writer reads for every event, kept in memory so the write transaction does
/// not read them again (``IntakeCaches`` says what keeps each exact). When full, the table
/// starts over rather than tracking recency: simpler, and a refill costs only the reads it saved.
final class WriterCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func value(for key: Key) -> Value? { entries.withLock { $0[key] } }

    func remember(_ value: Value, for key: Key) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = value
        }
    }

    func forget(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    func clear() { entries.withLock { $0.removeAll() } }
}

/// What the writer reads of a device for every event: its elder, and its supervision columns
/// `online` and `deadline_ms`.
struct DeviceState: Sendable, Equatable {
    var elderId: Int64
    /// Nil until the device is first heard from.
    var online: Bool?
    var deadlineMillis: Int64?

    /// How far a deadline may lag before it is written again. A device that talks every few
    /// seconds (a storm of presses) then costs one row update per ten seconds, not one per
    /// event; supervision works in minutes, so it moves at most this much earlier.
    static let slackMillis: Int64 = 10_000

    func needsWrite(newDeadline: Int64) -> Bool {
        guard online == true, let stored = deadlineMillis else { return true }
        return newDeadline - stored >= Self.slackMillis
    }
}
