/// Every key, on one screen. Docs/operator-guide.md says the same at length.
enum HelpScreen {
    static let queue: [(String, String)] = [
        ("j k / arrows", "move up and down"),
        ("PgUp PgDn g G", "page, first, last"),
        ("Enter", "open the call"),
        ("c", "claim the selected call"),
        ("/", "filter (words below)"),
        ("m", "only my calls, on/off"),
        ("#", "open a call by number"),
        ("Esc", "clear the filter"),
        ("s", "supervisor view"),
        ("q", "quit"),
    ]

    static let call: [(String, String)] = [
        ("c", "claim"),
        ("b", "start callback (回拨)"),
        ("d", "dispatch someone"),
        ("p", "responder progress"),
        ("x", "resolve (outcome, note)"),
        ("n", "add a note"),
        ("r", "release to the queue"),
        ("f", "follow-up done (回访)"),
        ("o", "reopen a finished call"),
        ("h", "book a home service for a green-key call (家政预约)"),
        ("u", "refresh"),
        ("j k", "scroll"),
        ("q Esc", "back to the queue"),
    ]

    static let anywhere: [(String, String)] = [
        ("?", "this help"),
        ("R", "reconnect the feed now"),
        ("Ctrl-L", "redraw the screen"),
        ("Ctrl-C", "quit at once"),
    ]

    static let notes = [
        "P1-P4 priority; ! escalated; > selected; red (reverse) row: P1 nobody holds.",
        "Age 04:07 is min:sec, 1h05m hours. Filter: p1-p4 mine unclaimed held escalated,",
        "a status, region digits (4509) or a name. Enter sends, Esc cancels, y confirms.",
    ]

    static func lines(width: Int, palette: Palette) -> [StyledLine] {
        let half = width / 2
        var left = [title("The queue", half, palette)] + queue.map { key($0, half, 16, palette) }
        left += [LineBuilder(width: half).build(), title("Anywhere", half, palette)] + anywhere.map { key($0, half, 16, palette) }
        let right = [title("A call", width - half, palette)] + call.map { key($0, width - half, 8, palette) }
        var out: [StyledLine] = (0..<max(left.count, right.count)).map { i in
            let l = i < left.count ? left[i] : LineBuilder(width: half).build()
            let r = i < right.count ? right[i] : LineBuilder(width: width - half).build()
            return StyledLine(l.segments + r.segments)
        }
        for note in notes {
            var line = LineBuilder(width: width)
            line.add(" " + note, style: palette.dim)
            out.append(line.build())
        }
        return out
    }

    private static func title(_ text: String, _ width: Int, _ palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add(" " + text, style: palette.heading)
        return line.build()
    }

    private static func key(_ entry: (String, String), _ width: Int, _ keyWidth: Int, _ palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width)
        line.add("  " + entry.0, width: keyWidth, style: .bold)
        line.add(entry.1)
        return line.build()
    }
}
