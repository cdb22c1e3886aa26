/// Masks personal data in text before it is written to a log.
///
/// Defence in depth: code should never log an identity card or phone number in the first
/// place (use `NationalID.masked`), but if one slips into a message or a metadata value, the
/// log handler made by ``CareLogging`` passes everything through here first.
///
/// - An identity card number (a run of exactly 18 digits, or 17 digits and `X`/`x`, not part of
///   a longer run of digits) keeps its first 6 and last 4 characters:
///   `11010519491231002X` → `110105********002X`.
/// - A mainland mobile number (a run of exactly 11 digits starting with `1`, optionally written
///   `+86` first) keeps its last 4 digits: `13812345678` → `*******5678`,
///   `+8613812345678` → `+86*******5678`.
/// - Runs of other lengths (8-digit codes, 13-digit millisecond timestamps, 20-digit numbers)
///   and digits separated by `-`, `:`, `.` or spaces (dates, times) are left alone.
///
/// The scan walks the UTF-8 bytes once and allocates only when something is masked.
public enum Redaction {
    /// What the value of a sensitive metadata key is replaced with.
    public static let placeholder = "[redacted]"

    /// Masks identity card and mobile numbers in `text`; returns `text` itself when there is
    /// nothing to mask.
    public static func redact(_ text: String) -> String {
        let result: [UInt8]?? = text.utf8.withContiguousStorageIfAvailable { mask($0) }
        switch result {
        case .some(.none): return text
        case .some(.some(let bytes)): return String(decoding: bytes, as: UTF8.self)
        case .none:
            var copy = text
            copy.makeContiguousUTF8()
            return copy.utf8.withContiguousStorageIfAvailable { mask($0) }.flatMap { $0 }
                .map { String(decoding: $0, as: UTF8.self) } ?? copy
        }
    }

    /// Words that make a metadata key's value secret, matched case-insensitively anywhere in the
    /// key (`authToken`, `db.password`, `Authorization`).
    public static let sensitiveKeyWords = [
        "secret", "token", "password", "passwd", "authorization", "cookie", "credential",
        "apikey", "api_key", "api-key",
    ]

    /// True when a metadata key names a secret, so its value is logged as ``placeholder``.
    ///
    /// Compared byte by byte, ASCII case folded: every log line asks this of every key, and
    /// `String.contains` builds a search table per call, which made it the larger part of a
    /// request's cost at log level info.
    public static func isSensitiveKey(_ key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in sensitiveWordBytes.contains { Self.bytes(bytes, containFolded: $0) } }
    }

    private static let sensitiveWordBytes = sensitiveKeyWords.map { Array($0.utf8) }

    /// Whether `word` (lowercase ASCII) occurs in `text`, with ASCII letters of `text` folded.
    private static func bytes(_ text: UnsafeBufferPointer<UInt8>, containFolded word: [UInt8]) -> Bool {
        guard text.count >= word.count else { return false }
        for start in 0...(text.count - word.count) {
            var matched = true
            for (offset, expected) in word.enumerated() {
                var byte = text[start + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != expected {
                    matched = false
                    break
                }
            }
            if matched { return true }
        }
        return false
    }

    // MARK: - Scanning

    private static let zero = UInt8(ascii: "0")
    private static let nine = UInt8(ascii: "9")
    private static let star = UInt8(ascii: "*")

    @inline(__always)
    private static func isDigit(_ b: UInt8) -> Bool { b >= zero && b <= nine }

    /// The masked bytes, or nil when nothing matched.
    private static func mask(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = bytes.count
        // Nothing shorter than 11 bytes can hold a number worth masking.
        guard n >= 11 else { return nil }
        var out: [UInt8]? = nil
        var copied = 0  // bytes[..<copied] are already in `out`
        var i = 0
        while i < n {
            guard isDigit(bytes[i]) else {
                i += 1
                continue
            }
            var j = i + 1
            while j < n, isDigit(bytes[j]) { j += 1 }
            let length = j - i

            // (start, end, keep first) of the part to mask; the last 4 characters are always kept.
            var match: (start: Int, end: Int, keepFirst: Int, stars: Int)?
            if length == 18 {
                match = (i, j, 6, 8)
            } else if length == 17, j < n, bytes[j] | 0x20 == UInt8(ascii: "x"), j + 1 == n || !isDigit(bytes[j + 1]) {
                match = (i, j + 1, 6, 8)
                j += 1
            } else if length == 11, bytes[i] == UInt8(ascii: "1") {
                match = (i, j, 0, 7)
            } else if length == 13, i > 0, bytes[i - 1] == UInt8(ascii: "+"),
                bytes[i] == UInt8(ascii: "8"), bytes[i + 1] == UInt8(ascii: "6"), bytes[i + 2] == UInt8(ascii: "1")
            {
                match = (i + 2, j, 0, 7)  // keep "+86"
            }

            if let m = match {
                if out == nil {
                    out = []
                    out!.reserveCapacity(n)
                }
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<m.start]))
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[m.start..<(m.start + m.keepFirst)]))
                out!.append(contentsOf: repeatElement(star, count: m.stars))
                out!.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[(m.end - 4)..<m.end]))
                copied = m.end
            }
            i = j
        }
        guard var result = out else { return nil }
        result.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<n]))
        return result
    }
}
