/// One key press, decoded from the bytes a terminal sends (see ``KeyDecoder``).
///
/// ```swift
/// var decoder = KeyDecoder()
/// decoder.feed([0x1B, 0x5B, 0x41, 0x6A, 0x0D])   // [.up, .char("j"), .enter]
/// ```
public enum ConsoleKey: Hashable, Sendable, CustomStringConvertible {
    /// A printable character, including any a Chinese input method sends.
    case char(Character)
    case enter
    case escape
    case backspace
    case tab
    case backTab
    case delete
    case up, down, left, right
    case home, end, pageUp, pageDown
    /// Ctrl with a letter, lowercased: `.control("c")` is Ctrl-C.
    case control(Character)

    public static let ctrlC = ConsoleKey.control("c")

    public var description: String {
        switch self {
        case .char(let c): String(c)
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .delete: "Delete"
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PageUp"
        case .pageDown: "PageDown"
        case .control(let c): "Ctrl-\(c.uppercased())"
        }
    }

    /// The keys a string types, one per character (for tests and pastes).
    public static func typing(_ text: String) -> [ConsoleKey] { text.map { .char($0) } }
}
