import Foundation

/// The platform's JSON conventions, in one place: ISO-8601 dates, unescaped slashes.
public enum CareJSON {
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.withoutEscapingSlashes]
        return e
    }()

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// A value of `type` in words, completing "must be ___" when a decoder finds another type.
    public static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: type == [String: Any].self ? "an object" : "a value of type \(type)"
        }
    }

    /// A decoding path as the field name problem documents use: `contacts[1].phone`.
    public static func fieldPath(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { partial, key in
            if let i = key.intValue { return partial + "[\(i)]" }
            return partial.isEmpty ? key.stringValue : partial + "." + key.stringValue
        }
    }
}

/// Lowercase hexadecimal text for bytes (signatures, fingerprints) and back, without
/// `String(format:)`, which is slow enough to matter on per-request paths.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of hexadecimal text (either case); nil for an odd length or any other character.
    public static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            case 65...70: v = c - 55
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }
}
