import Foundation
import Synchronization

/// Values read recently, so a hot path costs a dictionary lookup instead of a database read.
///
/// Entries live `lifetime` seconds. Writes made through this process drop what they change at
/// once (``forget(_:)``, ``clear()``); a change made by another process (the CLI, an operator's
/// SQL) takes effect within `lifetime`. When full, the table starts over rather than tracking
/// recency: simpler, and a refill costs only the reads it saved.
///
/// ```swift
/// let tokens = ExpiringCache<Data, Principal>(lifetime: 10, capacity: 10_000)
/// if let principal = tokens.value(for: hash, now: now) { return principal }
/// ```
package final class ExpiringCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    // Inlinable, so a store in another module gets the cache specialised for its key and value
    // (the intake reads one per event); generic code across a module boundary runs unspecialised.
    @usableFromInline struct Entry {
        @usableFromInline var value: Value
        @usableFromInline var expires: Date
        @inlinable init(value: Value, expires: Date) { self.value = value; self.expires = expires }
    }
    @usableFromInline let entries = Mutex<[Key: Entry]>([:])
    @usableFromInline let lifetime: TimeInterval
    @usableFromInline let capacity: Int

    package init(lifetime: TimeInterval, capacity: Int) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    @inlinable package func value(for key: Key, now: Date) -> Value? {
        entries.withLock { table in
            guard let entry = table[key] else { return nil }
            if entry.expires <= now {
                table[key] = nil
                return nil
            }
            return entry.value
        }
    }

    @inlinable package func remember(_ value: Value, for key: Key, now: Date) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[key] = Entry(value: value, expires: now.addingTimeInterval(lifetime))
        }
    }

    @inlinable package func forget(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    @inlinable package func clear() { entries.withLock { $0.removeAll() } }
}
