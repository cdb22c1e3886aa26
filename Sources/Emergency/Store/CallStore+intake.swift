import CareModel
import CareStore
import Foundation
internal import GRDB
import Synchronization

extension CallStore {
    /// Stores a batch of events in ONE transaction (group commit), so that one failing event
    /// cannot take its neighbours down. Returns once the transaction is durable; the results are
    /// in the order of `batch`.
    ///
    /// For every event: a stored reference returns its first reply; otherwise `decide` chooses
    /// what happens, and the raw event, the call it opens or changes, the change-log entry, the
    /// outbox rows and the device's supervision deadline are written together.
    public func recordEvents(
        _ batch: [IncomingEvent], graceSeconds: Int,
        decide: @escaping @Sendable (IntakeContext) throws -> IntakeDecision
    ) async throws -> [Result<IntakeResult, any Error>] {
        do {
            return try await database.write { db in try self.recordAll(db, batch, graceSeconds: graceSeconds, decide: decide) }
        } catch is OneEventFailed {
            return try await database.write { db in self.recordEach(db, batch, graceSeconds: graceSeconds, decide: decide) }
        }
    }

    /// ``recordEvents(_:graceSeconds:decide:)`` on the calling thread, which blocks until the
    /// transaction is durable (the intake's writer thread calls this).
    public func recordEventsNow(
        _ batch: [IncomingEvent], graceSeconds: Int,
        decide: @escaping @Sendable (IntakeContext) throws -> IntakeDecision
    ) throws -> [Result<IntakeResult, any Error>] {
        do {
            return try database.writeNow { db in try self.recordAll(db, batch, graceSeconds: graceSeconds, decide: decide) }
        } catch is OneEventFailed {
            return try database.writeNow { db in self.recordEach(db, batch, graceSeconds: graceSeconds, decide: decide) }
        }
    }

    /// An event of the batch failed: the transaction rolls back, and the batch is redone by
    /// ``recordEach(_:_:graceSeconds:decide:)``.
    private struct OneEventFailed: Error {}

    /// The usual case: every event of the batch in the one transaction, with no savepoint. A
    /// savepoint would make SQLite copy every page the batch touches into a statement journal
    /// (a temporary file, one per transaction) in case of a rollback to it: a 4 KB write per
    /// event, for a rollback that almost never happens.
    private func recordAll(
        _ db: Database, _ batch: [IncomingEvent], graceSeconds: Int,
        decide: @escaping @Sendable (IntakeContext) throws -> IntakeDecision
    ) throws -> [Result<IntakeResult, any Error>] {
        var results: [Result<IntakeResult, any Error>] = []
        results.reserveCapacity(batch.count)
        for incoming in batch {
            do {
                results.append(.success(try record(db, incoming, graceSeconds: graceSeconds, decide: decide)))
            } catch {
                throw OneEventFailed()
            }
        }
        return results
    }

    /// After a failure: each event in a savepoint of its own, so a bad one fails alone.
    private func recordEach(
        _ db: Database, _ batch: [IncomingEvent], graceSeconds: Int,
        decide: @escaping @Sendable (IntakeContext) throws -> IntakeDecision
    ) -> [Result<IntakeResult, any Error>] {
        batch.map { incoming in
            var result: Result<IntakeResult, any Error> = .failure(StoreError.conflict(reason: "not processed"))
            do {
                try db.inSavepoint {
                    result = .success(try self.record(db, incoming, graceSeconds: graceSeconds, decide: decide))
                    return .commit
                }
            } catch {
                // The caches may hold the rolled-back event's call or device (transaction
                // observers do not hear of a savepoint's rollback).
                self.caches.forgetAll()
                result = .failure(error)
            }
            return result
        }
    }

    private func record(
        _ db: Database, _ incoming: IncomingEvent, graceSeconds: Int,
        decide: (IntakeContext) throws -> IntakeDecision
    ) throws -> IntakeResult {
        let event = incoming.event, device = incoming.device
        // The hot statements bind through SQLite's C API (Statement+direct.swift).
        if let stored = try db.cachedStatement(sql: "SELECT reply, outcome FROM device_event WHERE device_id = ? AND ref = ?")
            .first(
                {
                    $0.add(device.id); $0.add(event.ref)
                }, read: { ($0.blob(0), $0.text(1)) })
        {
            return IntakeResult(reply: stored.0, duplicate: true, outcome: EventOutcome(rawValue: stored.1) ?? .recorded)
        }
        // The device's current elder and supervision columns, as the writer last left them or
        // read inside the transaction; the elder itself usually comes from the cache too.
        let deviceState: DeviceState
        if let cached = caches.deviceStates.value(for: device.id) {
            deviceState = cached
        } else {
            guard
                let read = try db.cachedStatement(sql: "SELECT elder_id, online, deadline_ms FROM device WHERE id = ?")
                    .first(
                        { $0.add(device.id) },
                        read: { row in
                            DeviceState(
                                elderId: row.int64(0), online: row.isNull(1) ? nil : row.int64(1) != 0,
                                deadlineMillis: row.isNull(2) ? nil : row.int64(2))
                        })
            else { throw StoreError.notFound(entity: "device", id: device.id) }
            caches.deviceStates.remember(read, for: device.id)
            deviceState = read
        }
        let elderId = deviceState.elderId
        // Heartbeats and info events never touch calls, so they need neither.
        var elder: Elder?
        var openCalls: [Call] = []
        if event.kind.concernsCalls {
            if let cached = caches.elders.value(for: elderId) {
                elder = cached
            } else {
                let read = try RegistryStore.elder(db, id: elderId)
                caches.elders.remember(read, for: elderId)
                elder = read
            }
            openCalls = try self.openCalls(db, elder: elderId)
        }
        // Triage counts chronic conditions as a risk; the archive answers from its own cache.
        var chronicConditions: [String] = []
        if event.kind == .alarm, event.code?.opensCall == true {
            chronicConditions = try database.bus.ask(db, ChronicConditionsOf(elderId: elderId), as: [String].self) ?? []
        }
        let decision = try decide(
            IntakeContext(incoming: incoming, elder: elder, openCalls: openCalls, chronicConditions: chronicConditions))
        let now = incoming.receivedAt
        // Converted once, without ICU (GRDB formats a bound Date through a DateFormatter).
        let stampText = SQLText.timeText(now)
        let stamp = stampText.databaseValue
        var callId: Int64?
        var outcome: EventOutcome = .recorded
        /// The joined or cancelled call as it now is, for the cache once everything is written.
        var changed: Call?
        switch decision {
        case .open(let code, let priority, let reason):
            let call = try insertCall(
                db, elderId: elderId, deviceId: device.id, code: code, priority: priority,
                reason: reason, location: event.location, at: now, stamp: stampText)
            callId = call.id
            outcome = .accepted
            if let notice = CallNotices.opened(call, elder: elder) { try database.enqueue(db, notice, at: stamp) }
        case .join(let id, let priority, let reason):
            let location = SQLText.location(event.location)
            let previous = openCalls.first { $0.id == id }
            // Priority is in the queue index: set it only when it moves, so a joined alarm
            // rewrites the call's row and not an index page too.
            if previous?.priority == priority {
                try db.cachedStatement(
                    sql: """
                        UPDATE call SET event_count = event_count + 1, last_event_at = ?, last_event_ms = ?,
                            reason = ?, location = coalesce(?, location), version = version + 1 WHERE id = ? AND is_open = 1
                        """
                ).run {
                    $0.add(stampText); $0.add(now.millis); $0.add(reason); $0.add(location); $0.add(id)
                }
            } else {
                try db.cachedStatement(
                    sql: """
                        UPDATE call SET event_count = event_count + 1, last_event_at = ?, last_event_ms = ?, priority = ?,
                            reason = ?, location = coalesce(?, location), version = version + 1 WHERE id = ? AND is_open = 1
                        """
                ).run {
                    $0.add(stampText); $0.add(now.millis); $0.add(priority.rawValue); $0.add(reason); $0.add(location); $0.add(id)
                }
            }
            changed = previous.map { call in
                var call = call
                call.eventCount += 1; call.lastEventAt = now; call.priority = priority; call.reason = reason
                call.location = event.location ?? call.location; call.version += 1
                return call
            }
            try logIntakeChange(db, callId: id, changed, "joined", at: stampText)
            callId = id
            outcome = .joined
        case .cancel(let id):
            try db.cachedStatement(
                sql: """
                    UPDATE call SET status = ?, cancelled_at = ?, last_event_at = ?, last_event_ms = ?, event_count = event_count + 1,
                        version = version + 1 WHERE id = ? AND is_open = 1
                    """
            ).run {
                $0.add(CallStatus.cancelledAtDevice.rawValue); $0.add(stampText); $0.add(stampText); $0.add(now.millis); $0.add(id)
            }
            try appendTimeline(
                db, callId: id,
                CallTimelineEntry(
                    at: now, actorId: nil, actorName: nil, action: "cancelled_at_device",
                    from: .new, to: .cancelledAtDevice,
                    detail: ["deviceId": device.id, "ref": event.ref]))
            changed = openCalls.first { $0.id == id }.map { call in
                var call = call
                call.status = .cancelledAtDevice; call.cancelledAt = now; call.lastEventAt = now
                call.eventCount += 1; call.version += 1
                return call
            }
            try logIntakeChange(db, callId: id, changed, "cancelled_at_device", at: stampText)
            callId = id
            outcome = .cancelled
        case .record:
            break
        }
        // The call's version after this event: the live feed's event for it carries the same, so
        // a device-side tool can tell when its alarm reached the consoles.
        let callVersion: Int? = if case .open = decision { 1 } else { changed?.version }
        let reply = DeviceReply.json(
            ref: event.ref, outcome: outcome, callId: callId, callVersion: callVersion,
            heartbeatSeconds: device.heartbeatSeconds)
        try db.cachedStatement(
            sql: """
                INSERT INTO device_event (device_id, ref, kind, code, occurred_at, received_at, body, outcome, call_id, reply)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).run {
            $0.add(device.id); $0.add(event.ref); $0.add(event.kind.rawValue); $0.add(event.code?.rawValue)
            $0.add(SQLText.timeText(event.occurredAt)); $0.add(stampText); $0.add(incoming.body); $0.add(outcome.rawValue)
            $0.add(callId); $0.add(reply)
        }
        if let vitals = event.vitals {
            // What was prepared names the elder the device had then; were it moved since, prepare again.
            try database.bus.publish(
                db,
                VitalsMeasured(elderId: elderId, deviceId: device.id, eventRef: event.ref, vitals: vitals, measuredAt: event.occurredAt),
                prepared: incoming.device.elderId == elderId ? incoming.prepared : nil)
        }
        if case .open(let code, _, _) = decision, code.isServiceRequest {
            try db.execute(
                sql: """
                    INSERT INTO service_request (elder_id, device_event_id, call_id, status, created_at) VALUES (?, ?, ?, 'new', ?)
                    """, arguments: [elderId, db.lastInsertedRowID, callId, stamp])
            // The worklist is Bookings'; it hears of the press in this transaction.
            try database.bus.publish(db, ServiceRequested(elderId: elderId, callId: callId, deviceId: device.id, at: now))
        }
        try superviseAfterHearing(db, device, elderId: elderId, deviceState, at: now, stamp: stampText, graceSeconds: graceSeconds)
        if let changed { caches.openCalls.update(changed) }
        return IntakeResult(reply: reply, duplicate: false, outcome: outcome)
    }

    /// Any event restarts the device's supervision timer (as any DC-09 message does). A device
    /// heard from after being declared offline closes its "device offline" call.
    private func superviseAfterHearing(
        _ db: Database, _ device: Device, elderId: Int64, _ supervision: DeviceState,
        at now: Date, stamp stampText: String, graceSeconds: Int
    ) throws {
        let stamp = stampText.databaseValue
        let deadline = now.millis + Int64(device.heartbeatSeconds + graceSeconds) * 1000
        if supervision.needsWrite(newDeadline: deadline) {
            let changed = try db.cachedStatement(
                sql: """
                    UPDATE device SET last_seen_at = ?, online = 1, deadline_ms = ? WHERE id = ? AND status = 'active'
                    """
            ).run {
                $0.add(stampText); $0.add(deadline); $0.add(device.id)
            }
            if changed == 1 {
                caches.deviceStates.remember(DeviceState(elderId: elderId, online: true, deadlineMillis: deadline), for: device.id)
            } else {
                caches.deviceStates.forget(device.id)
            }
        }
        guard supervision.online == false else { return }
        let offline = try Int64.fetchAll(
            db,
            sql: """
                SELECT id FROM call WHERE device_id = ? AND code = ? AND is_open = 1 AND status = ?
                """, arguments: [device.id, AlarmCode.deviceOffline.rawValue, CallStatus.new.rawValue])
        for id in offline {
            try db.execute(
                sql: """
                    UPDATE call SET status = ?, cancelled_at = ?, reason = reason || ?, version = version + 1 WHERE id = ?
                    """, arguments: [CallStatus.cancelledAtDevice.rawValue, stamp, "; back online \(LocalTime.clock(now))", id])
            try appendTimeline(
                db, callId: id,
                CallTimelineEntry(
                    at: now, actorId: nil, actorName: nil, action: "device_online",
                    from: .new, to: .cancelledAtDevice, detail: ["deviceId": device.id]))
            try logChange(db, callId: id, "device_online", at: stampText)
        }
        if !offline.isEmpty { caches.openCalls.forget(elder: elderId) }
    }

    /// The elder's open calls, the one with the most recent event first: from the cache, or
    /// read and remembered. Runs inside a write transaction, like every use of the cache.
    func openCalls(_ db: Database, elder: Int64) throws -> [Call] {
        if let cached = caches.openCalls.calls(elder: elder) { return cached }
        let calls = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM call WHERE elder_id = ? AND is_open = 1 ORDER BY last_event_ms DESC LIMIT 20
                    """), arguments: [elder]
        ).map(Call.init(row:))
        caches.openCalls.remember(calls, elder: elder)
        return calls
    }

    func insertCall(
        _ db: Database, elderId: Int64, deviceId: String, code: AlarmCode, priority: Priority, reason: String,
        location: EventLocation?, at now: Date, stamp stampText: String
    ) throws -> Call {
        let stamp = stampText.databaseValue
        let locationJSON = SQLText.location(location)
        // Unclaimed from the start: the escalation clock runs from the moment the call opens.
        let deadline = now.millis + Int64(escalation.unclaimedAfter[priority]) * 1000
        try db.cachedStatement(
            sql: """
                INSERT INTO call (elder_id, device_id, code, priority, reason, status, is_open, event_count, opened_at, opened_ms,
                    last_event_at, last_event_ms, location, version, deadline_ms, deadline_kind)
                VALUES (?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, ?, 1, ?, ?)
                """
        ).execute(arguments: [
            elderId, deviceId, code.rawValue, priority.rawValue, reason, CallStatus.new.rawValue,
            stamp, now.millis, stamp, now.millis, locationJSON, deadline, CallDeadlineKind.unclaimed.rawValue,
        ])
        let call = Call(
            id: db.lastInsertedRowID, elderId: elderId, deviceId: deviceId, code: code, priority: priority,
            reason: reason, status: .new, eventCount: 1, openedAt: now, lastEventAt: now, cancelledAt: nil,
            location: location, version: 1)
        try appendTimeline(
            db, callId: call.id,
            CallTimelineEntry(
                at: now, actorId: nil, actorName: nil, action: "opened",
                from: .new, to: .new, note: reason,
                detail: ["deviceId": deviceId, "code": code.rawValue]))
        let payload = try logChange(db, callId: call.id, "opened", at: stampText)
        caches.openCalls.update(call)
        if let summary = CallSummaryText(viewJSON: payload) { caches.openCalls.remember(summary, call: call) }
        return call
    }

    /// Appends to the change log the call as it now is: the live feed and its replays read this.
    /// The payload is the call's ``CallSummary``, so the feed's subscribers need no second read.
    ///
    /// Read, then inserted as one row: as `INSERT … SELECT` the statement could write many rows, so
    /// SQLite gave each one a statement journal (a temporary file opened and closed per transaction).
    @discardableResult
    func logChange(_ db: Database, callId: Int64, _ change: String, at stamp: String) throws -> String {
        guard
            let payload = try String.fetchOne(
                db.cachedStatement(sql: "SELECT json FROM call_summary WHERE id = ?"),
                arguments: [callId])
        else {
            throw StoreError.notFound(entity: "call", id: String(callId))
        }
        try database.appendChange(db, entity: Self.changeEntity, id: callId, change: change, payload: payload, at: stamp)
        return payload
    }

    /// The change-log entry for an alarm that joined or cancelled `call` (as it now is): its
    /// summary is rebuilt from the text kept for the call (``CallSummaryText``) when there is
    /// one, instead of read from the view.
    func logIntakeChange(_ db: Database, callId: Int64, _ call: Call?, _ change: String, at stamp: String) throws {
        guard let call, let summary = caches.openCalls.summary(call: callId) else {
            let payload = try logChange(db, callId: callId, change, at: stamp)
            if let call, let summary = CallSummaryText(viewJSON: payload) { caches.openCalls.remember(summary, call: call) }
            return
        }
        try database.appendChange(
            db, entity: Self.changeEntity, id: callId, change: change,
            payload: summary.render(call, lastEventAt: stamp), at: stamp)
    }

    /// The change log's entity for calls: the live feed follows these entries.
    static let changeEntity = "call"
}

extension CallStore {
    /// The device and its secret, for verifying a signed request; nil for an unknown device.
    /// From memory when read in the last ten minutes (``IntakeCaches/credentials``); a miss is one
    /// point read on the calling thread, a network thread outside Swift concurrency.
    public func deviceCredentials(id: String) throws -> DeviceWithSecret? {
        let now = database.clock.now()
        if let cached = caches.credentials.value(for: id, now: now) { return cached }
        let found = try database.registry.deviceCredentials(id: id)
        // Unknown ids are not remembered: a scan of made-up ids must not fill the table.
        if let found { caches.credentials.remember(found, for: id, now: now) }
        return found
    }
}
