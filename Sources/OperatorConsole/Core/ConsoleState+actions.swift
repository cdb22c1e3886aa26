import CareModel
import Foundation

extension ConsoleState {
    /// Starts an action on the call screen: sends it, or asks what it needs first.
    mutating func begin(_ kind: CallActionKind, _ id: Int64) -> [ConsoleEffect] {
        guard let detail, detail.call.id == id else {
            say("The call is still loading; try again in a moment.", .info)
            return []
        }
        guard !pending.contains(where: { $0.callId == id }) else {
            say("Still waiting for the server to answer the last action on this call.", .info)
            return []
        }
        guard detail.allowedActions.contains(kind) else {
            say(refusal(kind, detail), .error)
            return []
        }
        switch kind {
        case .claim:
            return send(request(.claim, detail))
        case .release:
            prompt = .confirm(
                Confirmation(
                    question: "Release call #\(id) back to the queue for another operator?", request: request(.release, detail)))
        case .note:
            prompt = .text(TextPrompt(purpose: .note, callId: id))
        case .startCallback:
            return send(request(.startCallback, detail))
        case .dispatch:
            prompt = .pick(Self.dispatchPicker(detail))
        case .updateResponder:
            let movable = detail.state.responders.filter { !$0.status.next.isEmpty }
            guard let first = movable.first else {
                say("Every responder on this call is done or declined; dispatch someone else with d.", .info)
                return []
            }
            prompt = .pick(movable.count == 1 ? Self.statusPicker(first, callId: id) : Self.responderPicker(movable, callId: id))
        case .resolve:
            prompt = .pick(Self.outcomePicker(callId: id))
        case .recordFollowUp:
            prompt = .text(TextPrompt(purpose: .followUpNote, callId: id))
        case .reopen:
            prompt = .text(TextPrompt(purpose: .reopenReason, callId: id))
        case .close, .escalate:
            break
        }
        return []
    }

    func request(_ action: ConsoleAction, _ detail: CallDetail) -> ActionRequest {
        ActionRequest(callId: detail.call.id, action: action, version: detail.call.version)
    }

    mutating func send(_ request: ActionRequest) -> [ConsoleEffect] {
        guard !pending.contains(where: { $0.callId == request.callId }) else {
            say("Still waiting for the server to answer the last action on this call.", .info)
            return []
        }
        pending.append(request)
        return [.perform(request)]
    }

    /// Why an action is not offered, in one sentence with what to do instead.
    func refusal(_ kind: CallActionKind, _ detail: CallDetail) -> String {
        let call = detail.call
        let status = call.status
        var reason = "it is \(status.label.english.lowercased()) (\(status.label.chinese))"
        var hint = ""
        if status.isHeld, let holder = call.claimedBy, holder.accountId != me?.accountId {
            reason = "\(holder.name) holds it"
            hint = " You can still add a note (n)."
        } else if status.isUnclaimed, kind != .claim {
            hint = " Claim it first (c)."
        } else if kind == .recordFollowUp, status.isOpen {
            hint = " The follow-up comes after the call is resolved (x)."
        } else if kind == .updateResponder, detail.state.responders.isEmpty {
            reason = "nobody has been dispatched"
            hint = " Dispatch someone first (d)."
        } else if kind == .reopen, status.isOpen {
            reason = "it is still open"
        }
        return "You cannot \(Labels.verb(kind)) call #\(call.id) now: \(reason).\(hint)"
    }

    // MARK: Prompts

    mutating func answer(_ current: ConsolePrompt, _ key: ConsoleKey) -> [ConsoleEffect] {
        switch current {
        case .filter(let text):
            switch key {
            case .escape: prompt = nil
            case .enter:
                prompt = nil
                applyFilter(QueueFilter(parsing: text))
            default:
                if let edited = Self.edit(text, key, limit: 200) { prompt = .filter(text: edited) }
            }
        case .text(var entry):
            switch key {
            case .escape:
                prompt = nil
                say("Nothing was sent.", .info)
            case .enter:
                return submit(entry)
            default:
                if let edited = Self.edit(entry.text, key, limit: CallLifecycle.maxNoteLength) {
                    entry.text = edited
                    prompt = .text(entry)
                }
            }
        case .pick(var picker):
            switch key {
            case .escape:
                prompt = nil
                say("Nothing was sent.", .info)
            case .up, .char("k"):
                picker.index = max(0, picker.index - 1); prompt = .pick(picker)
            case .down, .char("j"), .tab:
                picker.index = min(picker.options.count - 1, picker.index + 1); prompt = .pick(picker)
            case .enter:
                return choose(picker.options[picker.index].value, callId: picker.callId)
            case .char(let c):
                guard let n = c.wholeNumberValue, n >= 1, n <= picker.options.count else { return [] }
                return choose(picker.options[n - 1].value, callId: picker.callId)
            default: break
            }
        case .confirm(let confirmation):
            switch key {
            case .char("y"), .char("Y"):
                prompt = nil
                return send(confirmation.request)
            case .char("n"), .char("N"), .escape:
                prompt = nil
                say("Nothing was sent.", .info)
            default:
                say("Press y to go ahead or n to cancel.", .info)
            }
        case .confirmQuit:
            switch key {
            case .char("y"), .char("Y"): return [.quit]
            case .char("n"), .char("N"), .escape: prompt = nil
            default: break
            }
        }
        return []
    }

    /// Line editing: type, Backspace, Ctrl-U (clear), Ctrl-W (last word). Nil for other keys.
    static func edit(_ text: String, _ key: ConsoleKey, limit: Int) -> String? {
        switch key {
        case .char(let c):
            return text.count < limit ? text + String(c) : text
        case .backspace:
            return String(text.dropLast())
        case .control("u"):
            return ""
        case .control("w"):
            var t = Substring(text)
            while t.last == " " { t = t.dropLast() }
            while let last = t.last, last != " " { t = t.dropLast() }
            return String(t)
        default:
            return nil
        }
    }

    private mutating func submit(_ entry: TextPrompt) -> [ConsoleEffect] {
        let text = entry.text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else {
            say("Type something first, or press Esc to cancel.", .info)
            return []
        }
        if entry.purpose == .callNumber {
            guard let id = Int64(text.trimmingCharacters(in: CharacterSet(charactersIn: "# "))), id > 0 else {
                say("A call number is digits, like 4812.", .info)
                return []
            }
            prompt = nil
            return open(id)
        }
        guard let detail, detail.call.id == entry.callId else {
            prompt = nil
            say("The call is no longer on screen; nothing was sent.", .error)
            return []
        }
        prompt = nil
        switch entry.purpose {
        case .note:
            return send(request(.note(text), detail))
        case .resolveNote(let outcome):
            let follow = outcome.needsFollowUp ? " A follow-up call will be due." : ""
            prompt = .confirm(
                Confirmation(
                    question: "Resolve call #\(detail.call.id) (\(detail.call.elderName)) as \(outcome.label.chinese) "
                        + "\(outcome.label.english), noting \"\(text)\"?\(follow)",
                    request: request(.resolve(outcome, note: text), detail)))
        case .followUpNote:
            prompt = .pick(
                Picker(
                    title: "Did you reach the elder?", callId: entry.callId,
                    options: [
                        .init("Yes, I spoke with the elder", .reached(note: text, true)),
                        .init("No, through family (the elder was not reached)", .reached(note: text, false)),
                    ]))
        case .reopenReason:
            return send(request(.reopen(reason: text), detail))
        case .homeService:
            guard let booking = HomeServiceBooking(parsing: text, callId: detail.call.id, elderId: detail.call.elderId, timeZone: timeZone)
            else {
                prompt = .text(entry)
                say("Type the service, the day and the time, like: cleaning 2026-12-09 09:00", .info)
                return []
            }
            say("Booking \(booking.service)…", .info)
            return [.book(booking)]
        case .responderName(let kind):
            let who = Self.responder(kind, from: text)
            prompt = .confirm(Confirmation(question: Self.dispatchQuestion(who, detail), request: request(.dispatch(who), detail)))
        case .callNumber:
            break
        }
        return []
    }

    private mutating func choose(_ choice: Picker.Choice, callId: Int64) -> [ConsoleEffect] {
        prompt = nil
        guard let detail, detail.call.id == callId else {
            say("The call is no longer on screen; nothing was sent.", .error)
            return []
        }
        switch choice {
        case .send(let who):
            prompt = .confirm(Confirmation(question: Self.dispatchQuestion(who, detail), request: request(.dispatch(who), detail)))
        case .askName(let kind):
            prompt = .text(TextPrompt(purpose: .responderName(kind), callId: callId))
        case .outcome(let outcome):
            prompt = .text(TextPrompt(purpose: .resolveNote(outcome), callId: callId))
        case .responder(let id):
            guard let responder = detail.state.responder(id: id) else { return [] }
            prompt = .pick(Self.statusPicker(responder, callId: callId))
        case .status(let id, let status):
            let update = request(.updateResponder(id: id, status: status), detail)
            if status == .done || status == .declined {
                // Final: a responder marked done or declined cannot be moved again.
                let name = detail.state.responder(id: id)?.name ?? "responder \(id)"
                prompt = .confirm(
                    Confirmation(
                        question: "Mark \(name) as \(Labels.responderStatus(status))? This cannot be changed afterwards.", request: update))
                return []
            }
            return send(update)
        case .reached(let note, let reached):
            return send(request(.followUp(note: note, reachedElder: reached), detail))
        }
        return []
    }

    // MARK: Pickers

    static func dispatchPicker(_ detail: CallDetail) -> Picker {
        let sent = Set(
            detail.state.responders.filter { $0.kind == .emergencyContact && $0.status.isActive }
                .compactMap(\.referenceId))
        var options: [Picker.Option] = []
        for contact in detail.contacts.sorted(by: { $0.position < $1.position }) where !sent.contains(contact.id) {
            let key = contact.hasKey ? "  has a key" : ""
            options.append(
                .init(
                    "\(contact.name)  \(Labels.relation(contact.relation))  \(contact.phone)\(key)",
                    .send(
                        ResponderAssignment(
                            kind: .emergencyContact, name: contact.name,
                            phone: contact.phone, referenceId: contact.id))))
        }
        for kind in [ResponderKind.communityWorker, .volunteer, .providerWorker] {
            options.append(.init("\(kind.label.chinese) \(kind.label.english)…", .askName(kind)))
        }
        options.append(
            .init(
                "120急救 Ambulance (120)",
                .send(ResponderAssignment(kind: .ambulance120, name: "120急救", phone: "120"))))
        return Picker(
            title: "Dispatch: who goes to \(detail.elder.name)? Contacts in call order", callId: detail.call.id,
            options: options)
    }

    static func responderPicker(_ responders: [Responder], callId: Int64) -> Picker {
        Picker(
            title: "Whose progress?", callId: callId,
            options: responders.map {
                .init("\($0.name)  \($0.kind.label.chinese)  \(Labels.responderStatus($0.status))", .responder($0.id))
            })
    }

    static func statusPicker(_ responder: Responder, callId: Int64) -> Picker {
        Picker(
            title: "\(responder.name) is \(Labels.responderStatus(responder.status)); now:", callId: callId,
            options: responder.status.next.map { .init(Labels.responderStatus($0), .status(responderId: responder.id, $0)) })
    }

    static func outcomePicker(callId: Int64) -> Picker {
        Picker(
            title: "Resolve: how did it end?", callId: callId,
            options: CallOutcome.allCases.map {
                .init("\($0.label.chinese)  \($0.label.english)" + ($0.needsFollowUp ? "" : "  (no follow-up needed)"), .outcome($0))
            })
    }

    static func dispatchQuestion(_ who: ResponderAssignment, _ detail: CallDetail) -> String {
        if who.kind == .ambulance120 {
            return "Call 120 for \(detail.elder.name) and record the ambulance as dispatched?"
        }
        let phone = who.phone.map { ", \($0)" } ?? ""
        return "Dispatch \(who.name) (\(who.kind.label.english.lowercased())\(phone)) to \(detail.elder.name)?"
    }

    /// "黄建国 13977512345" → name and phone; the phone is the last word when it looks like one.
    static func responder(_ kind: ResponderKind, from text: String) -> ResponderAssignment {
        var words = text.split(separator: " ").map(String.init)
        var phone: String?
        if let last = words.last, last.count >= 3, last.allSatisfy({ $0.isASCII && ($0.isNumber || "+-".contains($0)) }) {
            phone = last
            words.removeLast()
        }
        let name = words.isEmpty ? kind.label.chinese : words.joined(separator: " ")
        return ResponderAssignment(kind: kind, name: name, phone: phone)
    }
}
