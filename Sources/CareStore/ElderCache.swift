import CareModel
import Foundation
import Synchronization

/// Elders as the alarm intake last read them, so the write transaction does not decode an
/// elder row for every event (a fifth of its time under load).
///
/// Coherent because elders change only through this process: ``CareDatabase/updateElder`` and
/// ``CareDatabase/deleteElder`` drop the entry after they commit, and seeding refuses a registry
/// that already holds elders.
final class ElderCache: Sendable {
    private let entries = Mutex<[Int64: Elder]>([:])
    private let capacity: Int

    init(capacity: Int = 50_000) { self.capacity = capacity }

    func elder(_ id: Int64) -> Elder? { entries.withLock { $0[id] } }

    func remember(_ elder: Elder) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[elder.id] = elder
        }
    }

    func forget(_ id: Int64) { _ = entries.withLock { $0.removeValue(forKey: id) } }
}
