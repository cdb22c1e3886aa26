import Foundation
import Synchronization

/// What the intake's writer reads of a device for every event (its elder, and its supervision
/// columns `online` and `deadline_ms`), as the writer last left it.
///
/// Without it, every event read its device's row: two random pages (the id index and the row)
/// among hundreds of thousands of devices, which SQLite's small page cache cannot hold, so a
/// read from the operating system per page. Coherent the way ``OpenCallCache`` is: the columns
/// change only on the one writer connection, and every write that changes them outside the
/// intake (the supervisor declaring a device offline, a device updated, re-keyed or created)
/// drops the entry inside its own transaction; ``CareDatabase/writeCalls(_:)`` clears the whole
/// table when a transaction fails, so a rolled-back change is never remembered.
final class DeviceStateCache: Sendable {
    struct State: Sendable, Equatable {
        var elderId: Int64
        /// Nil until the device is first heard from.
        var online: Bool?
        var deadlineMillis: Int64?
    }

    private let entries = Mutex<[String: State]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func state(of device: String) -> State? { entries.withLock { $0[device] } }

    func remember(_ state: State, of device: String) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[device] = state
        }
    }

    func forget(_ device: String) { _ = entries.withLock { $0.removeValue(forKey: device) } }

    func clear() { entries.withLock { $0.removeAll() } }
}
