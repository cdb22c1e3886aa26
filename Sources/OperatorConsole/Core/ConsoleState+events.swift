import CareModel
import Foundation

extension ConsoleState {
    /// How long messages stay on the status line. Errors stay longer: they say what went wrong.
    static let infoSeconds: TimeInterval = 5
    static let errorSeconds: TimeInterval = 12
    /// How often the supervisor view asks the server again.
    static let overviewSeconds: TimeInterval = 5

    /// Applies one event and returns what the driver should do about it.
    @discardableResult
    public mutating func apply(_ event: ConsoleEvent) -> [ConsoleEffect] {
        switch event {
        case .key(let key):
            return handle(key)
        case .tick(let date):
            return tick(date)
        case .resized(let width, let height):
            self.width = max(1, width)
            self.height = max(1, height)
            keepSelectionInView()
            return []
        case .signedIn(let who):
            me = who
            queue.setFilter(queue.filter, me: who.accountId)
            syncSelection()
            return []
        case .snapshot(let calls):
            return takeSnapshot(calls)
        case .callChanged(let call, let eventID):
            if let eventID { lastEventID = eventID }
            return callChanged(call)
        case .detailLoaded(let loaded):
            return detailLoaded(loaded)
        case .detailFailed(let id, let message):
            guard screen == .call(id) else { return [] }
            detailLoading = false
            detailError = message
            say(message, .error)
            return []
        case .overviewLoaded(let loaded):
            overview = loaded
            overviewAt = now
            overviewError = nil
            overviewLoading = false
            return []
        case .overviewFailed(let message):
            overviewAt = now
            overviewError = message
            overviewLoading = false
            return []
        case .actionSucceeded(let request, let result):
            return actionSucceeded(request, result)
        case .actionFailed(let request, let failure):
            return actionFailed(request, failure)
        case .serviceBooked(let callId, let summary):
            say("Call #\(callId): \(summary). Resolve the call when the elder has been told.", .info)
            return detail?.call.id == callId ? [.loadDetail(callId)] : []
        case .serviceBookingFailed(let callId, let message):
            say("Call #\(callId): not booked: \(message)", .error)
            return []
        case .connection(let state):
            return connectionChanged(state)
        }
    }

    // MARK: The clock

    private mutating func tick(_ date: Date) -> [ConsoleEffect] {
        now = date
        if let flash, flash.until <= now { self.flash = nil }
        if screen == .supervisor, !overviewLoading,
            overviewAt.map({ now.timeIntervalSince($0) >= Self.overviewSeconds }) ?? true
        {
            overviewLoading = true
            return [.loadOverview]
        }
        return []
    }

    // MARK: The feed

    private mutating func takeSnapshot(_ calls: [CallSummary]) -> [ConsoleEffect] {
        queue.replaceAll(with: calls)
        queueLoaded = true
        syncSelection()
        var effects: [ConsoleEffect] = []
        var ring = false
        let unclaimedP1 = Set(queue.calls.values.filter { $0.priority == .p1 && $0.status.isUnclaimed }.map(\.id))
        ring = !unclaimedP1.subtracting(belled).isEmpty
        belled = unclaimedP1
        if ring { effects.append(.bell) }
        if case .call(let id) = screen, let known = queue.call(id), let detail, known.version > detail.call.version,
            !detailLoading
        {
            detailLoading = true
            effects.append(.loadDetail(id))
        }
        return effects
    }

    private mutating func callChanged(_ call: CallSummary) -> [ConsoleEffect] {
        let change = queue.upsert(call)
        var effects: [ConsoleEffect] = []
        if change != .unchanged {
            syncSelection()
            if ringsBell(call) { effects.append(.bell) }
        }
        if screen == .call(call.id), let detail, call.version > detail.call.version, !detailLoading {
            detailLoading = true
            effects.append(.loadDetail(call.id))
        }
        return effects
    }

    /// A P1 rings once when it arrives unclaimed, and again only if it is released unclaimed later.
    private mutating func ringsBell(_ call: CallSummary) -> Bool {
        if call.priority == .p1, call.status.isOpen, call.status.isUnclaimed {
            return belled.insert(call.id).inserted
        }
        belled.remove(call.id)
        return false
    }

    private mutating func connectionChanged(_ state: ConnectionState) -> [ConsoleEffect] {
        connection = state
        switch state {
        case .live:
            if offlineSince != nil {
                say("The live feed is back; nothing was missed.", .info)
            }
            offlineSince = nil
        case .retrying:
            offlineSince = offlineSince ?? now
        case .connecting:
            break
        case .stopped(let reason):
            offlineSince = offlineSince ?? now
            say(reason, .error)
        }
        return []
    }

    // MARK: Answers to requests

    private mutating func detailLoaded(_ loaded: CallDetail) -> [ConsoleEffect] {
        queue.upsert(loaded.call)
        syncSelection()
        guard screen == .call(loaded.call.id) else { return [] }
        detailLoading = false
        detailError = nil
        if detail == nil || detail!.call.id != loaded.call.id || loaded.call.version >= detail!.call.version {
            detail = loaded
        }
        // A newer version was announced while this one was on its way (and no action answer brought it).
        if let known = queue.call(loaded.call.id), known.version > max(loaded.call.version, detail?.call.version ?? 0) {
            detailLoading = true
            return [.loadDetail(loaded.call.id)]
        }
        return []
    }

    private mutating func actionSucceeded(_ request: ActionRequest, _ result: CallDetail) -> [ConsoleEffect] {
        if let i = pending.firstIndex(of: request) { pending.remove(at: i) }
        queue.upsert(result.call)
        syncSelection()
        if screen == .call(request.callId), detail == nil || result.call.version >= detail!.call.version {
            detail = result
            detailLoading = false
            detailError = nil
        }
        say(Self.doneSentence(request.action, result), .info)
        return []
    }

    private mutating func actionFailed(_ request: ActionRequest, _ failure: ActionFailure) -> [ConsoleEffect] {
        if let i = pending.firstIndex(of: request) { pending.remove(at: i) }
        say(failure.message, .error)
        // The call is not what the operator saw: show them what it is now.
        guard screen == .call(request.callId), failure.callChangedMeanwhile || failure.status == nil else { return [] }
        detailLoading = true
        return [.loadDetail(request.callId)]
    }

    static func doneSentence(_ action: ConsoleAction, _ result: CallDetail) -> String {
        let call = "call #\(result.call.id) (\(result.call.elderName))"
        switch action {
        case .claim: return "You hold \(call) now."
        case .release: return "Released \(call) back to the queue."
        case .note: return "Note added to \(call)."
        case .startCallback:
            let phone = result.elder.phone.map { " on \($0)" } ?? ""
            return "Callback started: call \(result.elder.name)\(phone)."
        case .dispatch(let who):
            let phone = who.phone.map { ", \($0)" } ?? ""
            return "Dispatched \(who.name)\(phone). Mark their progress with p."
        case .updateResponder(let id, let status):
            let name = result.state.responder(id: id)?.name ?? "responder \(id)"
            return "\(name) is \(Labels.responderStatus(status)) now."
        case .resolve(let outcome, _): return "Resolved \(call): \(outcome.label.chinese) \(outcome.label.english)."
        case .followUp: return "Follow-up recorded for \(call)."
        case .reopen: return "Reopened \(call); you hold it."
        }
    }

    // MARK: Helpers the key handlers share

    mutating func say(_ text: String, _ kind: Flash.Kind) {
        let seconds = kind == .error ? Self.errorSeconds : Self.infoSeconds
        flash = Flash(text: text, kind: kind, until: now.addingTimeInterval(seconds))
    }

    /// Puts the selection back on the selected call after the queue changed (or on the row
    /// where it was, if that call left).
    mutating func syncSelection() {
        if let id = selectedID, let position = queue.position(of: id) {
            selection = position
        } else {
            selection = min(max(0, selection), max(0, queue.visible.count - 1))
            selectedID = selection < queue.visible.count ? queue.visible[selection].id : nil
        }
        keepSelectionInView()
    }

    mutating func select(_ index: Int) {
        guard !queue.visible.isEmpty else { selection = 0; selectedID = nil; return }
        selection = min(max(0, index), queue.visible.count - 1)
        selectedID = queue.visible[selection].id
        keepSelectionInView()
    }

    mutating func keepSelectionInView() {
        let rows = Layout.queueRows(height: height)
        if selection < queueTop { queueTop = selection }
        if selection >= queueTop + rows { queueTop = selection - rows + 1 }
        queueTop = max(0, min(queueTop, max(0, queue.visible.count - rows)))
    }
}
