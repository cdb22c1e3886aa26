import CareModel
import CareStore
import Foundation
internal import GRDB

/// Why an operator's action on a call was refused, in words for the operator.
public struct CallRefusal: Error, Equatable, Sendable {
    public enum Reason: Sendable, Equatable {
        /// Someone acted on the call since the caller read it (409).
        case stale
        /// The call's status does not allow the action (409).
        case notAllowed
        /// The caller may not act on a call another operator holds (403).
        case forbidden
        /// The action's contents broke a rule (422).
        case invalid(ValidationFailure)
    }
    public var reason: Reason
    /// One plain sentence: "王芳 claimed this call at 10:11:40; it is now claimed (version 3)."
    public var detail: String
    public var status: CallStatus
    public var version: Int
    public var allowedActions: [CallActionKind]
}

extension CallStore {
    /// Applies an operator's (or the platform's) action to a call, in one transaction with its
    /// timeline entry, its change-log entry (the live feed), its outbox rows and its next deadline.
    ///
    /// - Parameter expectedVersion: the version the operator saw; nil only for notes, which
    ///   change nothing another operator could be working from.
    /// - Returns: the call as it now is, as `actor` sees it.
    /// - Throws: ``CallRefusal`` (stale version, status, holder, contents), or ``StoreError/notFound(entity:id:)``.
    @discardableResult
    public func act(on callId: Int64, _ action: CallAction, expectedVersion: Int?, by actor: CallActor) async throws -> CallDetail {
        try await database.write { db in
            try self.apply(db, action, to: callId, expectedVersion: expectedVersion, by: actor)
            return try self.callDetail(db, id: callId, for: actor)
        }
    }

    func apply(_ db: Database, _ action: CallAction, to callId: Int64, expectedVersion: Int?, by actor: CallActor) throws {
        let now = database.clock.now()
        let (call, state) = try Self.callState(db, id: callId)
        if let expectedVersion, expectedVersion != state.version {
            throw CallRefusal(
                reason: .stale, detail: try Self.staleSentence(db, call: call, state: state),
                status: state.status, version: state.version,
                allowedActions: CallLifecycle.allowedActions(in: state, by: actor))
        }
        let transition: CallTransition
        switch Result(catching: { () throws(CallTransitionError) -> CallTransition in
            try CallLifecycle.apply(action, to: state, by: actor, at: now)
        }) {
        case .success(let t): transition = t
        case .failure(let error): throw Self.refusal(error, state: state)
        }
        let new = transition.state
        let deadline = escalation.nextDeadline(for: new)
        try db.cachedStatement(
            sql: """
                UPDATE call SET status = ?, is_open = ?, state = ?, claimed_by = ?, claimed_by_name = ?, claimed_at = ?,
                    outcome = ?, escalated = ?, deadline_ms = ?, deadline_kind = ?, version = ? WHERE id = ?
                """
        ).execute(arguments: [
            new.status.rawValue, new.status.isOpen, String(decoding: try CareJSON.encoder.encode(new), as: UTF8.self),
            new.claimedBy?.accountId, new.claimedBy?.name, new.claimedAt, new.outcome?.rawValue,
            new.escalation != nil, deadline?.dueMillis, deadline?.kind.rawValue, new.version, callId,
        ])
        try appendTimeline(db, callId: callId, transition.entry)
        let stamp = SQLText.timeText(now)
        try logChange(db, callId: callId, transition.entry.action, at: stamp)
        if let notice = CallNotices.after(transition, call: call) { try database.enqueue(db, notice, at: stamp.databaseValue) }
        // The intake's view of this elder's open calls no longer matches: read afresh next time.
        caches.openCalls.forget(elder: call.elderId)
    }

    /// The call row and its lifecycle state. Intake changes the row (joins, device cancels)
    /// without rewriting the state, so the row's status, priority and version win.
    static func callState(_ db: Database, id: Int64) throws -> (Call, CallState) {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM call WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(entity: "call", id: String(id))
        }
        let call = Call(row: row)
        var state =
            (row["state"] as String?).flatMap { try? CareJSON.decoder.decode(CallState.self, from: Data($0.utf8)) }
            ?? CallState(opened: call)
        state.status = call.status
        state.priority = call.priority
        state.version = call.version
        state.deviceCancelledAt = call.cancelledAt
        return (call, state)
    }

    func appendTimeline(_ db: Database, callId: Int64, _ entry: CallTimelineEntry) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO call_timeline (call_id, at, at_ms, actor_id, actor_name, action, from_status, to_status, note, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            callId, SQLText.time(entry.at), entry.at.millis, entry.actorId, entry.actorName, entry.action,
            entry.from.rawValue, entry.to.rawValue, entry.note, SQLText.object(entry.detail),
        ])
    }

    /// Who changed the call since the caller read it, as the 409 says it.
    static func staleSentence(_ db: Database, call: Call, state: CallState) throws -> String {
        let now = "it is now \(state.status.rawValue) (version \(state.version)). Refresh and decide again."
        let last = try Row.fetchOne(
            db,
            sql: """
                SELECT at, actor_name, action FROM call_timeline WHERE call_id = ? ORDER BY id DESC LIMIT 1
                """, arguments: [call.id])
        let lastAt: Date? = last?["at"]
        // Joined alarms change the call without a timeline entry: the device spoke last.
        if lastAt.map({ call.lastEventAt > $0 }) ?? true {
            return "A new alarm from the device joined the call at \(LocalTime.clock(call.lastEventAt, seconds: true)); \(now)"
        }
        let who = (last?["actor_name"] as String?) ?? "The platform"
        let action = ((last?["action"] as String?) ?? "change").replacingOccurrences(of: "_", with: " ")
        return "\(who) acted first (\(action) at \(LocalTime.clock(lastAt!, seconds: true))); \(now)"
    }

    static func refusal(_ error: CallTransitionError, state: CallState) -> CallRefusal {
        let reason: CallRefusal.Reason =
            switch error {
            case .notAllowed, .followUpRequired, .responderNotAllowed: .notAllowed
            case .notClaimer, .notPermitted: .forbidden
            case .invalid(let failure): .invalid(failure)
            }
        return CallRefusal(
            reason: reason, detail: error.message, status: state.status, version: state.version,
            allowedActions: error.allowedActions)
    }
}

extension CallStore {
    /// Everything an operator needs about one call (``CallDetail``), as `actor` may act on it.
    public func callDetail(id: Int64, for actor: CallActor) async throws -> CallDetail {
        try await database.pool.read { db in try self.callDetail(db, id: id, for: actor) }
    }

    func callDetail(_ db: Database, id: Int64, for actor: CallActor) throws -> CallDetail {
        let (call, state) = try Self.callState(db, id: id)
        let summary = try Self.summary(db, id: id)
        let elder = try RegistryStore.elder(db, id: call.elderId)
        let today = CalendarDate(date: database.clock.now())
        let profile = ElderProfile(
            id: elder.id, name: elder.name, age: elder.age(on: today), sex: elder.sex, phone: elder.phone,
            address: elder.address, regionCode: elder.regionCode, district: summary.district,
            livingSituation: elder.livingSituation, careLevel: elder.careLevel)
        let devices = try Row.fetchAll(
            db,
            sql: """
                SELECT id, type, status, online, last_seen_at FROM device WHERE elder_id = ? ORDER BY seq
                """, arguments: [elder.id]
        ).map { row in
            DeviceSummary(
                id: row["id"], type: DeviceType(rawValue: row["type"]) ?? .sosPendant,
                status: DeviceStatus(rawValue: row["status"]) ?? .active, online: row["online"] ?? false,
                lastSeenAt: row["last_seen_at"])
        }
        let recent = try String.fetchAll(
            db,
            sql: """
                SELECT call_summary.json FROM call JOIN call_summary ON call_summary.id = call.id
                WHERE call.elder_id = ? AND call.id <> ? ORDER BY call.id DESC LIMIT 5
                """, arguments: [elder.id, id]
        ).map { try CareJSON.decoder.decode(CallSummary.self, from: Data($0.utf8)) }
        return CallDetail(
            call: summary, state: state, elder: profile, contacts: try RegistryStore.contacts(db, elderId: elder.id),
            devices: devices, lastLocation: call.location, recentCalls: recent, health: nil,
            timeline: try Self.timeline(db, callId: id),
            allowedActions: CallLifecycle.allowedActions(in: state, by: actor))
    }

    /// A call's timeline, oldest first.
    public func timeline(callId: Int64) async throws -> [CallTimelineEntry] {
        try await database.pool.read { db in try Self.timeline(db, callId: callId) }
    }

    static func timeline(_ db: Database, callId: Int64) throws -> [CallTimelineEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM call_timeline WHERE call_id = ? ORDER BY id", arguments: [callId]).map { row in
            let detail: String = row["detail"]
            return CallTimelineEntry(
                at: row["at"], actorId: row["actor_id"], actorName: row["actor_name"], action: row["action"],
                from: CallStatus(rawValue: row["from_status"]) ?? .new,
                to: CallStatus(rawValue: row["to_status"]) ?? .new, note: row["note"],
                detail: (try? CareJSON.decoder.decode([String: String].self, from: Data(detail.utf8))) ?? [:])
        }
    }

    static func summary(_ db: Database, id: Int64) throws -> CallSummary {
        guard let json = try String.fetchOne(db.cachedStatement(sql: "SELECT json FROM call_summary WHERE id = ?"), arguments: [id]) else {
            throw StoreError.notFound(entity: "call", id: String(id))
        }
        return try CareJSON.decoder.decode(CallSummary.self, from: Data(json.utf8))
    }
}
