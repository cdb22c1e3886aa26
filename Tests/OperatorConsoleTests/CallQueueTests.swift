import CareModel
import Foundation
import Testing

@testable import OperatorConsole

@Suite struct CallQueueTests {
    @Test func mostUrgentThenOldestFirst() {
        var queue = CallQueue()
        queue.replaceAll(with: Fixture.calls.shuffled())
        #expect(queue.visible.map(\.id) == [4813, 4812, 4790, 4801, 4700])
        #expect(queue.counts.byPriority == [2, 1, 1, 1])
        #expect(queue.counts.unclaimed == 3)
        #expect(queue.counts.escalated == 1)
    }

    @Test func upsertMovesRemovesAndIgnoresOlderVersions() {
        var queue = CallQueue()
        queue.replaceAll(with: Fixture.calls)
        var raised = Fixture.door
        raised.priority = .p1
        raised.version = 3
        #expect(queue.upsert(raised) == .updated(old: Fixture.door))
        #expect(queue.visible.map(\.id) == [4801, 4813, 4812, 4790, 4700])
        #expect(queue.counts.byPriority == [3, 1, 0, 1])

        var stale = Fixture.door
        stale.version = 2
        #expect(queue.upsert(stale) == .unchanged)
        #expect(queue.call(4801)?.priority == .p1)

        var resolved = raised
        resolved.status = .resolved
        resolved.version = 4
        #expect(queue.upsert(resolved) == .removed(old: raised))
        #expect(queue.position(of: 4801) == nil)
        #expect(queue.counts.total == 4)
        // A late copy of the open call (a listing taken before it was resolved) does not bring it back.
        #expect(queue.upsert(raised) == .unchanged)
        queue.replaceAll(with: Fixture.calls)
        #expect(queue.call(4801) == nil)
    }

    @Test func filterKeepsTheOrderAndFollowsChanges() {
        var queue = CallQueue()
        queue.replaceAll(with: Fixture.calls)
        queue.setFilter(QueueFilter(parsing: "unclaimed"), me: 17)
        #expect(queue.visible.map(\.id) == [4812, 4801, 4700])
        var claimed = Fixture.fall
        claimed.status = .claimed
        claimed.claimedBy = Claimant(accountId: 17, name: "王芳")
        claimed.version = 3
        queue.upsert(claimed)
        #expect(queue.visible.map(\.id) == [4801, 4700])
        queue.setFilter(QueueFilter(parsing: "mine"), me: 17)
        #expect(queue.visible.map(\.id) == [4813, 4812])
    }

    @Test func filterWords() {
        let me: Int64 = 17
        #expect(QueueFilter(parsing: "p1 p2").matches(Fixture.vitals, me: me))
        #expect(!QueueFilter(parsing: "p1").matches(Fixture.vitals, me: me))
        #expect(QueueFilter(parsing: "4509").matches(Fixture.fall, me: me))
        #expect(QueueFilter(parsing: "450902000000").regionPrefix == "450902")
        #expect(QueueFilter(parsing: "450921100000").regionPrefix == "450921100")
        #expect(QueueFilter(parsing: "450921").matches(Fixture.vitals, me: me))
        #expect(!QueueFilter(parsing: "450921").matches(Fixture.fall, me: me))
        #expect(QueueFilter(parsing: "黄").matches(Fixture.fall, me: me))
        #expect(QueueFilter(parsing: "跌倒").matches(Fixture.fall, me: me))
        #expect(QueueFilter(parsing: "fall").matches(Fixture.fall, me: me))
        #expect(QueueFilter(parsing: "北流市").matches(Fixture.longName, me: me))
        #expect(QueueFilter(parsing: "escalated").matches(Fixture.fall, me: me))
        #expect(!QueueFilter(parsing: "escalated").matches(Fixture.vitals, me: me))
        #expect(QueueFilter(parsing: "held").matches(Fixture.vitals, me: me))
        #expect(QueueFilter(parsing: "cancelled").matches(Fixture.door, me: me))
        #expect(!QueueFilter(parsing: "mine").matches(Fixture.vitals, me: me))
        #expect(!QueueFilter(parsing: "mine").matches(Fixture.longName, me: nil))
    }

    @Test func filterTextReadsBack() {
        let filter = QueueFilter(parsing: "mine  P2 unclaimed 4509 p1 黄")
        #expect(filter.text == "p1 p2 mine unclaimed 4509 黄")
        #expect(QueueFilter(parsing: filter.text) == filter)
        #expect(QueueFilter(parsing: "  ").isEmpty)
    }

    @Test func tenThousandCallsStaySorted() {
        var queue = CallQueue()
        let start = Fixture.date("2026-11-23T00:00:00Z")
        var calls: [CallSummary] = []
        for i in 0..<10_000 {
            var call = Fixture.fall
            call.id = Int64(i + 1)
            call.elderName = "老人\(i)"
            call.priority = Priority(rawValue: i % 4 + 1)!
            call.openedAt = start.addingTimeInterval(Double((i * 7919) % 10_000))
            calls.append(call)
        }
        queue.replaceAll(with: calls.prefix(5000).shuffled())
        for call in calls.dropFirst(5000).shuffled() { queue.upsert(call) }
        #expect(queue.visible.count == 10_000)
        #expect(queue.visible == queue.visible.sorted())
        for call in calls.prefix(100) {
            var resolved = call
            resolved.status = .resolved
            resolved.version = 2
            queue.upsert(resolved)
        }
        #expect(queue.visible.count == 9_900)
        #expect(queue.counts.total == 9_900)
        #expect(queue.visible == queue.visible.sorted())
    }
}
