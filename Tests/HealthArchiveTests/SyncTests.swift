import CareModel
import CareStore
import Foundation
import HealthArchive
import Testing

/// An agency's copy of its scope, built only from what its feed says, as a real agency would.
struct AgencyCopy {
    var resources: [String: (elder: Int64, version: Int, json: String)] = [:]
    var cursor = "0"
    /// Every (record, version) the feed delivered as a change (not a snapshot), to find repeats.
    var delivered: [String] = []

    mutating func apply(_ page: SyncPage) {
        for change in page.changes {
            let key = change.type.map { "\($0.rawValue)/\(change.id ?? "")" } ?? ""
            switch change.op {
            case .enter: break
            case .leave: resources = resources.filter { $0.value.elder != change.elderId }
            case .snapshot: resources[key] = (change.elderId, change.version!, change.json!)
            case .create, .update:
                resources[key] = (change.elderId, change.version!, change.json!)
                delivered.append("\(key)@\(change.version!)")
            case .delete:
                resources[key] = nil
                delivered.append("\(key)@\(change.version!)")
            }
        }
        cursor = page.next.description
    }

    var digest: SyncDigest {
        var d = SyncDigest()
        for (key, value) in resources {
            let parts = key.split(separator: "/")
            d.add(type: String(parts[0]), id: String(parts[1]), version: value.version)
        }
        return d
    }

    mutating func pullAll(_ t: ArchiveHarness, as who: Principal, limit: Int = 500) async throws {
        while true {
            let page = try await t.archive.syncChanges(since: cursor, limit: limit, by: who)
            apply(page)
            if !page.more { return }
        }
    }
}

func bundle(_ type: String, id: String? = nil, _ entries: [FHIRJSON]) -> Data {
    var o = FHIRObject([("resourceType", "Bundle")])
    if let id { o["id"] = .string(id) }
    o["type"] = .string(type)
    o["entry"] = .array(entries)
    return FHIRJSON.object(o).data
}

func put(_ json: FHIRJSON, _ reference: String, base: Int) -> FHIRJSON {
    ["resource": json, "request": ["method": "PUT", "url": .string(reference), "ifMatch": .string("W/\"\(base)\"")]]
}

func post(_ json: FHIRJSON) -> FHIRJSON {
    ["resource": json, "request": ["method": "POST", "url": .string(json["resourceType"]?.string ?? "")]]
}

/// A stored resource's JSON with one top-level element set, as an editor would change it.
func edited(_ stored: StoredResource, _ key: String, _ value: FHIRJSON?) throws -> FHIRJSON {
    var object = try FHIRJSON.parse(Data(stored.json.utf8)).object!
    object[key] = value
    return .object(object)
}

@Suite("The sync engine")
struct SyncTests {
    @Test func aCursorPullWithWritesInterleavedMissesNothingAndRepeatsNothing() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1), b = try await t.addElder(2)
        _ = try await t.archive.create(Sample.condition("I10", "高血压", patient: a.id), as: .condition, by: t.admin)
        var copy = AgencyCopy()
        try await copy.pullAll(t, as: t.centreDoctor)
        #expect(copy.resources.count == 2, "a's Patient and Condition (b has no archive yet)")
        var written: [String] = []
        for i in 0..<12 {
            let elder = i % 2 == 0 ? a : b
            let (stored, _) = try await t.archive.create(Sample.heartRate(Double(60 + i), patient: elder.id), as: .observation, by: t.admin)
            written.append("\(stored.reference)@1")
            if i % 3 == 0 {
                let updated = try await t.archive.update(
                    Sample.heartRate(Double(90 + i), patient: elder.id).withId(stored.id), as: .observation, id: stored.id, ifMatch: 1,
                    by: t.admin)
                written.append("\(updated.reference)@2")
            }
            if i % 4 == 0 {
                let page = try await t.archive.syncChanges(since: copy.cursor, limit: 2, by: t.centreDoctor)
                copy.apply(page)
            }
        }
        try await copy.pullAll(t, as: t.centreDoctor, limit: 3)
        // b entered the scope with its first record (its Patient and that record came as a snapshot).
        let repeated = Dictionary(grouping: copy.delivered, by: { $0 }).filter { $0.value.count > 1 }
        #expect(repeated.isEmpty, "delivered twice: \(repeated.keys.sorted())")
        let expected = try await t.archive.syncChecksum(at: nil, by: t.centreDoctor)
        #expect(copy.digest.hex == expected.digest)
        #expect(copy.digest.count == expected.count)
        #expect(expected.count == 2 + 12 + 1, "two Patients, twelve heart rates, one condition")
        for record in written where record.hasSuffix("@2") {
            let key = String(record.dropLast(2))
            #expect(copy.resources[key]?.version == 2, "\(key) is at its last version")
        }
        // The platform counts as held only what the agency confirmed by asking from beyond it.
        let unconfirmed = try await t.archive.syncStatus(by: t.centreDoctor)
        #expect(unconfirmed.pending > 0 && !unconfirmed.inSync)
        copy.apply(try await t.archive.syncChanges(since: copy.cursor, limit: 10, by: t.centreDoctor))
        let status = try await t.archive.syncStatus(by: t.centreDoctor)
        #expect(status.pending == 0 && status.inSync)
        #expect(status.cursor == copy.cursor)
    }

    @Test func anElderEnteringTheScopeBringsTheWholeArchiveAndLeavingSaysRemoved() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let far = try await t.addElder(7, region: "450903000000")  // Fumian: outside the centre's area
        _ = try await t.archive.create(Sample.condition("E11", "2型糖尿病", patient: far.id), as: .condition, by: t.admin)
        _ = try await t.archive.create(Sample.allergy("青霉素", patient: far.id), as: .allergyIntolerance, by: t.admin)
        var hospital = AgencyCopy()
        try await hospital.pullAll(t, as: t.hospitalDoctor)
        #expect(hospital.resources.isEmpty)

        try await t.archive.store.enrol(elderId: far.id, institutionId: t.hospital, by: t.admin)
        let entered = try await t.archive.syncChanges(since: hospital.cursor, limit: 100, by: t.hospitalDoctor)
        #expect(entered.changes.first?.op == .enter)
        #expect(entered.changes.filter { $0.op == .snapshot }.count == 3, "Patient, Condition, AllergyIntolerance")
        hospital.apply(entered)
        #expect(hospital.resources.count == 3)

        try await t.archive.store.unenrol(elderId: far.id, institutionId: t.hospital, by: t.admin)
        _ = try await t.archive.create(Sample.heartRate(70, patient: far.id), as: .observation, by: t.admin)
        let left = try await t.archive.syncChanges(since: hospital.cursor, limit: 100, by: t.hospitalDoctor)
        #expect(left.changes.map(\.op) == [.leave], "a removal, and nothing written after it")
        hospital.apply(left)
        #expect(hospital.resources.isEmpty)

        // Consent withdrawn in the registry (which knows nothing of sync) takes an elder out too.
        let near = try await t.addElder(8)
        _ = try await t.archive.create(Sample.heartRate(66, patient: near.id), as: .observation, by: t.admin)
        var centre = AgencyCopy()
        try await centre.pullAll(t, as: t.centreDoctor)
        #expect(centre.resources.values.contains { $0.elder == near.id })
        t.clock.advance(1)
        try await t.withdrawConsent(near.id)
        // Written after the withdrawal but before the centre's next pull: it must not reach the centre.
        t.clock.advance(1)
        let (late, _) = try await t.archive.create(Sample.heartRate(99, patient: near.id), as: .observation, by: t.admin)
        let withdrawn = try await t.archive.syncChanges(since: centre.cursor, limit: 100, by: t.centreDoctor)
        #expect(withdrawn.changes.map(\.op) == [.leave], "only the removal: \(withdrawn.changes.map(\.line))")
        #expect(!withdrawn.changes.contains { $0.id == late.id })
        centre.apply(withdrawn)
        #expect(!centre.resources.values.contains { $0.elder == near.id })
        let sum = try await t.archive.syncChecksum(at: centre.cursor, by: t.centreDoctor)
        #expect(sum.digest == centre.digest.hex)
    }

    @Test func deletesArriveAsTombstonesAndACursorOlderThanTheFeedIsToldToStartAgain() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1)
        let (stored, _) = try await t.archive.create(Sample.heartRate(70, patient: a.id), as: .observation, by: t.admin)
        var copy = AgencyCopy()
        try await copy.pullAll(t, as: t.centreDoctor)
        let old = copy.cursor
        _ = try await t.archive.delete(.observation, id: stored.id, by: t.admin)
        let page = try await t.archive.syncChanges(since: old, limit: 100, by: t.centreDoctor)
        #expect(page.changes.map(\.op) == [.delete])
        #expect(page.changes.first?.version == 2)
        copy.apply(page)
        #expect(copy.resources[stored.reference] == nil)

        t.clock.advance(31 * 86_400)
        _ = try await t.archive.create(Sample.heartRate(71, patient: a.id), as: .observation, by: t.admin)
        let pruned = try await t.archive.store.pruneFeed(olderThan: t.clock.now.addingTimeInterval(-30 * 86_400))
        #expect(pruned > 0)
        do {
            _ = try await t.archive.syncChanges(since: old, limit: 100, by: t.centreDoctor)
            Issue.record("a cursor older than the feed was answered")
        } catch let refusal as ArchiveRefusal {
            #expect(refusal.status == 410)
            #expect(refusal.outcome.sentence.contains("re-sync from scratch"))
        }
        // From scratch: the scope as it is now, then the feed from there.
        var fresh = AgencyCopy()
        try await fresh.pullAll(t, as: t.centreDoctor)
        let sum = try await t.archive.syncChecksum(at: nil, by: t.centreDoctor)
        #expect(fresh.digest.hex == sum.digest)
        #expect(fresh.resources.count == 2)
    }

    @Test func aRetriedPushChangesNothingAndReturnsTheFirstAnswer() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1)
        let body = bundle("batch", id: "push-1", [post(Sample.heartRate(70, patient: a.id))])
        let first = try await t.archive.syncPush(body, pushId: nil, by: t.centreDoctor)
        #expect(first.results.map(\.status) == [201])
        let again = try await t.archive.syncPush(body, pushId: nil, by: t.centreDoctor)
        #expect(again.replayed)
        #expect(again.json == first.json)
        let page = try await t.archive.search(.observation, [("patient", String(a.id))], by: t.admin)
        #expect(page.matches.count == 1)
        // The same id for a different Bundle is refused rather than silently answered.
        await #expect(throws: ArchiveRefusal.self) {
            _ = try await t.archive.syncPush(
                bundle("batch", id: "push-1", [post(Sample.heartRate(71, patient: a.id))]), pushId: nil, by: t.centreDoctor)
        }
    }

    @Test func changesToDifferentFieldsSinceTheBaseAreMergedFieldByField() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1)
        let (v1, _) = try await t.archive.create(Sample.condition("I10", "高血压", patient: a.id), as: .condition, by: t.admin)
        // The platform's doctor adds a note (version 2) …
        let v2 = try await t.archive.update(
            try edited(v1, "note", [["text": "血压控制良好"]]), as: .condition, id: v1.id, ifMatch: 1, by: t.admin)
        // … while the agency, still at version 1, sets the severity.
        let agencyEdit = try edited(v1, "severity", ["text": "中度"])
        let answer = try await t.archive.syncPush(
            bundle("batch", [put(agencyEdit, v1.reference, base: 1)]), pushId: "m1", by: t.centreDoctor)
        #expect(answer.results.first?.status == 200)
        #expect(answer.results.first?.merged == true)
        #expect(answer.json.contains("merged field by field"), "the answer says so")
        let now = try await t.archive.read(.condition, id: v1.id, by: t.admin)
        #expect(now.version == v2.version + 1)
        #expect(now.json.contains("血压控制良好") && now.json.contains("中度"), "both edits survive")
    }

    @Test func aTrueConflictIsKeptAnsweredNotifiedAndResolved() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1)
        let (v1, _) = try await t.archive.create(Sample.condition("I10", "高血压", patient: a.id), as: .condition, by: t.admin)
        _ = try await t.archive.update(try edited(v1, "note", [["text": "平台"]]), as: .condition, id: v1.id, ifMatch: 1, by: t.admin)
        let answer = try await t.archive.syncPush(
            bundle("batch", [put(try edited(v1, "note", [["text": "机构"]]), v1.reference, base: 1)]), pushId: "c1", by: t.centreDoctor)
        let result = try #require(answer.results.first)
        #expect(result.status == 409)
        #expect(result.outcome?.issues.first?.expression == "Condition.note")
        #expect(answer.json.contains("409 Conflict"))
        let conflictId = try #require(result.conflictId)
        let current = try await t.archive.read(.condition, id: v1.id, by: t.admin)
        #expect(current.version == 2 && current.json.contains("平台"), "nothing overwritten")
        let open = try await t.archive.syncConflicts(status: "open", page: PageRequest(limit: 10), by: t.centreDoctor)
        #expect(open.items.map(\.id) == [conflictId])
        #expect(open.items.first?.agencyResource.contains("机构") == true)
        #expect(open.items.first?.platformResource.contains("平台") == true)
        #expect(try await t.database.outboxStatus(key: "sync-conflict-\(conflictId)")?.status == "pending")
        // The hospital may not see or settle the centre's conflict.
        let theirs = try await t.archive.syncConflicts(status: nil, page: PageRequest(limit: 10), by: t.hospitalDoctor)
        #expect(theirs.items.isEmpty)
        await #expect(throws: ArchiveRefusal.self) {
            _ = try await t.archive.syncResolve(conflictId: conflictId, choice: "agency", resource: nil, by: t.hospitalDoctor)
        }
        let resolved = try await t.archive.syncResolve(conflictId: conflictId, choice: "agency", resource: nil, by: t.centreDoctor)
        #expect(resolved.status == "resolved" && resolved.resolvedVersion == 3)
        let after = try await t.archive.read(.condition, id: v1.id, by: t.admin)
        #expect(after.json.contains("机构") && !after.json.contains("平台"))
        let status = try await t.archive.syncStatus(by: t.centreDoctor)
        #expect(status.openConflicts == 0)
    }

    @Test func aTransactionBundleIsAllOrNothing() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let near = try await t.addElder(1), far = try await t.addElder(2, region: "450903000000")
        do {
            _ = try await t.archive.syncPush(
                bundle("transaction", [post(Sample.heartRate(70, patient: near.id)), post(Sample.heartRate(71, patient: far.id))]),
                pushId: "t1", by: t.centreDoctor)
            Issue.record("a transaction with an out-of-scope entry was accepted")
        } catch let refusal as ArchiveRefusal {
            #expect(refusal.status == 403)
            #expect(refusal.outcome.issues.first?.expression.hasPrefix("Bundle.entry[1]") == true)
        }
        let kept = try await t.archive.search(.observation, [("patient", String(near.id))], by: t.admin)
        #expect(kept.matches.isEmpty, "the first entry was rolled back with the second")
        let status = try await t.archive.syncStatus(by: t.centreDoctor)
        #expect(status.lastError?.contains("outside the scope") == true)
        #expect(!status.inSync)
        // The same as a batch: the first kept, the second refused on its own.
        let batch = try await t.archive.syncPush(
            bundle("batch", [post(Sample.heartRate(70, patient: near.id)), post(Sample.heartRate(71, patient: far.id))]),
            pushId: "b1", by: t.centreDoctor)
        #expect(batch.results.map(\.status) == [201, 403])
    }

    @Test func malformedBundlesInvalidResourcesAndOtherRolesAreRefusedWithAnOutcome() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1)
        func refusal(_ body: Data, by who: Principal) async -> ArchiveRefusal? {
            do {
                _ = try await t.archive.syncPush(body, pushId: nil, by: who)
                return nil
            } catch let r as ArchiveRefusal { return r } catch { return nil }
        }
        #expect(await refusal(Data("{not json".utf8), by: t.centreDoctor)?.status == 400)
        #expect(await refusal(Sample.heartRate(70, patient: a.id).data, by: t.centreDoctor)?.outcome.issues.first?.expression == "Bundle")
        let bad = await refusal(bundle("batch", [post(Sample.heartRate(900, patient: a.id))]), by: t.centreDoctor)
        #expect(bad?.outcome.issues.first?.expression == "Bundle.entry[0].resource(Observation.valueQuantity.value)")
        let noBase = await refusal(
            bundle("batch", [["resource": Sample.heartRate(70, patient: a.id), "request": ["method": "PUT", "url": "Observation/1"]]]),
            by: t.centreDoctor)
        #expect(noBase?.outcome.issues.first?.expression == "Bundle.entry[0].request.ifMatch")
        #expect(await refusal(bundle("batch", [post(Sample.heartRate(70, patient: a.id))]), by: t.operatorOnDuty)?.status == 403)
        #expect(
            await refusal(bundle("batch", [post(Sample.heartRate(70, patient: a.id))]), by: t.admin)?.status == 422,
            "an administrator names the agency")
        await #expect(throws: ArchiveRefusal.self) { _ = try await t.archive.syncChanges(since: "0", limit: 10, by: t.provider) }
        await #expect(throws: ArchiveRefusal.self) { _ = try await t.archive.syncChanges(since: "banana", limit: 10, by: t.centreDoctor) }
    }

    @Test func aBulkExportIsTheScopeAtOnePositionFilteredByTypeAndTime() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1), b = try await t.addElder(2)
        _ = try await t.archive.create(Sample.condition("I10", "高血压", patient: a.id), as: .condition, by: t.admin)
        _ = try await t.archive.create(Sample.heartRate(70, patient: b.id), as: .observation, by: t.admin)
        t.clock.advance(3600)
        let since = t.clock.now
        let (late, _) = try await t.archive.create(Sample.heartRate(80, patient: a.id), as: .observation, by: t.admin)
        func export(types: String? = nil, since: String? = nil) async throws -> (changes: [SyncChange], position: Int64) {
            let start = try await t.archive.syncExportStart(types: types, since: since, by: t.centreDoctor)
            var all: [SyncChange] = []
            var after: Int64 = 0
            while true {
                let chunk = try await t.archive.syncExportChunk(start, afterElder: after, by: t.centreDoctor)
                all += chunk.changes
                guard let last = chunk.lastElder else { break }
                after = last
            }
            return (all, start.position)
        }
        let everything = try await export()
        #expect(everything.changes.count == 5, "two Patients, a condition, two readings")
        var digest = SyncDigest()
        for c in everything.changes { digest.add(type: c.type!.rawValue, id: c.id!, version: c.version!) }
        let sum = try await t.archive.syncChecksum(at: String(everything.position), by: t.centreDoctor)
        #expect(sum.digest == digest.hex)
        let conditions = try await export(types: "Condition")
        #expect(conditions.changes.map(\.type) == [.condition])
        let recent = try await export(since: FHIRDate.dateTime(since))
        #expect(recent.changes.map(\.id) == [late.id])
        await #expect(throws: ArchiveRefusal.self) { _ = try await export(types: "Medication") }
    }

    @Test func aLongPollAnswersWithTheChangeThatWokeIt() async throws {
        let t = try await ArchiveHarness.make()
        defer { t.remove() }
        let a = try await t.addElder(1), far = try await t.addElder(2, region: "450903000000")
        _ = try await t.archive.create(Sample.heartRate(70, patient: a.id), as: .observation, by: t.admin)
        _ = try await t.archive.create(Sample.heartRate(70, patient: far.id), as: .observation, by: t.admin)
        var copy = AgencyCopy()
        try await copy.pullAll(t, as: t.centreDoctor)
        let since = copy.cursor, doctor = t.centreDoctor, archive = t.archive
        let waiting = Task { try await archive.syncChanges(since: since, limit: 100, wait: .seconds(60), by: doctor) }
        // A change outside the centre's scope is no answer (it may wake the poll), one inside is;
        // the end-to-end test makes sure the poll is already waiting when it comes.
        _ = try await t.archive.create(Sample.heartRate(71, patient: far.id), as: .observation, by: t.admin)
        let (mine, _) = try await t.archive.create(Sample.heartRate(72, patient: a.id), as: .observation, by: t.admin)
        let page = try await waiting.value
        #expect(page.changes.map(\.id) == [mine.id])
        #expect(page.changes.first?.op == .create)
    }

    @Test func theMergeTakesEachSidesChangesAndNamesOnlyTrueConflicts() {
        let base = FHIRObject([("resourceType", "Condition"), ("a", 1), ("b", 1), ("c", 1), ("d", 1)])
        let platform = FHIRObject([("resourceType", "Condition"), ("a", 2), ("b", 1), ("c", 3), ("d", 5)])
        let agency = FHIRObject([("resourceType", "Condition"), ("a", 1), ("b", 2), ("c", 4), ("d", 5), ("e", 1)])
        let result = ThreeWayMerge.merge(base: base, platform: platform, agency: agency)
        #expect(result.conflicts == ["c"])
        #expect(result.merged["a"] == 2 && result.merged["b"] == 2 && result.merged["d"] == 5 && result.merged["e"] == 1)
    }

    @Test func theDigestDoesNotDependOnOrder() {
        var one = SyncDigest(), two = SyncDigest()
        one.add(type: "Observation", id: "1", version: 1); one.add(type: "Condition", id: "2", version: 3)
        two.add(type: "Condition", id: "2", version: 3); two.add(type: "Observation", id: "1", version: 1)
        #expect(one == two)
        var three = SyncDigest()
        three.add(type: "Observation", id: "1", version: 2); three.add(type: "Condition", id: "2", version: 3)
        #expect(three.hex != one.hex)
    }
}

extension FHIRJSON {
    func withId(_ id: String) -> FHIRJSON {
        guard var o = object else { return self }
        o["id"] = .string(id)
        return .object(o)
    }
}

extension ArchiveHarness {
    /// The registry withdraws an elder's consent to share the archive.
    func withdrawConsent(_ elderId: Int64) async throws {
        _ = try await database.registry.updateElder(id: elderId, by: .commandLine) { elder, _ in
            var elder = elder
            elder.consent.shareHealthArchive = false
            return elder
        }
    }
}
