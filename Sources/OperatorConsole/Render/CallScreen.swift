import CareModel
import Foundation

/// One call: everything an operator needs to work it, on one screen that scrolls.
///
/// Narrow terminals get one column in the order an operator needs it (who and where, whom to
/// call, who is on the way, health, what has happened, devices, earlier calls); from 120 columns
/// the responders and the timeline move to a second column.
enum CallScreen {
    /// The call's headline: `#4812  P1  跌倒报警 Fall detected  已接警 王芳  age 04:07  ! escalated`.
    static func headline(_ state: ConsoleState, id: Int64, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        guard let call = state.detail?.call ?? state.queue.call(id) else {
            line.add(" Call #\(id): loading…", style: .bold)
            return line.build()
        }
        line.add(" #\(call.id)  ", style: .bold)
        line.add(call.priority.description, style: palette.priority(call.priority))
        // Escalation goes first: on a narrow screen the end of this line is what gets cut.
        if call.escalated { line.add("  ! escalated", style: palette.error) }
        line.add("  \(call.code.label.chinese) \(call.code.label.english)  ", style: .bold)
        line.add(call.status.label.chinese + " " + call.status.label.english, style: call.status.isUnclaimed ? palette.warning : .plain)
        if let holder = call.claimedBy {
            line.add(" by \(holder.name)\(holder.accountId == state.me?.accountId ? " (you)" : "")")
        }
        line.add("  age \(TimeText.age(since: call.openedAt, now: state.now))")
        if call.eventCount > 1 { line.add("  \(call.eventCount) alarms") }
        return line.build()
    }

    static func body(_ state: ConsoleState, id: Int64, width: Int, rows: Int, palette: Palette) -> [StyledLine] {
        guard let detail = state.detail, detail.call.id == id else {
            var line = LineBuilder(width: width)
            if let error = state.detailError {
                line.add("  Could not load call #\(id): \(error)  (u tries again)", style: palette.error)
            } else {
                line.add("  Loading call #\(id)…", style: palette.dim)
            }
            return [line.build()]
        }
        let all = lines(for: detail, state: state, width: width, palette: palette)
        let top = min(max(0, state.detailScroll), max(0, all.count - rows))
        var shown = Array(all.dropFirst(top).prefix(rows))
        if top + rows < all.count, !shown.isEmpty {
            // Say there is more, on the last line, rather than let it be cut off silently.
            shown.removeLast()
            var more = LineBuilder(width: width)
            more.add("  … \(all.count - top - rows + 1) more lines: j or PageDown", style: palette.dim)
            shown.append(more.build())
        }
        return shown
    }

    /// Every content line of the call screen at this width (the reducer counts them to scroll).
    static func lines(for detail: CallDetail, state: ConsoleState, width: Int, palette: Palette = Palette(color: false)) -> [StyledLine] {
        guard Layout.isWide(width) else {
            return profile(detail, state, width, palette) + responders(detail, state, width, palette)
                + health(detail, width, palette) + timeline(detail, state, width, palette)
                + devices(detail, state, width, palette) + recent(detail, state, width, palette)
        }
        let leftWidth = (width - 3) / 2
        let rightWidth = width - 3 - leftWidth
        let left =
            profile(detail, state, leftWidth, palette) + health(detail, leftWidth, palette)
            + devices(detail, state, leftWidth, palette) + recent(detail, state, leftWidth, palette)
        let right = responders(detail, state, rightWidth, palette) + timeline(detail, state, rightWidth, palette)
        let blankLeft = LineBuilder(width: leftWidth).build()
        let blankRight = LineBuilder(width: rightWidth).build()
        return (0..<max(left.count, right.count)).map { i in
            let l = i < left.count ? left[i] : blankLeft
            let r = i < right.count ? right[i] : blankRight
            return StyledLine(l.segments + [.init(text: " | ", style: palette.dim)] + r.segments)
        }
    }

    // MARK: Sections

    private static func profile(_ d: CallDetail, _ state: ConsoleState, _ width: Int, _ palette: Palette) -> [StyledLine] {
        let elder = d.elder
        var out: [StyledLine] = []
        var first = LineBuilder(width: width)
        first.add(" Elder", width: 12, style: palette.label)
        first.add(elder.name, style: .bold)
        first.add("  \(Labels.sex(elder.sex))  \(elder.age)岁  ")
        first.add(Labels.living(elder.livingSituation), style: elder.livingSituation == .alone ? palette.warning : .plain)
        first.add("  " + Labels.care(elder.careLevel))
        out.append(first.build())
        out += field("Phone", elder.phone ?? "none on file", width, palette)
        // Addresses usually start with the district already; say it only when they do not.
        let address = elder.district.map { elder.address.contains($0) ? elder.address : $0 + " " + elder.address } ?? elder.address
        out += field("Address", address, width, palette)
        out += field("Location", location(d.lastLocation), width, palette)
        out += field("Reason", d.call.reason, width, palette)
        out.append(heading("Contacts, in call order", width, palette))
        if d.contacts.isEmpty {
            out += field("", "No emergency contacts on file.", width, palette)
        }
        for contact in d.contacts.sorted(by: { $0.position < $1.position }) {
            var line = LineBuilder(width: width)
            line.add("  \(contact.position) ", width: 5, alignRight: false)
            line.add(contact.name, width: 10, style: .bold)
            line.add(" ")
            line.add(Labels.relation(contact.relation), width: 8)
            line.add(" ")
            line.add(contact.phone, width: 14)
            if contact.hasKey { line.add(" has a key", style: palette.good) }
            out.append(line.build())
        }
        return out
    }

    private static func responders(_ d: CallDetail, _ state: ConsoleState, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = [heading("Responders", width, palette)]
        if d.state.responders.isEmpty {
            out += field("", "Nobody dispatched yet.", width, palette)
        }
        for r in d.state.responders {
            var line = LineBuilder(width: width)
            line.add("  \(r.id) ", width: 5)
            line.add(r.name, width: 10, style: .bold)
            line.add(" ")
            line.add(r.kind.label.chinese, width: 12)
            line.add(" ")
            line.add(
                Labels.responderStatus(r.status), width: 20,
                style: r.status == .declined ? palette.error : r.status.isPending ? palette.warning : palette.good)
            line.add(" since \(TimeText.clock(r.updatedAt, state.timeZone))")
            if let phone = r.phone { line.add("  \(phone)") }
            out.append(line.build())
        }
        return out
    }

    private static func health(_ d: CallDetail, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = [heading("Health", width, palette)]
        guard let health = d.health else {
            return out + field("", "No health summary (shown while the call is open).", width, palette)
        }
        let none = "none recorded"
        out += field("Conditions", health.conditions.isEmpty ? none : health.conditions.joined(separator: ", "), width, palette)
        out += field(
            "Allergies", health.allergies.isEmpty ? none : health.allergies.joined(separator: ", "), width, palette,
            style: health.allergies.isEmpty ? .plain : palette.warning)
        out += field("Medicines", health.medications.isEmpty ? none : health.medications.joined(separator: ", "), width, palette)
        out += field("Vitals", health.vitals.isEmpty ? none : health.vitals.joined(separator: ", "), width, palette)
        return out
    }

    private static func devices(_ d: CallDetail, _ state: ConsoleState, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = [heading("Devices", width, palette)]
        for device in d.devices {
            var text = "\(device.id) \(Labels.device(device.type)), \(device.online ? "online" : "OFFLINE")"
            if device.status != .active { text += ", \(device.status.rawValue)" }
            if let seen = device.lastSeenAt { text += ", last heard \(TimeText.dayAndTime(seen, state.timeZone))" }
            out += field(device.id == d.call.deviceId ? "Raised by" : "Device", text, width, palette)
        }
        return out
    }

    private static func recent(_ d: CallDetail, _ state: ConsoleState, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = [heading("Recent calls", width, palette)]
        if d.recentCalls.isEmpty { return out + field("", "None before this one.", width, palette) }
        for call in d.recentCalls {
            var line = LineBuilder(width: width)
            line.add("  #\(call.id)", width: 9)
            line.add(" " + TimeText.dayAndTime(call.openedAt, state.timeZone) + " ")
            line.add(call.priority.description, style: palette.priority(call.priority))
            line.add(" ")
            line.add(call.code.label.chinese, width: 12)
            line.add(" ")
            line.add(call.status.label.chinese, width: 10)
            if let outcome = call.outcome { line.add(" " + outcome.label.chinese) }
            out.append(line.build())
        }
        return out
    }

    private static func timeline(_ d: CallDetail, _ state: ConsoleState, _ width: Int, _ palette: Palette) -> [StyledLine] {
        var out = [heading("Timeline, oldest first", width, palette)]
        for entry in d.timeline {
            var line = LineBuilder(width: width)
            line.add("  " + TimeText.clock(entry.at, state.timeZone) + " ", width: 11, style: palette.dim)
            line.add(actor(entry), width: 8)
            line.add(" ")
            line.add(Labels.timelineAction(entry.action), width: 18, style: .bold)
            line.add(" ")
            var facts: [String] = []
            if entry.changesStatus { facts.append("\(entry.from.label.chinese) -> \(entry.to.label.chinese)") }
            facts += Self.facts(entry, responders: d.state.responders)
            line.add(facts.joined(separator: "; "))
            out.append(line.build())
            if let note = entry.note, !note.isEmpty {
                for piece in DisplayWidth.wrap(note, max(1, width - 13)) {
                    var noteLine = LineBuilder(width: width)
                    noteLine.add("", width: 13)
                    noteLine.add(piece)
                    out.append(noteLine.build())
                }
            }
        }
        return out
    }

    /// `bathroom; 2号楼3单元; 22.63910, 110.15200 (within 12 m)`.
    static func location(_ location: EventLocation?) -> String {
        guard let location else { return "not reported by the device" }
        var parts: [String] = []
        if let area = location.area { parts.append(area.rawValue.replacingOccurrences(of: "_", with: " ")) }
        if let text = location.text { parts.append(text) }
        if let lat = location.latitude, let lon = location.longitude {
            var fix = String(format: "%.5f, %.5f", lat, lon)
            if let accuracy = location.accuracyMeters { fix += " (within \(Int(accuracy)) m)" }
            parts.append(fix)
        }
        return parts.isEmpty ? "not reported by the device" : parts.joined(separator: "; ")
    }

    /// Who wrote a timeline entry: an operator, the device (intake's entries) or the platform.
    static func actor(_ entry: CallTimelineEntry) -> String {
        if let name = entry.actorName { return name }
        return ["opened", "joined", "cancelled_at_device", "cancelled"].contains(entry.action) ? "device" : "system"
    }

    /// What a timeline entry's `detail` says, in words.
    static func facts(_ entry: CallTimelineEntry, responders: [Responder]) -> [String] {
        let detail = entry.detail
        var facts: [String] = []
        if let ids = detail["responderIds"] {
            let names = ids.split(separator: ",").compactMap { id in
                Int(id.trimmingCharacters(in: .whitespaces)).map { id in responders.first { $0.id == id }?.name ?? "responder \(id)" }
            }
            if !names.isEmpty { facts.append("sent " + names.joined(separator: ", ")) }
        }
        if let responder = detail["responder"], let from = detail["responderFrom"], let to = detail["responderTo"] {
            let label = { (raw: String) in ResponderStatus(rawValue: raw).map(Labels.responderStatus) ?? raw }
            facts.append("\(responder): \(label(from)) -> \(label(to))")
        }
        if let outcome = detail["outcome"].flatMap(CallOutcome.init(rawValue:)) { facts.append(outcome.label.chinese) }
        if let reached = detail["reachedElder"] { facts.append(reached == "true" ? "reached the elder" : "through family") }
        if let deadline = detail["deadline"] { facts.append("missed \(deadline.replacingOccurrences(of: "_", with: " "))") }
        if let previous = detail["previousClaimant"] { facts.append("was \(previous)'s") }
        if let claimant = detail["claimant"] { facts.append("override of \(claimant)") }
        return facts
    }

    // MARK: Pieces

    private static func heading(_ text: String, _ width: Int, _ palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add(" " + text, style: palette.heading)
        return line.build()
    }

    /// `Label     value`, the value wrapped under itself.
    private static func field(
        _ label: String, _ value: String, _ width: Int, _ palette: Palette,
        style: TextStyle = .plain
    ) -> [StyledLine] {
        let indent = 12
        return DisplayWidth.wrap(value, max(1, width - indent)).enumerated().map { i, piece in
            var line = LineBuilder(width: width)
            line.add(i == 0 && !label.isEmpty ? " " + label : "", width: indent, style: palette.label)
            line.add(piece, style: style)
            return line.build()
        }
    }
}
