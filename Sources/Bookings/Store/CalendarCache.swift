import CareModel
import CareStore
import Synchronization

/// Each worker's bookings around the coming weeks, as availability reads them: reading two
/// thousand workers' fortnight from SQLite was most of an availability request.
///
/// Kept exact without any writer knowing: a ``RowWatch`` on `booking` notes the id of every row
/// inserted, updated or deleted, and after the commit those ids are *dirty*. A request takes the
/// dirty ids before its read transaction begins, so each was committed before the snapshot it
/// reads; in that snapshot it looks up their workers (and the workers the cache had them under)
/// and reloads those workers' calendars. A commit after the ids were taken stays dirty for the
/// next request, even if this one happened to see it; and calendars read before another request
/// dropped a worker's are not kept (the epoch). Availability is advice: the booking itself is
/// checked in the write transaction.
final class CalendarCache: Sendable {
    /// A booking holding a worker, as the scheduler needs it.
    struct Held: Sendable {
        var id: Int64
        var start: Int64
        var end: Int64
        var place: Coordinates?
    }

    private struct State {
        /// The `start_ms` range every cached calendar covers.
        var from: Int64 = 0
        var to: Int64 = 0
        /// Holding bookings by worker, ordered by start.
        var calendars: [Int64: [Held]] = [:]
        /// The worker each cached booking holds.
        var workerOf: [Int64: Int64] = [:]
        /// Ids changed in the writer's open transaction, and ids committed since the last request.
        var pending: Set<Int64> = []
        var dirty: Set<Int64> = []
        /// Counts drops: calendars read before a drop may predate the change that caused it.
        var epoch: UInt64 = 0
    }
    private final class Box: Sendable { let state = Mutex(State()) }
    private let box = Box()
    private let watch: RowWatch

    /// More dirty ids than this and the whole cache is read again: cheaper than resolving them.
    static let resolveLimit = 4_096

    init(_ database: CareDatabase) {
        let box = self.box
        watch = RowWatch(
            [.init("booking", inserts: true)],
            changed: { _, id in box.state.withLock { _ = $0.pending.insert(id) } },
            committed: { _ in
                box.state.withLock { s in
                    s.dirty.formUnion(s.pending)
                    s.pending = []
                }
            },
            rolledBack: { box.state.withLock { $0.pending = [] } })
        database.observe(watch)
    }

    /// The ids committed since the last call: taken before the read transaction that resolves them.
    func takeDirty() -> Set<Int64> {
        box.state.withLock { s in
            let taken = s.dirty
            s.dirty = []
            return taken
        }
    }

    /// The calendars of `workers` for bookings starting in `from..<to`, from memory where they
    /// are, reading the rest (and the workers `dirty` ids touch) with `load`.
    ///
    /// - Parameters:
    ///   - span: the `start_ms` range the cache keeps when it is (re)built: the request's must fall inside.
    ///   - workerOf: the workers of the given booking ids, as the read transaction sees them.
    ///   - load: the holding bookings of the given workers starting in the given range.
    func calendars(
        of workers: [Int64], from: Int64, to: Int64, span: (from: Int64, to: Int64), dirty: Set<Int64>,
        workerOf: (Set<Int64>) throws -> [Int64: Int64], load: ([Int64], Int64, Int64) throws -> [Int64: [Held]]
    ) rethrows -> [Int64: [Held]] {
        var stale: Set<Int64> = []
        var rebuild = dirty.count > Self.resolveLimit
        let known = box.state.withLock { s -> [Int64: Int64] in
            if from < s.from || to > s.to { rebuild = true }
            return rebuild ? [:] : Dictionary(uniqueKeysWithValues: dirty.compactMap { id in s.workerOf[id].map { (id, $0) } })
        }
        if !rebuild && !dirty.isEmpty {
            stale.formUnion(known.values)
            stale.formUnion(try workerOf(dirty).values)
        }
        let range = rebuild ? span : box.state.withLock { ($0.from, $0.to) }
        var cached: [Int64: [Held]] = [:]
        var missing: [Int64] = []
        let epoch = box.state.withLock { s -> UInt64 in
            if rebuild {
                s = State(from: range.from, to: range.to, pending: s.pending, dirty: s.dirty, epoch: s.epoch &+ 1)
            }
            if !stale.isEmpty { s.epoch &+= 1 }
            for w in stale {
                for held in s.calendars.removeValue(forKey: w) ?? [] { s.workerOf[held.id] = nil }
            }
            for w in workers {
                if let calendar = s.calendars[w] { cached[w] = calendar } else { missing.append(w) }
            }
            return s.epoch
        }
        if !missing.isEmpty {
            let loaded = try load(missing, range.from, range.to)
            box.state.withLock { s in
                guard s.epoch == epoch else { return }
                for w in missing {
                    let calendar = loaded[w] ?? []
                    s.calendars[w] = calendar
                    for held in calendar { s.workerOf[held.id] = w }
                }
            }
            for w in missing { cached[w] = loaded[w] ?? [] }
        }
        return cached
    }

    /// The index of the first booking of `calendar` (ordered by start) starting after `millis`.
    static func first(in calendar: [Held], startingAfter millis: Int64) -> Int {
        var low = 0, high = calendar.count
        while low < high {
            let mid = (low + high) / 2
            if calendar[mid].start > millis { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
