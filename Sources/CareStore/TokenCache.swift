import CareModel
import Foundation
import Synchronization

/// Recently verified tokens, so a busy client costs one hash per request instead of a database
/// read. Entries live `lifetime` seconds; revoking a token or changing an account through this
/// process clears the cache at once, and a change made by another process (the CLI) takes
/// effect within `lifetime`.
final class TokenCache: Sendable {
    private struct Entry { var principal: Principal; var expires: Date }
    private let entries = Mutex<[Data: Entry]>([:])
    private let lifetime: TimeInterval
    private let capacity: Int

    init(lifetime: TimeInterval = 10, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func principal(for hash: Data, now: Date) -> Principal? {
        entries.withLock { table in
            guard let e = table[hash] else { return nil }
            if e.expires <= now { table[hash] = nil; return nil }
            return e.principal
        }
    }

    func remember(_ principal: Principal, for hash: Data, now: Date) {
        entries.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[hash] = Entry(principal: principal, expires: now.addingTimeInterval(lifetime))
        }
    }

    func clear() { entries.withLock { $0.removeAll() } }
}
