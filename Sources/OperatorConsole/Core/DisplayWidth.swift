/// How many terminal columns text takes, and fitting text into a fixed number of columns.
///
/// Terminals draw CJK ideographs, Hangul and fullwidth forms two columns wide (Unicode's East
/// Asian Width "W" and "F"), so a column of Chinese names only lines up when it is padded by
/// display width, never by character count:
///
/// ```swift
/// DisplayWidth.of("黄秀英")                  // 6
/// DisplayWidth.of("Li Na")                   // 5
/// DisplayWidth.fit("欧阳玉凤凰花", 9)         // "欧阳玉凤… " (8 + 1 columns, then one space)
/// DisplayWidth.fit("P1", 4, alignRight: true) // "  P1"
/// ```
///
/// Only the ranges a Chinese care centre meets are covered (ideographs, CJK punctuation,
/// fullwidth forms, Hangul, kana, the common emoji blocks); everything else counts as one
/// column. Ambiguous-width characters (`…`, `·`) count as one, as terminals do by default.
/// Control characters in server text are drawn as spaces by ``fit(_:_:alignRight:)``, so a note
/// holding an escape sequence cannot reach the terminal.
public enum DisplayWidth {
    /// Columns one Unicode scalar takes: 0 (combining marks, zero-width characters), 1 or 2.
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x300 { return v < 0x20 || (0x7F..<0xA0).contains(v) ? 0 : 1 }
        if isZeroWidth(v) { return 0 }
        return isWide(v) ? 2 : 1
    }

    /// Columns one character (grapheme cluster) takes, at most 2.
    public static func of(_ character: Character) -> Int {
        if let ascii = character.asciiValue { return ascii < 0x20 || ascii == 0x7F ? 0 : 1 }
        var total = 0
        for scalar in character.unicodeScalars { total += of(scalar) }
        return min(total, 2)
    }

    /// Columns a whole string takes.
    public static func of(_ text: some StringProtocol) -> Int {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        var total = 0
        for character in text { total += of(character) }
        return total
    }

    /// `text` in exactly `width` columns: padded with spaces, or cut with `…` where it is too
    /// long. A wide character is never split: if only one column is left for it, that column
    /// becomes a space. Control characters become spaces.
    public static func fit(_ text: String, _ width: Int, alignRight: Bool = false) -> String {
        guard width > 0 else { return "" }
        let clean = sanitized(text)
        let total = of(clean)
        if total <= width {
            let padding = String(repeating: " ", count: width - total)
            return alignRight ? padding + clean : clean + padding
        }
        var out = ""
        var used = 0
        for character in clean {
            let w = of(character)
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        out.append("…")
        used += 1
        return out + String(repeating: " ", count: width - used)
    }

    /// `text` cut with `…` to at most `width` columns, without padding.
    public static func truncate(_ text: String, _ width: Int) -> String {
        let clean = sanitized(text)
        guard of(clean) > width else { return clean }
        let fitted = fit(clean, width)
        // fit pads after the ellipsis when a wide character did not fit; drop that padding.
        var trimmed = Substring(fitted)
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    /// `text` broken into lines of at most `width` columns: at spaces where a line has one,
    /// anywhere between CJK characters (Chinese has no spaces), and mid-word only when a word is
    /// longer than a line.
    ///
    /// ```swift
    /// DisplayWidth.wrap("玉州区名山街道金港路123号", 10)   // ["玉州区名山", "街道金港路", "123号"]
    /// ```
    public static func wrap(_ text: String, _ width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line: [Character] = []
        var used = 0
        for character in sanitized(text) {
            let w = of(character)
            if used + w > width {
                // Break at the last space when the overflowing character is part of a word.
                if character != " ", w == 1, let space = line.lastIndex(of: " "), space > 0 {
                    lines.append(String(line[..<space]))
                    line = Array(line[(space + 1)...])
                    used = line.reduce(0) { $0 + of($1) }
                } else {
                    lines.append(String(line))
                    line = []
                    used = 0
                }
                if character == " " && line.isEmpty { continue }
            }
            line.append(character)
            used += w
        }
        if !line.isEmpty || lines.isEmpty { lines.append(String(line)) }
        return lines.map { String($0.reversed().drop(while: { $0 == " " }).reversed()) }
    }

    /// Text with every control character (line breaks, tabs, escapes) replaced by a space.
    public static func sanitized(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            out.append(character.unicodeScalars.contains(where: isControl) ? " " : character)
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value)
    }

    private static func isZeroWidth(_ v: UInt32) -> Bool {
        switch v {
        case 0x0300...0x036F,  // combining diacritical marks
            0x200B...0x200F,  // zero-width space, joiners, direction marks
            0x20D0...0x20FF,  // combining marks for symbols
            0xFE00...0xFE0F,  // variation selectors
            0xFE20...0xFE2F:  // combining half marks
            true
        default:
            false
        }
    }

    private static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F,  // Hangul Jamo leading consonants
            0x2E80...0x303E,  // CJK radicals, Kangxi radicals, CJK symbols and punctuation (、。「」)
            0x3041...0x33FF,  // kana, Bopomofo, Hangul compatibility Jamo, enclosed CJK, CJK compatibility
            0x3400...0x4DBF,  // CJK Unified Ideographs Extension A
            0x4E00...0x9FFF,  // CJK Unified Ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo Extended-A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
            0xFF00...0xFF60,  // fullwidth forms (，！（）０-９Ａ-Ｚ)
            0xFFE0...0xFFE6,  // fullwidth signs (￥)
            0x1F300...0x1F64F,  // pictographs, emoticons
            0x1F900...0x1F9FF,  // supplemental symbols and pictographs
            0x20000...0x3FFFD:  // CJK Unified Ideographs Extensions B–H, compatibility supplement
            true
        default:
            false
        }
    }
}
