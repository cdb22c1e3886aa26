public import Foundation

/// A JSON value that keeps what FHIR needs and `JSONSerialization` loses: the order of an object's
/// members, and the exact text of numbers (a decimal's precision is part of its meaning, so `1.50` stays `1.50`).
///
/// ```swift
/// let json = try FHIRJSON.parse(Data(#"{"resourceType":"Observation","valueQuantity":{"value":1.50}}"#.utf8))
/// json["valueQuantity"]?["value"]   // .number("1.50")
/// json.text                          // the same text back, compact
/// ```
public enum FHIRJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The literal text as written, already checked against JSON's number grammar.
    case number(String)
    case string(String)
    case array([FHIRJSON])
    case object(FHIRObject)

    /// Reads one JSON text (RFC 8259). Anything else is refused with one `structure` issue whose
    /// sentence names the byte offset, so a client can find the fault in what it sent.
    public static func parse(_ data: Data) throws(OperationOutcome) -> FHIRJSON {
        var parser = JSONParser(bytes: Array(data))
        // Some Windows clients start the body with a UTF-8 byte order mark; RFC 8259 lets a reader skip it.
        if parser.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        switch parser.document() {
        case .success(let value): return value
        case .failure(let failure):
            throw OperationOutcome(
                code: "structure", expression: "",
                diagnostics: "The body is not valid JSON: \(failure.message) at byte \(failure.offset)")
        }
    }

    /// Compact JSON text: members in stored order, numbers as written, strings escaped per RFC 8259
    /// (non-ASCII characters kept as UTF-8).
    public var text: String { String(decoding: utf8, as: UTF8.self) }

    /// ``text`` as bytes, for storing without a detour through `String`.
    public var utf8: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(to: &out)
        return out
    }

    /// ``text`` as `Data`.
    public var data: Data { Data(utf8) }

    /// Appends the compact text of this value to `out`. Bytes rather than `String` appends: the seed
    /// writes twenty million resources and this is most of the cost.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(var n): n.withUTF8 { out.append(contentsOf: $0) }
        case .string(let s): Self.writeQuoted(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            var first = true
            for member in object.members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeQuoted(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A string literal per RFC 8259 §7: quote, backslash and control characters escaped, the rest as UTF-8.
    private static func writeQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            if !bytes.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                case ..<0x20:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                default: out.append(byte)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The member `key` of an object; nil for any other value or a missing member.
    public subscript(key: String) -> FHIRJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var array: [FHIRJSON]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var object: FHIRObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number as a `Double` (precision beyond a double's is lost; ``number(_:)`` keeps the text).
    public var double: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    /// The number as an `Int` when it is written as a whole number without fraction or exponent.
    public var int: Int? {
        if case .number(let n) = self { return Int(n) }
        return nil
    }

    /// A decimal written the shortest way that reads back as `value` (`72`, `36.5`); finite values only.
    public static func decimal(_ value: Double) -> FHIRJSON { .number(JSONText.number(value)) }

    /// A decimal with exactly `places` digits after the point (`decimal(36.5, places: 1)` → `36.5`,
    /// `decimal(1.5, places: 2)` → `1.50`): FHIR reads trailing zeros as the precision a device measured to.
    public static func decimal(_ value: Double, places: Int) -> FHIRJSON {
        let places = min(max(places, 0), 15)
        var scale: Int64 = 1
        for _ in 0..<places { scale *= 10 }
        // Beyond what an Int64 holds the shortest text is as good as any.
        guard value.isFinite, abs(value * Double(scale)) < 9e18 else { return decimal(value) }
        let scaled = Int64((value * Double(scale)).rounded())
        if places == 0 { return .number(String(scaled)) }
        let magnitude = scaled.magnitude
        let whole = String(magnitude / UInt64(scale))
        let fraction = String(magnitude % UInt64(scale))
        let padding = String(repeating: "0", count: places - fraction.count)
        return .number((scaled < 0 ? "-" : "") + whole + "." + padding + fraction)
    }
}

/// A JSON object whose members keep their order and have unique names.
///
/// ```swift
/// var o = FHIRObject([("resourceType", "Patient")])
/// o["active"] = true      // appended at the end
/// o["active"] = nil       // removed
/// ```
public struct FHIRObject: Sendable, Hashable {
    /// One member; a struct rather than a tuple so that objects compare and hash member by member.
    struct Member: Sendable, Hashable {
        var key: String
        var value: FHIRJSON
    }

    var members: [Member]

    public init(_ members: [(String, FHIRJSON)] = []) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// Takes members the caller knows to be unique (the parser checks; literals are the programmer's).
    init(unique members: [Member]) { self.members = members }

    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// Every member in order, for walking an object without knowing its members.
    public var pairs: [(key: String, value: FHIRJSON)] { members.map { ($0.key, $0.value) } }

    /// Setting nil removes the member; setting a new name appends it at the end; setting an
    /// existing name replaces its value in place.
    public subscript(key: String) -> FHIRJSON? {
        get {
            for member in members where member.key == key { return member.value }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[index].value = newValue } else { members.remove(at: index) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }
}

extension FHIRJSON: CustomStringConvertible {
    public var description: String { text }
}

extension FHIRJSON: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: FHIRJSON...) { self = .array(elements) }
    /// Members in the order written; a repeated name keeps its last value, in its first place.
    public init(dictionaryLiteral elements: (String, FHIRJSON)...) { self = .object(FHIRObject(elements)) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// Where and why a text is not JSON.
struct JSONParseFailure: Error {
    var offset: Int
    var message: String
}

/// A recursive-descent reader over bytes: numbers keep their text, objects their order, and
/// strings must be valid UTF-8 without raw control characters.
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    /// Deeper nesting than any FHIR resource needs is refused rather than risking the stack.
    static let maximumDepth = 100

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func document() -> Result<FHIRJSON, JSONParseFailure> {
        do throws(JSONParseFailure) {
            skipWhitespace()
            if index == bytes.count { throw JSONParseFailure(offset: index, message: "the body is empty") }
            let value = try parseValue()
            skipWhitespace()
            if index < bytes.count { throw JSONParseFailure(offset: index, message: "unexpected text after the JSON value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func fail(_ message: String) -> JSONParseFailure { JSONParseFailure(offset: index, message: message) }

    private mutating func parseValue() throws(JSONParseFailure) -> FHIRJSON {
        guard index < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected character '\(Self.describe(bytes[index]))' where a value should be")
        }
    }

    private static func describe(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseFailure) {
        let length = word.utf8CodeUnitCount
        let start = word.utf8Start
        guard index + length <= bytes.count else { throw fail("unknown word; expected \(word)") }
        for i in 0..<length where bytes[index + i] != start[i] { throw fail("unknown word; expected \(word)") }
        index += length
    }

    private mutating func parseObject() throws(JSONParseFailure) -> FHIRJSON {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        defer { depth -= 1 }
        index += 1
        var members: [FHIRObject.Member] = []
        var seen: Set<String>?
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(FHIRObject(unique: members))
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let keyOffset = index
            let key = try parseString()
            // Objects are small; past a few dozen members a set keeps duplicate checks linear.
            if members.count >= 32 {
                if seen == nil { seen = Set(members.map(\.key)) }
                if !seen!.insert(key).inserted {
                    throw JSONParseFailure(offset: keyOffset, message: "the member \"\(key)\" appears twice")
                }
            } else if members.contains(where: { $0.key == key }) {
                throw JSONParseFailure(offset: keyOffset, message: "the member \"\(key)\" appears twice")
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(FHIRObject.Member(key: key, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw fail("the text ends inside an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(FHIRObject(unique: members))
            } else {
                throw fail("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseFailure) -> FHIRJSON {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        defer { depth -= 1 }
        index += 1
        var items: [FHIRJSON] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("the text ends inside an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw fail("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func parseNumber() throws(JSONParseFailure) -> String {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func isDigit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        guard isDigit(index) else { throw fail("expected a digit in a number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit(index) { throw fail("a number may not have a leading zero") }
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit(index) else { throw fail("expected a digit after the decimal point") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard isDigit(index) else { throw fail("expected a digit in the exponent") }
            while isDigit(index) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(JSONParseFailure) -> String {
        let start = index
        index += 1
        var scratch: [UInt8]?
        var runStart = index
        while true {
            guard index < bytes.count else { throw JSONParseFailure(offset: start, message: "a string is not closed") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text: String?
                if var buffer = scratch {
                    buffer.append(contentsOf: bytes[runStart..<index])
                    text = String(validating: buffer, as: UTF8.self)
                } else {
                    text = String(validating: bytes[runStart..<index], as: UTF8.self)
                }
                guard let text else { throw JSONParseFailure(offset: start, message: "a string is not valid UTF-8") }
                index += 1
                return text
            } else if byte < 0x20 {
                throw fail("a control character must be escaped in a string")
            } else if byte == UInt8(ascii: "\\") {
                if scratch == nil { scratch = [] }
                scratch!.append(contentsOf: bytes[runStart..<index])
                index += 1
                guard index < bytes.count else { throw fail("a string is not closed") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scratch!.append(0x22)
                case UInt8(ascii: "\\"): scratch!.append(0x5C)
                case UInt8(ascii: "/"): scratch!.append(0x2F)
                case UInt8(ascii: "b"): scratch!.append(0x08)
                case UInt8(ascii: "f"): scratch!.append(0x0C)
                case UInt8(ascii: "n"): scratch!.append(0x0A)
                case UInt8(ascii: "r"): scratch!.append(0x0D)
                case UInt8(ascii: "t"): scratch!.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("a high surrogate must be followed by a low one") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("a high surrogate must be followed by a low one") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail("a low surrogate without a high one")
                    }
                    scratch!.append(contentsOf: String(UnicodeScalar(scalar)!).utf8)
                default:
                    throw JSONParseFailure(offset: index - 1, message: "unknown escape '\\\(Self.describe(escape))'")
                }
                runStart = index
            } else {
                index += 1
            }
        }
    }

    private mutating func hex4() throws(JSONParseFailure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("expected four hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw fail("expected four hex digits after \\u")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
