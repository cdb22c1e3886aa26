import CareModel
import CareStore
import Foundation
internal import GRDB

extension CallStore {
    /// Opens a welfare-check call for every ``WelfareConcern`` another service publishes, in that
    /// service's transaction, so the concern and its call commit together or not at all.
    /// `triage` words the call and sets its priority (the intake's rules); called once, by
    /// ``AlarmIntake``, when the server is composed.
    func openCallsOnWelfareConcerns(triage: @escaping @Sendable (Elder, [String], Date) -> (Priority, String)) {
        database.bus.subscribe(WelfareConcern.self) { [self] db, concern in
            try self.openWelfareCall(db, concern, triage: triage)
        }
    }

    /// One concern: a new call on the elder's alarm line, or a note on the welfare call already
    /// open for the elder, so a second missed meal does not queue a second call.
    private func openWelfareCall(
        _ db: Database, _ concern: WelfareConcern, triage: (Elder, [String], Date) -> (Priority, String)
    ) throws {
        let elder = try RegistryStore.elder(db, id: concern.elderId)
        let stampText = SQLText.timeText(concern.at)
        let note = "\(concern.detail); booking \(concern.bookingId)"
        if let open = try openCalls(db, elder: elder.id).first(where: { $0.code == .welfareCheck }) {
            try appendTimeline(
                db, callId: open.id,
                CallTimelineEntry(
                    at: concern.at, actorId: nil, actorName: nil, action: "concern", from: open.status, to: open.status, note: note,
                    detail: ["bookingId": String(concern.bookingId)]))
            try logChange(db, callId: open.id, "concern", at: stampText)
            return
        }
        // The call is the elder's alarm line's: the device an operator would ring back through.
        // An elder with no device at all has no line to put a call on; the concern stays in the
        // audit log with the elder, where the care centre's review finds it.
        guard
            let deviceId = try String.fetchOne(
                db, sql: "SELECT id FROM device WHERE elder_id = ? ORDER BY status = 'active' DESC, last_seen_at DESC LIMIT 1",
                arguments: [elder.id])
        else {
            try database.audit(
                db, Principal(accountId: nil, name: "system", role: .admin), "welfare_concern", "booking", String(concern.bookingId),
                elderId: elder.id, reason: concern.detail)
            return
        }
        let conditions = try database.bus.ask(db, ChronicConditionsOf(elderId: elder.id), as: [String].self) ?? []
        let (priority, reason) = triage(elder, conditions, concern.at)
        let call = try insertCall(
            db, elderId: elder.id, deviceId: deviceId, code: .welfareCheck, priority: priority,
            reason: "\(reason); \(concern.detail)", location: nil, at: concern.at, stamp: stampText)
        if let notice = CallNotices.opened(call, elder: elder) { try database.enqueue(db, notice, at: stampText.databaseValue) }
    }
}
