import CareModel

/// The styles of one frame. Without colour everything that matters still stands out through
/// text (P1…P4, `!`, `>`) and through bold, underline and reverse video.
struct Palette {
    let color: Bool

    /// The title bar and the key bar's keys.
    var bar: TextStyle { .reverse }
    var heading: TextStyle { TextStyle(bold: true, underline: true) }
    var label: TextStyle { color ? TextStyle(foreground: .cyan) : .plain }
    var dim: TextStyle { TextStyle(dim: true) }
    var error: TextStyle { color ? TextStyle(foreground: .red, bold: true) : .bold }
    var warning: TextStyle { color ? TextStyle(foreground: .yellow, bold: true) : .bold }
    var good: TextStyle { color ? TextStyle(foreground: .green) : .plain }

    /// An unclaimed P1: a red bar in colour, reverse video without.
    var newP1Row: TextStyle {
        color ? TextStyle(foreground: .white, background: .red, bold: true) : TextStyle(bold: true, reverse: true)
    }

    /// The selected row: a blue bar in colour; bold and underlined without (reverse is taken by new P1s).
    var selectedRow: TextStyle {
        color ? TextStyle(foreground: .white, background: .blue, bold: true) : TextStyle(bold: true, underline: true)
    }

    /// The selected row when it is also an unclaimed P1: the red stays, the underline marks the cursor.
    var selectedNewP1Row: TextStyle {
        color
            ? TextStyle(foreground: .white, background: .red, bold: true, underline: true)
            : TextStyle(bold: true, underline: true, reverse: true)
    }

    func priority(_ priority: Priority) -> TextStyle {
        guard color else { return priority == .p1 ? .bold : .plain }
        switch priority {
        case .p1: return TextStyle(foreground: .red, bold: true)
        case .p2: return TextStyle(foreground: .yellow, bold: true)
        case .p3: return TextStyle(foreground: .cyan)
        case .p4: return .plain
        }
    }

    func connection(_ state: ConnectionState) -> TextStyle {
        switch state {
        case .live: color ? TextStyle(foreground: .green, bold: true) : .bold
        case .connecting: color ? TextStyle(foreground: .yellow, bold: true) : .bold
        case .retrying, .stopped: color ? TextStyle(foreground: .red, bold: true) : .bold
        }
    }
}
