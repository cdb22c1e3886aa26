import CareModel
import Foundation

/// The supervisor view: the server's figures for the floor (`GET /v1/calls/overview`), with the
/// console's own queue standing in for the counts when the server's are not available.
enum Supervisor {
    /// The unclaimed call that has waited longest: the server's, or the queue's own.
    static func oldestUnclaimed(_ state: ConsoleState) -> CallSummary? {
        if let server = state.overview?.oldestUnclaimed, state.queue.call(server.id)?.status.isUnclaimed ?? true {
            return state.queue.call(server.id) ?? server
        }
        return state.queue.calls.values.filter(\.status.isUnclaimed).min { $0.openedAt < $1.openedAt }
    }

    static func lines(_ state: ConsoleState, width: Int, palette: Palette) -> [StyledLine] {
        let counts = state.queue.counts
        let overview = state.overview
        var out: [StyledLine] = []

        var line = LineBuilder(width: width)
        line.add(" Open calls", width: 26, style: palette.label)
        for p in Priority.allCases {
            let n = overview?.openByPriority[p.description] ?? counts.byPriority[p.rawValue - 1]
            line.add("\(p) ", style: palette.priority(p))
            line.add("\(n)", width: 6, style: n > 0 ? .bold : .plain)
        }
        line.add("total \(overview.map { $0.openByPriority.values.reduce(0, +) } ?? counts.total)")
        out.append(line.build())

        out.append(
            row(
                "Unclaimed", "\(overview?.unclaimed ?? counts.unclaimed)", width, palette,
                style: (overview?.unclaimed ?? counts.unclaimed) > 0 ? palette.warning : .plain))
        out.append(
            row(
                "Escalated", "\(overview?.escalated ?? counts.escalated)", width, palette,
                style: (overview?.escalated ?? counts.escalated) > 0 ? palette.error : .plain))
        if let oldest = oldestUnclaimed(state) {
            let text =
                "\(oldest.priority) #\(oldest.id) \(oldest.elderName) \(oldest.district ?? "") "
                + "\(oldest.code.label.chinese), waiting \(TimeText.age(since: oldest.openedAt, now: state.now))"
            out.append(row("Oldest unclaimed", text, width, palette, style: oldest.priority == .p1 ? palette.error : .bold))
        } else {
            out.append(row("Oldest unclaimed", "none: every open call is claimed", width, palette))
        }
        if let overview {
            let share = overview.claimedWithin60sToday.map { Self.percent($0) } ?? "no call claimed yet today"
            out.append(row("Claimed within 60 s", "\(share) of \(overview.claimedToday) claimed today", width, palette))
            let names = overview.operatorsOnline.isEmpty ? "nobody" : overview.operatorsOnline.joined(separator: ", ")
            out.append(row("Operators online (\(overview.operatorsOnline.count))", names, width, palette))
        } else {
            out.append(row("Claimed within 60 s", "waiting for the server", width, palette))
            out.append(row("Operators online", "waiting for the server", width, palette))
        }
        var note = LineBuilder(width: width)
        if let error = state.overviewError {
            note.add(
                " Server figures unavailable: \(error) The counts above come from this console's queue.",
                style: palette.error)
        } else if let at = state.overviewAt {
            note.add(" Updated \(TimeText.clock(at, state.timeZone)); refreshes every 5 s.", style: palette.dim)
        } else {
            note.add(" Asking the server…", style: palette.dim)
        }
        out.append(note.build())
        out.append(LineBuilder(width: width).build())

        let escalated = state.queue.calls.values.filter(\.escalated).sorted { QueueKey($0) < QueueKey($1) }
        var heading = LineBuilder(width: width)
        heading.add(" Escalated calls (\(escalated.count))", style: palette.heading)
        out.append(heading.build())
        if escalated.isEmpty {
            var none = LineBuilder(width: width)
            none.add("   None.", style: palette.dim)
            out.append(none.build())
        }
        let columns = QueueScreen.Columns(width: width)
        for call in escalated.prefix(50) {
            out.append(QueueScreen.row(call, selected: false, state: state, columns: columns, width: width, palette: palette))
        }
        return out
    }

    private static func row(
        _ label: String, _ value: String, _ width: Int, _ palette: Palette,
        style: TextStyle = .plain
    ) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add(" " + label, width: 26, style: palette.label)
        line.add(value, style: style)
        return line.build()
    }

    /// `98.2 %`, without a formatter.
    static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10) %"
    }
}
