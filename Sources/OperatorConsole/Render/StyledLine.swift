/// The eight basic terminal colours; every terminal has them, and themes keep them readable.
public enum TerminalColor: Int, Hashable, Sendable {
    case black = 0, red, green, yellow, blue, magenta, cyan, white
}

/// How a piece of text is drawn. Colours are dropped without colour (`NO_COLOR`); bold,
/// underline and reverse video are kept, since they are not colour and still make things stand out.
public struct TextStyle: Hashable, Sendable {
    public var foreground: TerminalColor?
    public var background: TerminalColor?
    public var bold = false
    public var dim = false
    public var underline = false
    public var reverse = false

    public init(
        foreground: TerminalColor? = nil, background: TerminalColor? = nil, bold: Bool = false,
        dim: Bool = false, underline: Bool = false, reverse: Bool = false
    ) {
        self.foreground = foreground; self.background = background; self.bold = bold; self.dim = dim
        self.underline = underline; self.reverse = reverse
    }

    public static let plain = TextStyle()
    public static let bold = TextStyle(bold: true)
    public static let reverse = TextStyle(reverse: true)

    /// This style with `other`'s attributes added (other's colours win where it has them).
    func merged(with other: TextStyle) -> TextStyle {
        TextStyle(
            foreground: other.foreground ?? foreground, background: other.background ?? background,
            bold: bold || other.bold, dim: dim || other.dim, underline: underline || other.underline,
            reverse: reverse || other.reverse)
    }

    /// The SGR sequence that sets this style from scratch (after a reset).
    func sgr(color: Bool) -> String {
        var codes: [String] = []
        if bold { codes.append("1") }
        if dim { codes.append("2") }
        if underline { codes.append("4") }
        if reverse { codes.append("7") }
        if color, let foreground { codes.append("3\(foreground.rawValue)") }
        if color, let background { codes.append("4\(background.rawValue)") }
        return codes.isEmpty ? "" : "\u{1B}[" + codes.joined(separator: ";") + "m"
    }
}

/// One screen line: text in styled pieces, exactly as wide as the screen.
///
/// ```swift
/// line.text                 // "P1 05:07 黄秀英 …" (what snapshot tests compare)
/// line.ansi(color: true)    // the same with SGR sequences, ending in a reset
/// ```
public struct StyledLine: Hashable, Sendable {
    public struct Segment: Hashable, Sendable {
        public var text: String
        public var style: TextStyle
    }

    public var segments: [Segment]

    public init(_ segments: [Segment]) { self.segments = segments }

    /// The plain text.
    public var text: String { segments.map(\.text).joined() }

    /// The text with terminal styling; every line starts from and ends in the default style,
    /// so lines can be redrawn one by one in any order.
    public func ansi(color: Bool) -> String {
        var out = "\u{1B}[0m"
        var current = TextStyle.plain
        for segment in segments where !segment.text.isEmpty {
            if segment.style != current {
                let sgr = segment.style.sgr(color: color)
                if current != .plain { out += "\u{1B}[0m" }
                out += sgr
                current = segment.style
            }
            out += segment.text
        }
        if current != .plain { out += "\u{1B}[0m" }
        return out
    }
}

/// Builds one line left to right in display columns, never past the width.
///
/// ```swift
/// var line = LineBuilder(width: 20)
/// line.add("P1", width: 3, style: red)   // "P1 "
/// line.add("黄秀英丽华美", width: 9)        // "黄秀英丽… "
/// line.build()                            // padded to 20 columns
/// ```
struct LineBuilder {
    let width: Int
    /// Added to every segment: a row's reverse video for a new P1, the selection's underline.
    var base: TextStyle
    private(set) var used = 0
    private var segments: [StyledLine.Segment] = []

    init(width: Int, base: TextStyle = .plain) {
        self.width = max(0, width)
        self.base = base
    }

    var remaining: Int { width - used }

    /// Appends `text` in exactly `columns` columns (padded or cut), or fewer if the line ends first.
    mutating func add(_ text: String, width columns: Int, style: TextStyle = .plain, alignRight: Bool = false) {
        let columns = min(columns, remaining)
        guard columns > 0 else { return }
        segments.append(.init(text: DisplayWidth.fit(text, columns, alignRight: alignRight), style: base.merged(with: style)))
        used += columns
    }

    /// Appends `text` as it is, cut with `…` if the line ends first.
    mutating func add(_ text: String, style: TextStyle = .plain) {
        let w = DisplayWidth.of(DisplayWidth.sanitized(text))
        add(text, width: min(w, remaining), style: style)
    }

    mutating func space(_ count: Int = 1) { add("", width: count) }

    /// Pads the rest of the line with `fill`'s style, and returns it.
    func build(fill: TextStyle = .plain) -> StyledLine {
        var all = segments
        if remaining > 0 {
            all.append(.init(text: String(repeating: " ", count: remaining), style: base.merged(with: fill)))
        }
        return StyledLine(all)
    }
}
