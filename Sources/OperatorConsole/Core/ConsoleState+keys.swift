import CareModel
import Foundation

extension ConsoleState {
    /// One key: a prompt takes it first, then the screen.
    mutating func handle(_ key: ConsoleKey) -> [ConsoleEffect] {
        if key == .ctrlC { return [.quit] }
        if key == .control("l") { return [.redrawAll] }
        if let prompt { return answer(prompt, key) }
        switch key {
        case .char("?"):
            if screen != .help { helpReturn = screen; screen = .help }
            return []
        case .char("R"):
            guard !connection.isLive else { say("The live feed is connected.", .info); return [] }
            say("Reconnecting the live feed now…", .info)
            return [.reconnect]
        default:
            break
        }
        switch screen {
        case .queue: return queueKey(key)
        case .call(let id): return callKey(key, id)
        case .supervisor: return supervisorKey(key)
        case .help:
            if key == .escape || key == .char("q") || key == .char("?") { screen = helpReturn }
            return []
        }
    }

    // MARK: The queue

    private mutating func queueKey(_ key: ConsoleKey) -> [ConsoleEffect] {
        let page = max(1, Layout.queueRows(height: height) - 1)
        switch key {
        case .up, .char("k"): select(selection - 1)
        case .down, .char("j"): select(selection + 1)
        case .pageUp: select(selection - page)
        case .pageDown: select(selection + page)
        case .home, .char("g"): select(0)
        case .end, .char("G"): select(queue.visible.count - 1)
        case .enter:
            guard let call = selectedCall else { return [] }
            return open(call.id)
        case .char("c"):
            guard let call = selectedCall else { return [] }
            return claimFromQueue(call)
        case .char("/"):
            let current = queue.filter.text
            prompt = .filter(text: current.isEmpty ? "" : current + " ")
        case .char("#"):
            prompt = .text(TextPrompt(purpose: .callNumber, callId: 0))
        case .char("m"):
            var filter = queue.filter
            filter.mineOnly.toggle()
            applyFilter(filter)
        case .char("s"):
            screen = .supervisor
            overviewLoading = true
            return [.loadOverview]
        case .char("q"):
            let held = heldByMe
            guard held == 0 else {
                prompt = .confirmQuit(question: "You hold \(held) open call\(held == 1 ? "" : "s"); they stay yours after you quit. Quit?")
                return []
            }
            return [.quit]
        case .escape:
            if flash != nil {
                flash = nil
            } else if !queue.filter.isEmpty {
                applyFilter(QueueFilter())
                say("Filter cleared: every open call is shown.", .info)
            }
        default:
            break
        }
        return []
    }

    mutating func open(_ id: Int64) -> [ConsoleEffect] {
        screen = .call(id)
        if detail?.call.id != id { detail = nil }
        detailScroll = 0
        detailError = nil
        detailLoading = true
        return [.loadDetail(id)]
    }

    private mutating func claimFromQueue(_ call: CallSummary) -> [ConsoleEffect] {
        guard call.status.isUnclaimed else {
            let holder = call.claimedBy.map { "\($0.name) holds it" } ?? "it is \(call.status.label.english.lowercased())"
            say("Call #\(call.id) cannot be claimed: \(holder).", .error)
            return []
        }
        guard !pending.contains(where: { $0.callId == call.id }) else { return [] }
        let request = ActionRequest(callId: call.id, action: .claim, version: call.version)
        pending.append(request)
        // Open the call straight away: claiming is the first step of working it.
        return [.perform(request)] + open(call.id)
    }

    mutating func applyFilter(_ filter: QueueFilter) {
        queue.setFilter(filter, me: me?.accountId)
        syncSelection()
        if selectedID == nil || queue.position(of: selectedID!) == nil { select(0) }
    }

    // MARK: The call screen

    private mutating func callKey(_ key: ConsoleKey, _ id: Int64) -> [ConsoleEffect] {
        let rows = Layout.contentRows(height: height)
        switch key {
        case .up, .char("k"): scrollDetail(by: -1)
        case .down, .char("j"): scrollDetail(by: 1)
        case .pageUp: scrollDetail(by: -max(1, rows - 1))
        case .pageDown: scrollDetail(by: max(1, rows - 1))
        case .home, .char("g"): detailScroll = 0
        case .escape, .char("q"), .left:
            screen = .queue
            detail = nil
            detailLoading = false
            detailError = nil
            if let position = queue.position(of: id) { select(position) }
        case .char("c"): return begin(.claim, id)
        case .char("r"): return begin(.release, id)
        case .char("n"): return begin(.note, id)
        case .char("b"): return begin(.startCallback, id)
        case .char("d"): return begin(.dispatch, id)
        case .char("p"): return begin(.updateResponder, id)
        case .char("x"): return begin(.resolve, id)
        case .char("f"): return begin(.recordFollowUp, id)
        case .char("o"): return begin(.reopen, id)
        case .char("h"):
            guard detail?.call.code.isServiceRequest == true else {
                say("Home services are booked from a green-key (service request) call.", .info)
                return []
            }
            prompt = .text(TextPrompt(purpose: .homeService, callId: id))
        case .char("u"):
            // Refresh by hand; the feed normally does it.
            guard !detailLoading else { return [] }
            detailLoading = true
            return [.loadDetail(id)]
        default: break
        }
        return []
    }

    private mutating func scrollDetail(by lines: Int) {
        let total = detail.map { CallScreen.lines(for: $0, state: self, width: width).count } ?? 0
        let rows = Layout.contentRows(height: height)
        detailScroll = min(max(0, detailScroll + lines), max(0, total - rows))
    }

    // MARK: The supervisor view

    private mutating func supervisorKey(_ key: ConsoleKey) -> [ConsoleEffect] {
        switch key {
        case .escape, .char("q"), .char("s"):
            screen = .queue
        case .enter:
            // Straight to the call that has waited longest.
            let oldest = Supervisor.oldestUnclaimed(self)
            guard let oldest else { say("No call is waiting to be claimed.", .info); return [] }
            return open(oldest.id)
        case .char("u"):
            guard !overviewLoading else { return [] }
            overviewLoading = true
            return [.loadOverview]
        default: break
        }
        return []
    }
}
