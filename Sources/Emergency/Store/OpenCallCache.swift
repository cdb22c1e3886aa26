import CareModel
import Foundation
import Synchronization

/// Each elder's open calls as the writer last left them, so an alarm that joins an open call
/// (most alarms in a storm of presses do) reads nothing from the database before deciding.
///
/// Coherent because every call write goes through ``CallStore`` on the one writer connection:
/// it is read and changed only inside write transactions, by the code that writes the calls.
/// Writes that do not keep an entry exact (an operator's action, a device back online) forget
/// the elder instead, and ``IntakeCaches`` drops entries when registry rows they name change and
/// clears the table after any rollback, so a rolled-back change is never remembered.
///
/// Beside each open call it keeps the call's ``CallSummaryText``, the change log's text for the
/// parts of the summary that intake never changes, under the same rules.
final class OpenCallCache: Sendable {
    private struct Table {
        var calls: [Int64: [Call]] = [:]
        var summaries: [Int64: CallSummaryText] = [:]
    }
    private let entries = Mutex(Table())
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    /// The elder's open calls, most recent event first; nil when not known.
    func calls(elder: Int64) -> [Call]? { entries.withLock { $0.calls[elder] } }

    /// Sets the elder's open calls, most recent event first.
    func remember(_ calls: [Call], elder: Int64) {
        entries.withLock { table in
            if table.calls.count >= capacity { table = Table() }
            table.calls[elder] = calls
        }
    }

    /// Puts a changed or new call first (it has the most recent event), if the elder is known.
    func update(_ call: Call) {
        entries.withLock { table in
            guard var calls = table.calls[call.elderId] else { return }
            calls.removeAll { $0.id == call.id }
            calls.insert(call, at: 0)
            table.calls[call.elderId] = calls
        }
    }

    /// The kept summary text of an open call, if any.
    func summary(call: Int64) -> CallSummaryText? { entries.withLock { $0.summaries[call] } }

    /// Keeps the summary text of a call of an elder whose open calls are known.
    func remember(_ summary: CallSummaryText, call: Call) {
        entries.withLock { table in
            guard table.calls[call.elderId] != nil else { return }
            table.summaries[call.id] = summary
        }
    }

    func forget(elder: Int64) {
        entries.withLock { table in
            for call in table.calls.removeValue(forKey: elder) ?? [] { table.summaries.removeValue(forKey: call.id) }
        }
    }

    func clear() { entries.withLock { $0 = Table() } }
}
