/// Turns frames into terminal output, writing only the lines that changed since the last frame,
/// so a ticking age costs one line over SSH instead of a whole screen.
///
/// ```swift
/// var diff = FrameDiff()
/// diff.output(for: lines)     // clears the screen and writes every line (first frame)
/// diff.output(for: lines)     // "" (nothing changed)
/// diff.output(for: changed)   // "\u{1B}[5;1H" + line 5 only
/// diff.invalidate()           // after a resize or Ctrl-L: the next frame is written whole
/// ```
///
/// Every line is exactly the screen's width and starts and ends in the default style (see
/// ``StyledLine/ansi(color:)``), so a line can be rewritten in place without clearing it.
public struct FrameDiff: Sendable {
    private var previous: [String] = []
    private var whole = true

    public init() {}

    /// Forget what is on screen: the next output repaints everything.
    public mutating func invalidate() { whole = true }

    public mutating func output(for lines: [String]) -> String {
        var out = ""
        if whole || lines.count != previous.count {
            out += "\u{1B}[0m\u{1B}[2J"
            for (i, line) in lines.enumerated() { out += Self.moveTo(row: i) + line }
        } else {
            for (i, line) in lines.enumerated() where line != previous[i] {
                out += Self.moveTo(row: i) + line
            }
        }
        whole = false
        previous = lines
        return out
    }

    /// Cursor to the start of `row` (0-based).
    static func moveTo(row: Int) -> String { "\u{1B}[\(row + 1);1H" }
}
