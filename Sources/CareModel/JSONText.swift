/// JSON strings and numbers written by hand, for the places that build small JSON texts without
/// `JSONEncoder` (the intake's stored JSON, SMS gateway templates, the device simulator's bodies).
///
/// ```swift
/// JSONText.quoted("他说\"好\"")    // "\"他说\\\"好\\\"\""
/// JSONText.escaped("a\nb")         // "a\\nb", for between quotes a template already has
/// ```
public enum JSONText {
    /// `value` escaped for use between the quotes of a JSON string (RFC 8259 §7): quote,
    /// backslash and control characters, and U+2028/U+2029, which JavaScript would read as line ends.
    public static func escaped(_ value: String) -> String {
        var out = ""
        appendEscaped(value, to: &out)
        return out
    }

    /// `value` as a JSON string literal, quotes included.
    public static func quoted(_ value: String) -> String {
        var out = "\""
        appendEscaped(value, to: &out)
        return out + "\""
    }

    /// Appends `value` as a JSON string literal, quotes included.
    public static func append(quoted value: String, to text: inout String) {
        text += "\""
        appendEscaped(value, to: &text)
        text += "\""
    }

    /// Shortest text that reads back as the same `Double`: whole numbers without a fraction,
    /// others as Swift's `description` gives them (finite values only, as validated ones are).
    public static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : value.description
    }

    private static func appendEscaped(_ value: String, to out: inout String) {
        // Most values need nothing escaped: copy them whole.
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C || $0 == 0xE2 }) {
            out += value
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
    }
}
