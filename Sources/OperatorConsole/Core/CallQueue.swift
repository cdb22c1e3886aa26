import CareModel
import Foundation

/// Where a call sorts in the queue: most urgent first, then oldest first, then by id so the
/// order is total and stable.
public struct QueueKey: Comparable, Hashable, Sendable {
    public var priority: Int
    public var openedAt: Date
    public var id: Int64

    public init(_ call: CallSummary) {
        priority = call.priority.rawValue; openedAt = call.openedAt; id = call.id
    }

    public static func < (a: QueueKey, b: QueueKey) -> Bool {
        if a.priority != b.priority { return a.priority < b.priority }
        if a.openedAt != b.openedAt { return a.openedAt < b.openedAt }
        return a.id < b.id
    }
}

/// Figures over every open call, whatever the filter: the header shows them.
public struct QueueCounts: Hashable, Sendable {
    /// Index 0 is P1.
    public var byPriority = [0, 0, 0, 0]
    public var unclaimed = 0
    public var escalated = 0
    public var total = 0

    mutating func add(_ call: CallSummary, _ sign: Int) {
        byPriority[call.priority.rawValue - 1] += sign
        if call.status.isUnclaimed { unclaimed += sign }
        if call.escalated { escalated += sign }
        total += sign
    }
}

/// The open calls, kept sorted as they change, so a frame reads only the rows it shows.
///
/// Every change is a binary search and one array insert or removal: with 10,000 open calls an
/// SSE update costs microseconds and a frame never sorts. Versions guard against going back in
/// time: a summary older than the one held is ignored, and so is one for a call already seen
/// leaving the queue at that version or later (a stale row of a snapshot taken just before).
///
/// ```swift
/// var queue = CallQueue()
/// queue.upsert(call)                    // .inserted
/// queue.upsert(claimedLater)            // .updated(old: call)
/// queue.upsert(resolvedLater)           // .removed(old: claimedLater)
/// queue.visible.count                   // 0
/// ```
public struct CallQueue: Sendable {
    public enum Change: Hashable, Sendable {
        case inserted
        case updated(old: CallSummary)
        case removed(old: CallSummary)
        /// Older than what the queue holds, or not open and not held: nothing changed.
        case unchanged
    }

    public private(set) var calls: [Int64: CallSummary] = [:]
    /// The calls the filter lets through, in queue order.
    public private(set) var visible: [QueueKey] = []
    public private(set) var filter = QueueFilter()
    /// The operator's account id, for "mine".
    public private(set) var me: Int64?
    public private(set) var counts = QueueCounts()
    /// The version at which each call was seen leaving the queue.
    private var departed: [Int64: Int] = [:]

    public init() {}

    public var isEmpty: Bool { calls.isEmpty }

    /// The call at `index` of ``visible``.
    public subscript(visible index: Int) -> CallSummary { calls[visible[index].id]! }

    public func call(_ id: Int64) -> CallSummary? { calls[id] }

    /// Where the call is in ``visible``, or nil when it is not shown.
    public func position(of id: Int64) -> Int? {
        guard let call = calls[id] else { return nil }
        let key = QueueKey(call)
        let i = lowerBound(key)
        return i < visible.count && visible[i] == key ? i : nil
    }

    /// Applies one call's latest summary: it joins, moves, or leaves the queue.
    @discardableResult
    public mutating func upsert(_ call: CallSummary) -> Change {
        if let old = calls[call.id] {
            guard call.version >= old.version else { return .unchanged }
            detach(old)
            guard call.status.isOpen else {
                calls[call.id] = nil
                departed[call.id] = call.version
                return .removed(old: old)
            }
            attach(call)
            return .updated(old: old)
        }
        guard call.status.isOpen else {
            departed[call.id] = max(departed[call.id] ?? 0, call.version)
            return .unchanged
        }
        if let gone = departed[call.id], gone >= call.version { return .unchanged }
        attach(call)
        return .inserted
    }

    /// Replaces everything with a fresh listing (`GET /v1/calls?open=true`).
    public mutating func replaceAll(with listing: [CallSummary]) {
        calls = [:]
        counts = QueueCounts()
        visible = []
        calls.reserveCapacity(listing.count)
        for call in listing where call.status.isOpen {
            if let gone = departed[call.id], gone >= call.version { continue }
            if let held = calls[call.id], held.version > call.version { continue }
            if let held = calls[call.id] { counts.add(held, -1) }
            calls[call.id] = call
            counts.add(call, 1)
        }
        rebuildVisible()
    }

    /// Shows only what `filter` lets through, for the operator `me`.
    public mutating func setFilter(_ filter: QueueFilter, me: Int64?) {
        self.filter = filter
        self.me = me
        rebuildVisible()
    }

    private mutating func rebuildVisible() {
        let filter = self.filter, me = self.me
        visible = calls.values.lazy.filter { filter.matches($0, me: me) }.map(QueueKey.init).sorted()
    }

    private mutating func attach(_ call: CallSummary) {
        calls[call.id] = call
        counts.add(call, 1)
        if filter.matches(call, me: me) {
            let key = QueueKey(call)
            visible.insert(key, at: lowerBound(key))
        }
    }

    private mutating func detach(_ call: CallSummary) {
        counts.add(call, -1)
        let key = QueueKey(call)
        let i = lowerBound(key)
        if i < visible.count && visible[i] == key { visible.remove(at: i) }
    }

    private func lowerBound(_ key: QueueKey) -> Int {
        var low = 0, high = visible.count
        while low < high {
            let mid = (low + high) / 2
            if visible[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
