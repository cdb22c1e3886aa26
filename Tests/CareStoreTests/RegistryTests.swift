import CareModel
import Foundation
import GRDB
import Testing

@testable import CareStore

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
            let page = try await t.database.registry.elders(
                ElderFilter(), page: PageRequest(after: cursor.flatMap(Cursor.decode), limit: 10))
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
        _ = try await t.database.registry.updateElder(id: fumian.id, by: .commandLine) { e, now in
            try ElderPatch(categories: [.wubao]).applied(to: e, now: now)
        }
        func names(_ f: ElderFilter) async throws -> [String] {
            try await t.database.registry.elders(f, page: PageRequest()).items.map(\.name)
        }
        #expect(try await names(ElderFilter(nameContains: "伟")) == ["张伟明", "李伟"])
        #expect(try await names(ElderFilter(nameContains: "张伟")) == ["张伟明"])
        #expect(try await names(ElderFilter(nameContains: "伟张")) == [])
        #expect(try await names(ElderFilter(region: "450903")) == ["张三"])
        #expect(try await names(ElderFilter(region: "450900000000")).count == 3)
        #expect(try await names(ElderFilter(category: .wubao)) == ["张三"])
        // A renamed elder is found by the new name only.
        _ = try await t.database.registry.updateElder(id: 2, by: .commandLine) { e, now in
            try ElderPatch(name: "李强").applied(to: e, now: now)
        }
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
        try await t.database.registry.deleteElder(id: mistaken.id, by: .commandLine)
        await #expect(throws: StoreError.notFound(entity: "elder", id: String(mistaken.id))) {
            _ = try await t.database.registry.elder(id: mistaken.id)
        }
        let elder = try await t.addElder(2)
        _ = try await t.database.registry.createDevice(NewDevice(id: "SOS-1", type: .sosPendant, elderId: elder.id), by: .commandLine)
        await #expect(throws: StoreError.self) { try await t.database.registry.deleteElder(id: elder.id, by: .commandLine) }
        let inactive = try await t.database.registry.updateElder(id: elder.id, by: .commandLine) { e, now in
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
        _ = try await t.database.registry.updateElder(id: e.id, expectedVersion: 1, by: .commandLine) { e, now in
            try ElderPatch(phone: "13900000000").applied(to: e, now: now)
        }
        await #expect(throws: StoreError.versionMismatch(entity: "elder", id: String(e.id), expected: 1, current: 2)) {
            _ = try await t.database.registry.updateElder(id: e.id, expectedVersion: 1, by: .commandLine) { e, now in
                try ElderPatch(phone: "13700000000").applied(to: e, now: now)
            }
        }
    }

    @Test func contactsKeepACallOrder() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        let e = try await t.addElder(1)
        let second = try await t.database.registry.addContact(
            elderId: e.id, NewContact(name: "王芳", relation: .daughter, phone: "13700003333"), by: .commandLine)
        _ = try await t.database.registry.addContact(
            elderId: e.id, NewContact(name: "邻居陈", relation: .neighbour, phone: "13600004444", hasKey: true), by: .commandLine)
        _ = try await t.database.registry.updateContact(elderId: e.id, contactId: second.id, ContactPatch(position: 1), by: .commandLine)
        #expect(try await t.database.registry.contacts(elderId: e.id).map(\.name) == ["王芳", "李明", "邻居陈"])
        #expect(try await t.database.registry.contacts(elderId: e.id).map(\.position) == [1, 2, 3])
        try await t.database.registry.deleteContact(elderId: e.id, contactId: second.id, by: .commandLine)
        #expect(try await t.database.registry.contacts(elderId: e.id).map(\.position) == [1, 2])
    }

    @Test func theAuditLogIsAppendOnly() async throws {
        let t = try await TestDatabase.make()
        defer { t.remove() }
        try await t.addRegions()
        _ = try await t.addElder(1)
        let who = Principal(accountId: 7, name: "李娜", role: .supervisor)
        _ = try await t.database.registry.updateElder(id: 1, by: who) { e, now in
            try ElderPatch(phone: "13900000000", careLevel: .disabled).applied(to: e, now: now)
        }
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
        let created = try await t.database.registry.createDevice(NewDevice(type: .fallDetector, elderId: e.id), by: .commandLine)
        #expect(created.secret.count == 43)
        #expect(created.device.heartbeatSeconds == DeviceType.fallDetector.defaultHeartbeatSeconds)
        #expect(created.device.secretFingerprint == Secrets.fingerprint(of: created.secret))
        let rotated = try await t.database.registry.rotateDeviceSecret(id: created.device.id, by: .commandLine)
        #expect(rotated.secret != created.secret)
        #expect(try t.database.registry.deviceCredentials(id: created.device.id)?.secret == rotated.secret)
        // The intake's credentials read (columns by position) sees the device as every other read does.
        #expect(try t.database.registry.deviceCredentials(id: created.device.id)?.device == rotated.device)
        await #expect(throws: StoreError.self) {
            _ = try await t.database.registry.createDevice(NewDevice(type: .watch, elderId: 999), by: .commandLine)
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
        _ = try await t.database.registry.createDevice(NewDevice(id: "SOS-Y", type: .sosPendant, elderId: yuzhou.id), by: .commandLine)
        _ = try await t.database.registry.createDevice(NewDevice(id: "SOS-F", type: .sosPendant, elderId: fumian.id), by: .commandLine)
        _ = try await t.database.issueToken(role: .operator, name: "李娜", by: .commandLine)
        _ = try await t.database.issueToken(role: .operator, name: "王芳", by: .commandLine)

        let regions = try await t.database.registry.regions(RegionFilter(nameContains: "玉城"), page: PageRequest())
        #expect(regions.items.map(\.name) == ["玉城街道"])
        let accounts = try await t.database.accounts(role: .operator, nameContains: "娜", page: PageRequest())
        #expect(accounts.items.map(\.name) == ["李娜"])
        let devices = try await t.database.registry.devices(DeviceFilter(region: "450903"), page: PageRequest())
        #expect(devices.items.map(\.id) == ["SOS-F"])
        let allYulin = try await t.database.registry.devices(DeviceFilter(region: "450900000000"), page: PageRequest())
        #expect(allYulin.items.count == 2)
    }
}
