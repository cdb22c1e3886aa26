import CareModel
import Foundation
import Synchronization

/// Each elder's open calls as the writer last left them, so an alarm that joins an open call
/// (most alarms in a storm of presses do) reads nothing from the database before deciding.
///
/// Coherent because this process is the only writer of calls and every call write runs on the
/// one writer connection: it is read and changed only inside write transactions, by the code
/// that writes the calls. Where a transaction might not commit, ``CareDatabase/writeCalls(_:)``
/// clears the whole table on failure, so a rolled-back change is never remembered.
/// Call writes that do not keep the entry exact (an operator's action, a device coming back
/// online) ``forget(elder:)`` it instead, and the next alarm reads the calls afresh.
final class OpenCallCache: Sendable {
    private let entries = Mutex<[Int64: [Call]]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// The elder's open calls, most recent event first; nil when not known.
    func calls(elder: Int64) -> [Call]? { entries.withLock { $0[elder] } }

    /// Sets the elder's open calls, most recent event first.
    func remember(_ calls: [Call], elder: Int64) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[elder] = calls
        }
    }

    /// Puts a changed or new call first (it has the most recent event), if the elder is known.
    func update(_ call: Call) {
        entries.withLock { table in
            guard var calls = table[call.elderId] else { return }
            calls.removeAll { $0.id == call.id }
            calls.insert(call, at: 0)
            table[call.elderId] = calls
        }
    }

    func forget(elder: Int64) { _ = entries.withLock { $0.removeValue(forKey: elder) } }

    func clear() { entries.withLock { $0.removeAll() } }
}
