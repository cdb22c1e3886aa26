import CareModel
import Foundation

/// The queue: column titles, then one row per open call, most urgent and oldest first.
///
/// ```
///   ! PRI AGE   ELDER      YRS DISTRICT WHAT         STATUS     CLAIMED BY
/// > ! P1  04:07 黄秀英      86 玉州区   跌倒报警     待接警     -
///     P2  12:40 欧阳玉凤…   91 北流市   一键呼救     已接警     王芳
/// ```
enum QueueScreen {
    /// Column widths for a terminal width; 0 hides a column.
    struct Columns: Equatable {
        var id = 0
        var name = 10
        var years = 3
        var district = 8
        var what = 12
        var status = 10
        var claimed = 0
        var events = 0
        var reason = 0

        /// Selection marker, escalation mark, priority and age: `> ! P1 04:07 `.
        static let lead = 12

        init(width: Int) {
            let flexible = width - Self.lead
            if Layout.isWide(width) {
                id = 8; name = 12; claimed = 10; events = 3
                reason = max(0, flexible - fixed - 1)
                return
            }
            // The last column takes the rest; on narrow terminals district, then status, make room for it.
            claimed = flexible - fixed - 1
            if claimed < 6 { district = 0; claimed = flexible - fixed - 1 }
            if claimed < 6 { status = 0; claimed = flexible - fixed - 1 }
            claimed = max(0, claimed)
        }

        /// Columns of the shown cells other than the last (claimed-by when narrow, reason when wide), each with its space.
        private var fixed: Int {
            [id, name, years, district, what, status, id > 0 ? claimed : 0, events]
                .filter { $0 > 0 }.reduce(0) { $0 + $1 + 1 }
        }
    }

    static func lines(_ state: ConsoleState, width: Int, rows: Int, palette: Palette) -> [StyledLine] {
        let columns = Columns(width: width)
        var lines = [titles(columns, width: width, palette: palette)]
        let queue = state.queue
        let listRows = rows - 1
        guard !queue.visible.isEmpty else {
            var line = LineBuilder(width: width)
            if !state.queueLoaded {
                line.add("   Loading the open calls from the server…", style: palette.dim)
            } else if queue.isEmpty {
                line.add("   No open calls. New calls appear here the moment they arrive.", style: palette.dim)
            } else {
                line.add("   No open call matches the filter \"\(queue.filter.text)\". Esc clears it.", style: palette.dim)
            }
            return lines + [line.build()]
        }
        // The window that shows the selection; the reducer keeps `queueTop`, this only clamps it.
        var top = min(max(0, state.queueTop), max(0, queue.visible.count - listRows))
        if state.selection < top { top = state.selection }
        if state.selection >= top + listRows { top = state.selection - listRows + 1 }
        let end = min(queue.visible.count, top + listRows)
        for index in top..<end {
            lines.append(
                row(
                    queue[visible: index], selected: index == state.selection, state: state,
                    columns: columns, width: width, palette: palette))
        }
        return lines
    }

    static func titles(_ columns: Columns, width: Int, palette: Palette) -> StyledLine {
        var line = LineBuilder(width: width, base: TextStyle(bold: true))
        line.add(" ! PRI AGE", width: Columns.lead)
        cell(&line, "#", columns.id, right: true)
        cell(&line, "ELDER", columns.name)
        cell(&line, "YRS", columns.years, right: true)
        cell(&line, "DISTRICT", columns.district)
        cell(&line, "WHAT", columns.what)
        cell(&line, "STATUS", columns.status)
        cell(&line, "CLAIMED BY", columns.claimed)
        cell(&line, "EV", columns.events, right: true)
        cell(&line, "REASON", columns.reason)
        return line.build()
    }

    static func row(
        _ call: CallSummary, selected: Bool, state: ConsoleState, columns: Columns, width: Int,
        palette: Palette
    ) -> StyledLine {
        let newP1 = call.priority == .p1 && call.status.isUnclaimed
        let base: TextStyle =
            switch (selected, newP1) {
            case (true, true): palette.selectedNewP1Row
            case (true, false): palette.selectedRow
            case (false, true): palette.newP1Row
            case (false, false): .plain
            }
        // Inside a highlighted row the row's own colours win; elsewhere the cells carry theirs.
        let plainRow = base == .plain
        var line = LineBuilder(width: width, base: base)
        line.add(selected ? ">" : " ", width: 1)
        line.add(call.escalated ? "!" : " ", width: 1, style: plainRow ? palette.error : .plain)
        line.space()
        line.add(call.priority.description, width: 2, style: plainRow ? palette.priority(call.priority) : .plain)
        line.space()
        line.add(TimeText.age(since: call.openedAt, now: state.now), width: 5)
        line.space()
        cell(&line, "#\(call.id)", columns.id, right: true)
        cell(&line, call.elderName, columns.name)
        cell(&line, String(call.age), columns.years, right: true)
        cell(&line, call.district ?? call.regionCode, columns.district)
        cell(&line, call.code.label.chinese, columns.what)
        cell(&line, call.status.label.chinese, columns.status)
        let mine = call.claimedBy != nil && call.claimedBy?.accountId == state.me?.accountId
        cell(&line, call.claimedBy?.name ?? "-", columns.claimed, style: mine ? .bold : .plain)
        cell(&line, call.eventCount > 1 ? "x\(call.eventCount)" : "", columns.events, right: true)
        cell(&line, call.reason, columns.reason)
        return line.build()
    }

    /// A cell and the space after it; nothing when the column is hidden.
    private static func cell(
        _ line: inout LineBuilder, _ text: String, _ width: Int, right: Bool = false,
        style: TextStyle = .plain
    ) {
        guard width > 0 else { return }
        line.add(text, width: width, style: style, alignRight: right)
        line.space()
    }
}
