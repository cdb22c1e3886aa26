import CareModel
import Foundation

/// Draws the state as `height` lines, each exactly `width` display columns wide, with ANSI
/// styling (colours only when `color` is true). Pure: same state, same lines.
///
/// ```swift
/// let lines = render(state, width: 80, height: 24, color: false)
/// lines.count   // 24
/// ```
///
/// Only the visible rows of the queue are drawn, so the cost does not grow with the queue.
public func render(_ state: ConsoleState, width: Int, height: Int, color: Bool) -> [String] {
    frame(state, width: width, height: height, color: color).map { $0.ansi(color: color) }
}

/// The frame as styled lines: ``StyledLine/text`` is what snapshot tests compare.
public func frame(_ state: ConsoleState, width: Int, height: Int, color: Bool) -> [StyledLine] {
    guard height > 0 else { return [] }
    let width = max(0, width)
    let palette = Palette(color: color)
    guard width >= Layout.minimumWidth, height >= Layout.minimumHeight else {
        return tooSmall(width: width, height: height, palette: palette)
    }
    var lines: [StyledLine] = [Chrome.title(state, width: width, palette: palette)]
    let rows = Layout.contentRows(height: height)
    var body: [StyledLine]
    switch state.screen {
    case .queue:
        lines.append(Chrome.counts(state, width: width, palette: palette))
        body = QueueScreen.lines(state, width: width, rows: rows, palette: palette)
    case .call(let id):
        lines.append(CallScreen.headline(state, id: id, width: width, palette: palette))
        body = CallScreen.body(state, id: id, width: width, rows: rows, palette: palette)
    case .supervisor:
        lines.append(Chrome.heading("Supervisor view: the floor at a glance", width: width, palette: palette))
        body = Supervisor.lines(state, width: width, palette: palette)
    case .help:
        lines.append(Chrome.heading("Keys (? or q to go back)", width: width, palette: palette))
        body = HelpScreen.lines(width: width, palette: palette)
    }
    body = Array(body.prefix(rows))
    while body.count < rows { body.append(LineBuilder(width: width).build()) }
    if let prompt = state.prompt {
        let box = PromptBox.lines(prompt, state: state, width: width, maxRows: rows, palette: palette)
        body.replaceSubrange((rows - box.count)..<rows, with: box)
    }
    lines += body
    lines.append(Chrome.status(state, width: width, palette: palette))
    lines.append(Chrome.keyBar(state, width: width, palette: palette))
    return lines
}

private func tooSmall(width: Int, height: Int, palette: Palette) -> [StyledLine] {
    var lines: [StyledLine] = []
    for row in 0..<height {
        var line = LineBuilder(width: width)
        if row == 0 {
            line.add(
                "Terminal too small (\(width)x\(height)); the console needs \(Layout.minimumWidth)x\(Layout.minimumHeight).",
                style: palette.error)
        }
        lines.append(line.build())
    }
    return lines
}
