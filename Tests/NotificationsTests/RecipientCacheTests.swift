import CareModel
import CareStore
import Foundation
import Testing

@testable import Notifications

/// The fan-out keeps each elder and their contacts in memory; a change to either, made by the
/// registry, reaches the next message without the registry knowing the cache exists.
@Suite("The fan-out's recipients follow the registry")
struct RecipientCacheTests {
    /// Fans out one `call_opened` message for the elder and returns the names its steps go to.
    static func chain(_ h: Harness, elder: Elder, key: String) async throws -> [String] {
        try await h.database.enqueueOutbox(
            [OutboxEntry(topic: .callOpened, key: key, elderId: elder.id, payload: ["code": "sos", "priority": "P1"])],
            at: h.clock.now)
        _ = try await h.worker.store.fanOutOutbox(now: h.clock.now, limit: 10) { h.worker.planner.plan($0, now: h.clock.now) }
        return try await h.notifications().filter { $0.idempotencyKey.hasPrefix(key + ":") }.map(\.recipient.name)
    }

    @Test func aNewContactAndARenamedElderReachTheNextMessage() async throws {
        try await Harness.with { h in
            let (elder, _) = try await h.addElder(1, contacts: [("李明", "13800000001")])
            #expect(try await Self.chain(h, elder: elder, key: "call:1:opened").filter { $0 != h.settings.supervisorName } == ["李明"])
            #expect(h.worker.store.recipients.value(for: elder.id, now: h.clock.now) != nil, "the fan-out kept the elder")

            _ = try await h.database.registry.addContact(
                elderId: elder.id, NewContact(name: "李娟", relation: .daughter, phone: "13800000002"), by: .commandLine)
            #expect(h.worker.store.recipients.value(for: elder.id, now: h.clock.now) == nil, "a new contact drops the kept list")
            #expect(try await Self.chain(h, elder: elder, key: "call:2:opened").filter { $0 != h.settings.supervisorName } == ["李明", "李娟"])

            _ = try await h.database.registry.updateElder(id: elder.id, by: .commandLine) { old, now in
                var new = old
                new.name = "黄秀兰"
                new.updatedAt = now
                return new
            }
            #expect(h.worker.store.recipients.value(for: elder.id, now: h.clock.now) == nil, "a renamed elder is read afresh")
            _ = try await Self.chain(h, elder: elder, key: "call:3:opened")
            #expect(h.worker.store.recipients.value(for: elder.id, now: h.clock.now)?.elder.name == "黄秀兰")
        }
    }
}
