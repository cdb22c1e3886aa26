/// Turns the bytes a terminal in raw mode sends into ``ConsoleKey``s.
///
/// Reads may split anywhere (inside an escape sequence or a UTF-8 character), so bytes that do
/// not yet make a whole key wait for the next ``feed(_:)``. A lone Esc is the one thing that
/// cannot be told apart from the start of a sequence by looking: the reader calls ``flush()``
/// when nothing more arrived shortly after (30 ms), and a pending Esc then counts as the key.
///
/// ```swift
/// var decoder = KeyDecoder()
/// decoder.feed([0x1B])           // []  (maybe the start of an arrow key)
/// decoder.feed([0x5B, 0x42])     // [.down]
/// decoder.feed([0x1B])           // []
/// decoder.flush()                // [.escape]
/// decoder.feed(Array("王".utf8)) // [.char("王")]
/// ```
///
/// Understood: arrows, Home/End, PageUp/PageDown, Delete and Shift-Tab in both the `ESC [` and
/// `ESC O` forms (with modifiers ignored), Enter (CR, LF or CR LF), Backspace (DEL or BS), Tab,
/// Ctrl-letters and UTF-8 text. Other sequences (bracketed-paste markers, focus reports,
/// function keys) are consumed and ignored; malformed UTF-8 is dropped.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Whether bytes are waiting for more (the reader then polls with a short timeout).
    public var hasPending: Bool { !pending.isEmpty }

    /// Decodes as many whole keys as `bytes` completes.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ConsoleKey] {
        pending.append(contentsOf: bytes)
        return decode(final: false)
    }

    /// Nothing more came: what is pending is complete as it is (a lone Esc is the Esc key).
    public mutating func flush() -> [ConsoleKey] {
        decode(final: true)
    }

    private mutating func decode(final: Bool) -> [ConsoleKey] {
        var keys: [ConsoleKey] = []
        var i = 0
        let bytes = pending
        decoding: while i < bytes.count {
            let b = bytes[i]
            switch b {
            case 0x1B:
                guard i + 1 < bytes.count else {
                    if final { keys.append(.escape); i += 1; continue decoding }
                    break decoding
                }
                let next = bytes[i + 1]
                if next == UInt8(ascii: "[") || next == UInt8(ascii: "O") {
                    guard let (key, length) = Self.sequence(bytes, at: i) else {
                        if final {
                            // An escape followed by an unfinished sequence: Esc, then the rest as typed.
                            keys.append(.escape)
                            i += 1
                            continue decoding
                        }
                        break decoding
                    }
                    if let key { keys.append(key) }
                    i += length
                } else {
                    // Esc then another key (Alt-key, or Esc typed quickly before a letter).
                    keys.append(.escape)
                    i += 1
                }
            case 0x0D:
                keys.append(.enter)
                i += (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
            case 0x0A:
                keys.append(.enter); i += 1
            case 0x7F, 0x08:
                keys.append(.backspace); i += 1
            case 0x09:
                keys.append(.tab); i += 1
            case 0x01...0x1A:
                keys.append(.control(Character(Unicode.Scalar(b + 0x60)))); i += 1
            case 0x20...0x7E:
                keys.append(.char(Character(Unicode.Scalar(b)))); i += 1
            case 0xC2...0xF4:
                let length = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
                guard i + length <= bytes.count else {
                    if final { i = bytes.count; continue decoding }
                    break decoding
                }
                let slice = bytes[i..<(i + length)]
                if slice.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 }),
                    let scalar = String(decoding: slice, as: UTF8.self).unicodeScalars.first, scalar.value != 0xFFFD
                {
                    keys.append(.char(Character(scalar)))
                    i += length
                } else {
                    i += 1
                }
            default:
                i += 1  // NUL, FS…US, stray continuation bytes, C0/C1 we do not use
            }
        }
        pending.removeFirst(i)
        return keys
    }

    /// The key of the `ESC [` or `ESC O` sequence at `start` and its length (the key is nil for
    /// sequences that mean nothing here), or nil when the sequence is not complete yet.
    private static func sequence(_ bytes: [UInt8], at start: Int) -> (ConsoleKey?, Int)? {
        let introducer = bytes[start + 1]
        var j = start + 2
        if introducer == UInt8(ascii: "O") {
            guard j < bytes.count else { return nil }
            let key = bytes[j] == UInt8(ascii: "M") ? .enter : Self.cursorKey(bytes[j])
            return (key, 3)
        }
        // CSI: parameter and intermediate bytes 0x20–0x3F, then one final byte 0x40–0x7E.
        while j < bytes.count, (0x20...0x3F).contains(bytes[j]) { j += 1 }
        guard j < bytes.count else {
            // A runaway sequence is garbage: drop it rather than wait forever.
            return j - start > 32 ? (nil, j - start) : nil
        }
        let final = bytes[j]
        let parameters = String(decoding: bytes[(start + 2)..<j], as: UTF8.self)
        let first = parameters.split(separator: ";").first.map(String.init) ?? ""
        let key: ConsoleKey? =
            switch final {
            case UInt8(ascii: "Z"): .backTab
            case UInt8(ascii: "~"):
                switch first {
                case "1", "7": .home
                case "4", "8": .end
                case "3": .delete
                case "5": .pageUp
                case "6": .pageDown
                default: nil
                }
            default: Self.cursorKey(final)
            }
        return (key, j - start + 1)
    }

    /// The final byte of an arrow, Home or End key, the same after `ESC O` and `ESC [`.
    private static func cursorKey(_ final: UInt8) -> ConsoleKey? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        default: nil
        }
    }
}
