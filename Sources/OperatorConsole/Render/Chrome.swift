import CareModel
import Foundation

/// The lines around every screen: the title bar, the counts, the status line and the key bar.
enum Chrome {
    /// ` eldercare console · 王芳 (operator)                 LIVE  14:05:09 `
    static func title(_ state: ConsoleState, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width, base: palette.bar)
        let who = state.me.map { "  \($0.name) (\($0.role.rawValue))" } ?? ""
        let connection = connectionText(state)
        let clock = TimeText.clock(state.now, state.timeZone)
        let right = DisplayWidth.of(connection) + 2 + clock.count + 1
        line.add(" eldercare console" + who, width: max(0, width - right))
        line.add(connection, style: palette.connection(state.connection))
        line.add("  " + clock + " ")
        return line.build()
    }

    static func connectionText(_ state: ConsoleState) -> String {
        switch state.connection {
        case .live: return "LIVE"
        case .connecting: return "CONNECTING"
        case .retrying(let at, _):
            let seconds = max(0, Int(at.timeIntervalSince(state.now).rounded(.up)))
            return "OFFLINE, retry in \(seconds)s"
        case .stopped: return "OFFLINE"
        }
    }

    /// `Open 23  P1 2  P2 5  P3 11  P4 5  unclaimed 9  escalated 1        filter: p1 mine (3 shown)`
    static func counts(_ state: ConsoleState, width: Int, palette: Palette) -> StyledLine {
        let counts = state.queue.counts
        var line = LineBuilder(width: width)
        line.add(" Open \(counts.total)", style: .bold)
        for p in Priority.allCases {
            let n = counts.byPriority[p.rawValue - 1]
            line.add("  ")
            line.add("\(p) \(n)", style: n > 0 ? palette.priority(p) : .plain)
        }
        line.add("  unclaimed \(counts.unclaimed)", style: counts.unclaimed > 0 ? .bold : .plain)
        line.add("  ")
        line.add("escalated \(counts.escalated)", style: counts.escalated > 0 ? palette.error : .plain)
        let filter = state.queue.filter
        if !filter.isEmpty {
            let text = "filter: \(filter.text) (\(state.queue.visible.count) shown) "
            let room = line.remaining
            if room > 4 {
                line.add("", width: max(2, room - DisplayWidth.of(text)))
                line.add(text, style: palette.warning)
            }
        }
        return line.build()
    }

    static func heading(_ text: String, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add(" " + text, style: .bold)
        return line.build()
    }

    /// Messages first, then a lost feed, with "working…" at the right while actions are in flight.
    static func status(_ state: ConsoleState, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        var working = ""
        if let first = state.pending.first {
            working = "working… \(first.action.progressive) #\(first.callId)"
            if state.pending.count > 1 { working += " (+\(state.pending.count - 1))" }
            working += " "
        }
        let room = width - DisplayWidth.of(working)
        if let flash = state.flash, flash.kind == .error {
            line.add(" " + flash.text, width: room, style: palette.error)
        } else if let offline = offlineText(state) {
            line.add(" " + offline, width: room, style: palette.error)
        } else if let flash = state.flash {
            line.add(" " + flash.text, width: room, style: palette.good)
        } else {
            line.add("", width: room)
        }
        line.add(working, style: palette.warning)
        return line.build()
    }

    static func offlineText(_ state: ConsoleState) -> String? {
        let since = state.offlineSince.map { " \(TimeText.age(since: $0, now: state.now)) ago" } ?? ""
        switch state.connection {
        case .retrying(_, let reason):
            return "Live feed lost\(since): the queue may be out of date. Retrying (R: now). \(reason)"
        case .stopped(let reason):
            return "Live feed stopped: \(reason)"
        case .live, .connecting:
            return nil
        }
    }

    /// The keys that work here, as many as fit, `? help` always last.
    static func keyBar(_ state: ConsoleState, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        let keys = KeyBar.keys(for: state)
        let help = state.prompt == nil && state.screen != .help ? [("?", "help")] : []
        let helpWidth = help.reduce(0) { $0 + DisplayWidth.of($1.0) + DisplayWidth.of($1.1) + 3 }
        for (key, label) in keys {
            let w = DisplayWidth.of(key) + DisplayWidth.of(label) + 3
            guard line.remaining - w >= helpWidth else { break }
            line.add(" ")
            line.add(key, style: palette.bar)
            line.add(" " + label + " ")
        }
        for (key, label) in help {
            line.add(" ")
            line.add(key, style: palette.bar)
            line.add(" " + label + " ")
        }
        return line.build()
    }
}

/// Which keys the key bar offers, by screen and prompt.
enum KeyBar {
    static func keys(for state: ConsoleState) -> [(String, String)] {
        if let prompt = state.prompt {
            switch prompt {
            case .filter: return [("Enter", "apply"), ("Esc", "cancel"), ("Ctrl-U", "clear")]
            case .text: return [("Enter", "send"), ("Esc", "cancel"), ("Ctrl-U", "clear")]
            case .pick: return [("j/k", "move"), ("1-9", "pick"), ("Enter", "choose"), ("Esc", "cancel")]
            case .confirm, .confirmQuit: return [("y", "yes"), ("n", "no")]
            }
        }
        switch state.screen {
        case .queue:
            return [
                ("j/k", "move"), ("Enter", "open"), ("c", "claim"), ("/", "filter"), ("m", "mine"),
                ("s", "supervisor"), ("q", "quit"),
            ]
        case .call:
            let allowed = Set(state.detail?.allowedActions ?? [])
            let actions: [(CallActionKind, String, String)] = [
                (.claim, "c", "claim"), (.startCallback, "b", "callback"), (.dispatch, "d", "dispatch"),
                (.updateResponder, "p", "progress"), (.resolve, "x", "resolve"), (.note, "n", "note"),
                (.release, "r", "release"), (.recordFollowUp, "f", "follow-up"), (.reopen, "o", "reopen"),
            ]
            return actions.filter { allowed.contains($0.0) }.map { ($0.1, $0.2) } + [("j/k", "scroll"), ("q", "back")]
        case .supervisor:
            return [("Enter", "open oldest unclaimed"), ("u", "refresh"), ("q", "back")]
        case .help:
            return [("q", "back")]
        }
    }
}
