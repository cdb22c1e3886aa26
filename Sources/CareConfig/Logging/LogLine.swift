import CareModel
import Foundation

/// Renders one log record as a text or JSON line (without the trailing newline).
/// Everything passed in has already been through ``Redaction``.
enum LogLine {
    /// `2026-11-23T02:11:20.123Z info eldercare: message key=value key2=value2`
    ///
    /// Line breaks in the message are written as `\n` so one record stays one line; a metadata
    /// value that is empty or holds spaces, quotes, `=` or control characters is quoted.
    static func text(
        timestamp: String, level: String, label: String, message: String, metadata: [(String, String)]
    ) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64 + message.utf8.count + metadata.count * 24)
        out.append(contentsOf: timestamp.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: level.utf8)
        out.append(UInt8(ascii: " "))
        appendEscaped(label, to: &out)
        out.append(UInt8(ascii: ":"))
        out.append(UInt8(ascii: " "))
        appendEscaped(message, to: &out)
        for (key, value) in metadata {
            out.append(UInt8(ascii: " "))
            appendEscaped(key, to: &out)
            out.append(UInt8(ascii: "="))
            if needsQuotes(value) {
                out.append(UInt8(ascii: "\""))
                appendEscaped(value, to: &out, escapeQuotes: true)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: value.utf8)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `{"ts":"…","level":"info","label":"eldercare","msg":"…","key":"value"}`: metadata keys
    /// follow in sorted order; one that clashes with `ts`, `level`, `label` or `msg` gets a
    /// `meta.` prefix.
    static func json(
        timestamp: String, level: String, label: String, message: String, metadata: [(String, String)]
    ) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(80 + message.utf8.count + metadata.count * 28)
        out.append(UInt8(ascii: "{"))
        appendJSONMember("ts", timestamp, to: &out)
        out.append(UInt8(ascii: ","))
        appendJSONMember("level", level, to: &out)
        out.append(UInt8(ascii: ","))
        appendJSONMember("label", label, to: &out)
        out.append(UInt8(ascii: ","))
        appendJSONMember("msg", message, to: &out)
        for (key, value) in metadata {
            out.append(UInt8(ascii: ","))
            let reserved = key == "ts" || key == "level" || key == "label" || key == "msg"
            appendJSONMember(reserved ? "meta." + key : key, value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Escaping

    private static func appendJSONMember(_ key: String, _ value: String, to out: inout [UInt8]) {
        appendJSONString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        appendJSONString(value, to: &out)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped;
    /// other characters, including non-ASCII, copied as UTF-8.
    static func appendJSONString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Copies `string`, writing line breaks, tabs and other control characters as escapes so a
    /// message cannot forge a second log line.
    private static func appendEscaped(_ string: String, to out: inout [UInt8], escapeQuotes: Bool = false) {
        for byte in string.utf8 {
            switch byte {
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case UInt8(ascii: "\"") where escapeQuotes, UInt8(ascii: "\\") where escapeQuotes:
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x00..<0x20, 0x7F:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "x")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
    }

    private static func needsQuotes(_ value: String) -> Bool {
        if value.isEmpty { return true }
        for byte in value.utf8 {
            switch byte {
            case 0x00...0x20, 0x7F, UInt8(ascii: "\""), UInt8(ascii: "="), UInt8(ascii: "\\"): return true
            default: continue
            }
        }
        return false
    }

    // MARK: - Time

    /// `2026-11-23T02:11:20.123Z`: UTC, milliseconds, without a formatter.
    static func timestamp(_ date: Date) -> String {
        // Through whole microseconds first: 0.123 s is stored as 0.12299999…, which must not print as .122.
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let totalMilliseconds = floorDivide(microseconds, 1000).quotient
        let (seconds, milliseconds) = floorDivide(totalMilliseconds, 1000)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let date = CalendarDate(daysSinceEpoch: Int(days))
        let (year, month, day) = (Int64(date.year), Int64(date.month), Int64(date.day))
        var out: [UInt8] = []
        out.reserveCapacity(24)
        // Digits straight into `out`, most significant first: this runs for every log line.
        func put(_ value: Int64, width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var v = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(v / divisor % 10))
                v %= divisor
                divisor /= 10
            }
        }
        put(year, width: 4)
        out.append(UInt8(ascii: "-"))
        put(month, width: 2)
        out.append(UInt8(ascii: "-"))
        put(day, width: 2)
        out.append(UInt8(ascii: "T"))
        put(secondOfDay / 3600, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 3600 / 60, width: 2)
        out.append(UInt8(ascii: ":"))
        put(secondOfDay % 60, width: 2)
        out.append(UInt8(ascii: "."))
        put(milliseconds, width: 3)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = a / b
        var r = a % b
        if r < 0 {
            q -= 1
            r += b
        }
        return (q, r)
    }
}
