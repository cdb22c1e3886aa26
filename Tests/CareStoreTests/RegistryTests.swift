import CareModel
@testable import CareStore
import Foundation
import GRDB
import Testing

@Suite("The registry")
struct RegistryTests {
    @Test func cursorPaginationLosesAndRepeatsNothingWhileRowsAreInserted() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        var existing: [Int64] = []
        for n in 1...95 { existing.append(try await t.addElder(n).id) }
        var seen: [Int64] = []
        var cursor: String?
        var inserted = 95
        repeat {
            let page = try await t.database.elders(ElderFilter(), page: PageRequest(after: cursor.flatMap(Cursor.decode), limit: 10))
            seen += page.items.map(\.id)
            cursor = page.nextCursor
            // Another clerk registers two elders between every two page requests.
            for _ in 0..<2 { inserted += 1; _ = try await t.addElder(inserted) }
        } while cursor != nil && seen.count < 1000
        #expect(Set(seen).count == seen.count, "no row repeated")
        #expect(Set(existing).isSubset(of: Set(seen)), "no row that existed at the start is lost")
        #expect(seen == seen.sorted())
    }

    @Test func filtersByRegionCategoryAndName() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        _ = try await t.addElder(1, name: "张伟明")
        _ = try await t.addElder(2, name: "李伟")
        let fumian = try await t.addElder(3, name: "张三", region: "450903001000")
        _ = try await t.database.updateElder(id: fumian.id, by: .commandLine) { e, now in
            try ElderPatch(categories: [.wubao]).applied(to: e, now: now)
        }
        func names(_ f: ElderFilter) async throws -> [String] {
            try await t.database.elders(f, page: PageRequest()).items.map(\.name)
        }
        #expect(try await names(ElderFilter(nameContains: "伟")) == ["张伟明", "李伟"])
        #expect(try await names(ElderFilter(nameContains: "张伟")) == ["张伟明"])
        #expect(try await names(ElderFilter(nameContains: "伟张")) == [])
        #expect(try await names(ElderFilter(region: "450903")) == ["张三"])
        #expect(try await names(ElderFilter(region: "450900000000")).count == 3)
        #expect(try await names(ElderFilter(category: .wubao)) == ["张三"])
        // A renamed elder is found by the new name only.
        _ = try await t.database.updateElder(id: 2, by: .commandLine) { e, now in try ElderPatch(name: "李强").applied(to: e, now: now) }
        #expect(try await names(ElderFilter(nameContains: "伟")) == ["张伟明"])
    }

    @Test func anIdentityNumberIsRegisteredOnce() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        _ = try await t.addElder(1)
        await #expect(throws: StoreError.duplicate(field: "nationalId", reason: "is already registered to another elder")) {
            _ = try await t.addElder(1)
        }
    }

    @Test func anElderWithDevicesCannotBeDeletedOnlyDeactivated() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let mistaken = try await t.addElder(1)
        try await t.database.deleteElder(id: mistaken.id, by: .commandLine)
        await #expect(throws: StoreError.notFound(entity: "elder", id: String(mistaken.id))) {
            _ = try await t.database.elder(id: mistaken.id)
        }
        let elder = try await t.addElder(2)
        _ = try await t.database.createDevice(NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine)
        await #expect(throws: StoreError.self) { try await t.database.deleteElder(id: elder.id, by: .commandLine) }
        let inactive = try await t.database.updateElder(id: elder.id, by: .commandLine) { e, now in
            try ElderPatch(status: .inactive).applied(to: e, now: now)
        }
        #expect(inactive.status == .inactive && inactive.version == 2)
        let log = try await t.database.auditLog(AuditFilter(entity: "elder", entityId: String(elder.id)), page: PageRequest())
        #expect(log.items.map(\.action) == ["deactivate", "create"])
    }

    @Test func aStaleVersionIsRefused() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let e = try await t.addElder(1)
        _ = try await t.database.updateElder(id: e.id, expectedVersion: 1, by: .commandLine) { e, now in
            try ElderPatch(phone: "13900000000").applied(to: e, now: now)
        }
        await #expect(throws: StoreError.versionMismatch(entity: "elder", id: String(e.id), expected: 1, current: 2)) {
            _ = try await t.database.updateElder(id: e.id, expectedVersion: 1, by: .commandLine) { e, now in
                try ElderPatch(phone: "13700000000").applied(to: e, now: now)
            }
        }
    }

    @Test func contactsKeepACallOrder() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let e = try await t.addElder(1)
        let second = try await t.database.addContact(elderId: e.id, NewContact(name: "王芳", relation: .daughter, phone: "13700003333"), by: .commandLine)
        _ = try await t.database.addContact(elderId: e.id, NewContact(name: "邻居陈", relation: .neighbour, phone: "13600004444", hasKey: true), by: .commandLine)
        _ = try await t.database.updateContact(elderId: e.id, contactId: second.id, ContactPatch(position: 1), by: .commandLine)
        #expect(try await t.database.contacts(elderId: e.id).map(\.name) == ["王芳", "李明", "邻居陈"])
        #expect(try await t.database.contacts(elderId: e.id).map(\.position) == [1, 2, 3])
        try await t.database.deleteContact(elderId: e.id, contactId: second.id, by: .commandLine)
        #expect(try await t.database.contacts(elderId: e.id).map(\.position) == [1, 2])
    }

    @Test func theAuditLogIsAppendOnly() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        _ = try await t.addElder(1)
        let who = Principal(accountId: 7, name: "李娜", role: .supervisor)
        _ = try await t.database.updateElder(id: 1, by: who) { e, now in try ElderPatch(phone: "13900000000", careLevel: .disabled).applied(to: e, now: now) }
        let latest = try await t.database.auditLog(AuditFilter(), page: PageRequest(limit: 1)).items[0]
        #expect(latest.actorName == "李娜" && latest.actorRole == .supervisor && latest.fields == ["phone", "careLevel"])
        #expect(!latest.fields.contains("13900000000"))
        await #expect(throws: DatabaseError.self) {
            try await t.database.pool.write { db in try db.execute(sql: "UPDATE audit_log SET actor_name = 'x'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await t.database.pool.write { db in try db.execute(sql: "DELETE FROM audit_log") }
        }
    }

    @Test func devicesGetASecretShownOnceAndAFingerprint() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let e = try await t.addElder(1)
        let created = try await t.database.createDevice(NewDevice(type: .fallDetector, elderId: e.id), by: .commandLine)
        #expect(created.secret.count == 43)
        #expect(created.device.heartbeatSeconds == DeviceType.fallDetector.defaultHeartbeatSeconds)
        #expect(created.device.secretFingerprint == Secrets.fingerprint(of: created.secret))
        let rotated = try await t.database.rotateDeviceSecret(id: created.device.id, by: .commandLine)
        #expect(rotated.secret != created.secret)
        #expect(try t.database.deviceCredentials(id: created.device.id)?.secret == rotated.secret)
        // The intake's credentials read (columns by position) sees the device as every other read does.
        #expect(try t.database.deviceCredentials(id: created.device.id)?.device == rotated.device)
        await #expect(throws: StoreError.self) {
            _ = try await t.database.createDevice(NewDevice(type: .watch, elderId: 999), by: .commandLine)
        }
    }
}

@Suite("API tokens")
struct TokenTests {
    @Test func aTokenIsStoredOnlyAsAHashAndCanBeRevoked() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        let (account, issued) = try await t.database.issueToken(role: .operator, name: "李娜", by: .commandLine)
        #expect(issued.token.hasPrefix(issued.info.id + "_"))
        #expect(try await t.database.authenticate(token: issued.token) == account.principal)
        let stored = try await t.database.pool.read { db in try Data.fetchOne(db, sql: "SELECT hash FROM api_token")! }
        #expect(stored != Data(issued.token.utf8))
        // One character changed (a token ending in "a" once made this check pass by accident).
        let altered = String(issued.token.dropLast()) + (issued.token.hasSuffix("a") ? "b" : "a")
        #expect(try await t.database.authenticate(token: altered) == nil)
        #expect(try await t.database.authenticate(token: "ec_nonsense") == nil)
        _ = try await t.database.revokeToken(id: issued.info.id, by: .commandLine)
        #expect(try await t.database.authenticate(token: issued.token) == nil)
    }

    @Test func deactivatingAnAccountStopsItsTokens() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        let (account, issued) = try await t.database.issueToken(role: .agency, name: "玉州区社区卫生服务中心", by: .commandLine)
        let (same, _) = try await t.database.issueToken(role: .agency, name: "玉州区社区卫生服务中心", by: .commandLine)
        #expect(same.id == account.id)
        _ = try await t.database.updateAccount(id: account.id, AccountPatch(status: .inactive), by: .commandLine)
        #expect(try await t.database.authenticate(token: issued.token) == nil)
    }
}

@Suite("More listing filters")
struct ListingFilterTests {
    @Test func regionsAccountsAndDevicesFilter() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let yuzhou = try await t.addElder(1)
        let fumian = try await t.addElder(2, region: "450903001000")
        _ = try await t.database.createDevice(NewDevice(id: "SOS-Y", type: .sosPendant, elderId: yuzhou.id), by: .commandLine)
        _ = try await t.database.createDevice(NewDevice(id: "SOS-F", type: .sosPendant, elderId: fumian.id), by: .commandLine)
        _ = try await t.database.issueToken(role: .operator, name: "李娜", by: .commandLine)
        _ = try await t.database.issueToken(role: .operator, name: "王芳", by: .commandLine)

        let regions = try await t.database.regions(RegionFilter(nameContains: "玉城"), page: PageRequest())
        #expect(regions.items.map(\.name) == ["玉城街道"])
        let accounts = try await t.database.accounts(role: .operator, nameContains: "娜", page: PageRequest())
        #expect(accounts.items.map(\.name) == ["李娜"])
        let devices = try await t.database.devices(DeviceFilter(region: "450903"), page: PageRequest())
        #expect(devices.items.map(\.id) == ["SOS-F"])
        let allYulin = try await t.database.devices(DeviceFilter(region: "450900000000"), page: PageRequest())
        #expect(allYulin.items.count == 2)
    }
}

@Suite("Device replies")
struct ReplyTests {
    @Test(arguments: [(EventOutcome.accepted, Int64?.some(42)), (.recorded, nil), (.joined, 7), (.cancelled, 9)])
    func theHandBuiltReplyIsTheEventReply(outcome: EventOutcome, callId: Int64?) throws {
        let version = callId.map { Int($0 % 5) + 1 }
        let data = CareDatabase.replyJSON(ref: "sim-12.a:b_c-9", outcome: outcome, callId: callId, callVersion: version,
                                          heartbeatSeconds: 300)
        let reply = try JSONDecoder().decode(EventReply.self, from: data)
        #expect(reply == EventReply(ref: "sim-12.a:b_c-9", status: outcome, callId: callId, callVersion: version, heartbeatSeconds: 300))
    }
}

@Suite("Group commit isolation")
struct GroupCommitIsolationTests {
    struct Refused: Error {}

    @Test func oneFailingEventDoesNotTakeItsNeighboursDown() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.createDevice(NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine).device
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let batch = ["a", "b", "c"].map { ref in
            IncomingEvent(device: device, event: DeviceEvent(ref: ref, kind: .heartbeat, occurredAt: now),
                          body: Data(ref.utf8), receivedAt: now)
        }
        let results = try await t.database.recordEvents(batch, graceSeconds: 120) { context in
            if context.incoming.event.ref == "b" { throw Refused() }
            return .record
        }
        #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
        let stored = try await t.database.deviceEvents(deviceId: "SOS-1", page: PageRequest()).items.map(\.ref)
        #expect(stored == ["a", "c"])
    }

    /// The writer keeps each elder's open calls in memory. A batch that is rolled back and redone
    /// event by event must not leave its first attempt there: the call and its count must be as stored.
    @Test func aRolledBackBatchLeavesNoTraceInTheOpenCalls() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.createDevice(NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine).device
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        func alarms(_ refs: [String]) -> [IncomingEvent] {
            refs.map { IncomingEvent(device: device, event: DeviceEvent(ref: $0, kind: .alarm, code: .sos, occurredAt: now),
                                     body: Data($0.utf8), receivedAt: now) }
        }
        // Opens a call for the first alarm, joins it for the rest; "b" fails after "a" opened it.
        let decide: @Sendable (IntakeContext) throws -> IntakeDecision = { context in
            if context.incoming.event.ref == "b" { throw Refused() }
            if let open = context.openCalls.first { return .join(callId: open.id, priority: open.priority, reason: open.reason) }
            return .open(code: .sos, priority: .p1, reason: "SOS")
        }
        _ = try await t.database.recordEvents(alarms(["a", "b", "c"]), graceSeconds: 120, decide: decide)
        _ = try await t.database.recordEvents(alarms(["d"]), graceSeconds: 120, decide: decide)
        let calls = try await t.database.calls(CallFilter(), page: PageRequest()).items
        #expect(calls.count == 1)
        #expect(calls.first?.eventCount == 3)  // a, c, d: b was refused, the first attempt rolled back
        #expect(calls.first?.version == 3)
    }
}

@Suite("Supervision deadlines")
struct SupervisionDeadlineTests {
    /// A chatty device moves its deadline (one row update) at most every ten seconds, and a
    /// device back from offline always gets a fresh one.
    @Test func aDeadlineIsRewrittenOnlyWhenItMovesTenSecondsOrTheDeviceWasOffline() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let elder = try await t.addElder(1)
        let device = try await t.database.createDevice(NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine).device
        func heartbeat(_ ref: String) async throws -> Int64? {
            let now = t.clock.now
            _ = try await t.database.recordEvents([IncomingEvent(device: device, event: DeviceEvent(ref: ref, kind: .heartbeat, occurredAt: now),
                                                                 body: Data(ref.utf8), receivedAt: now)], graceSeconds: 120) { _ in .record }
            return try await t.database.pool.read { db in try Int64.fetchOne(db, sql: "SELECT deadline_ms FROM device WHERE id = 'SOS-1'") }
        }
        let first = try #require(try await heartbeat("a"))
        #expect(first == t.clock.now.millis + (300 + 120) * 1000)
        t.clock.advance(9)
        #expect(try await heartbeat("b") == first, "moved less than 10 s: not rewritten")
        t.clock.advance(2)
        #expect(try await heartbeat("c") == t.clock.now.millis + 420_000)
        _ = try await t.database.markOverdueDevicesOffline(now: t.clock.now.addingTimeInterval(1000), limit: 10) { _ in (.p3, "offline") }
        t.clock.advance(1)
        #expect(try await heartbeat("d") == t.clock.now.millis + 420_000, "back from offline: always rewritten")
    }
}
