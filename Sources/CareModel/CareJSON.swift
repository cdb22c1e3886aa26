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

    /// A decoding path as the field name problem documents use: `contacts[1].phone`.
    public static func fieldPath(_ keys: [any CodingKey]) -> String {
        keys.reduce("") { partial, key in
            if let i = key.intValue { return partial + "[\(i)]" }
            return partial.isEmpty ? key.stringValue : partial + "." + key.stringValue
        }
    }
}

/// Lowercase hexadecimal text for bytes (signatures, fingerprints), without `String(format:)`,
/// which is slow enough to matter on per-request paths.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
