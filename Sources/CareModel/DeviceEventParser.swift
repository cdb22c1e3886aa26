import Foundation

/// A purpose-built reader for the common shape of a device event body: the intake's fast path.
///
/// `JSONDecoder` spends more time per event than signature checking and the database write
/// together (it builds a generic value tree, then walks it through `Codable`). Devices send a
/// small, fixed shape, so this reader walks the bytes once. It is deliberately narrow: anything
/// it does not recognise (an escape in a string, an unknown or repeated key, an unknown code, a
/// fraction in an integer field, a malformed time) makes it return `nil`, and the caller falls
/// back to `JSONDecoder`, which then accepts the body or produces the precise error. So the fast
/// path never changes what is accepted or how a refusal reads; tests compare the two on every
/// shape the protocol allows.
///
/// ```swift
/// let event = DeviceEventParser.parse(body) ?? (try decoder.decode(DeviceEvent.self, from: body))
/// ```
public enum DeviceEventParser {
    /// The event in `body`, or nil when the body is outside the fast path's narrow shape.
    public static func parse(_ body: some Collection<UInt8>) -> DeviceEvent? {
        let bytes = Array(body)
        return bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer)
            guard let event = reader.event(), reader.atEnd() else { return nil }
            return event
        }
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func event() -> DeviceEvent? {
        var ref: String?, kind: EventKind?, code: AlarmCode?, occurredAt: Date?
        var location: EventLocation?, vitals: Vitals?, battery: Int?
        var seen: UInt8 = 0
        let ok = object { key, reader in
            switch key {
            case "ref": return reader.once(&seen, 1) && reader.string().map { ref = $0 } != nil
            case "kind":
                return reader.once(&seen, 2) && reader.string().flatMap(EventKind.init(rawValue:)).map { kind = $0 } != nil
            case "code":
                guard reader.once(&seen, 4) else { return false }
                if reader.null() { return true }
                return reader.string().flatMap(AlarmCode.init(rawValue:)).map { code = $0 } != nil
            case "occurredAt":
                return reader.once(&seen, 8) && reader.string().flatMap(Timestamp.parse).map { occurredAt = $0 } != nil
            case "location":
                guard reader.once(&seen, 16) else { return false }
                if reader.null() { return true }
                return reader.location().map { location = $0 } != nil
            case "vitals":
                guard reader.once(&seen, 32) else { return false }
                if reader.null() { return true }
                return reader.vitals().map { vitals = $0 } != nil
            case "battery":
                return reader.once(&seen, 64) && reader.optionalInteger(&battery)
            default:
                return false
            }
        }
        guard ok, let ref, let kind, let occurredAt else { return nil }
        return DeviceEvent(
            ref: ref, kind: kind, code: code, occurredAt: occurredAt, location: location,
            vitals: vitals, battery: battery)
    }

    mutating func location() -> EventLocation? {
        var l = EventLocation()
        var seen: UInt8 = 0
        let ok = object { key, reader in
            switch key {
            case "area":
                guard reader.once(&seen, 1) else { return false }
                if reader.null() { return true }
                return reader.string().flatMap(LocationArea.init(rawValue:)).map { l.area = $0 } != nil
            case "text":
                guard reader.once(&seen, 2) else { return false }
                if reader.null() { return true }
                return reader.string().map { l.text = $0 } != nil
            case "latitude": return reader.once(&seen, 4) && reader.optionalDouble(&l.latitude)
            case "longitude": return reader.once(&seen, 8) && reader.optionalDouble(&l.longitude)
            case "accuracyMeters": return reader.once(&seen, 16) && reader.optionalDouble(&l.accuracyMeters)
            default: return false
            }
        }
        return ok ? l : nil
    }

    mutating func vitals() -> Vitals? {
        var v = Vitals()
        var seen: UInt8 = 0
        let ok = object { key, reader in
            switch key {
            case "heartRate": return reader.once(&seen, 1) && reader.optionalInteger(&v.heartRate)
            case "spo2": return reader.once(&seen, 2) && reader.optionalInteger(&v.spo2)
            case "systolic": return reader.once(&seen, 4) && reader.optionalInteger(&v.systolic)
            case "diastolic": return reader.once(&seen, 8) && reader.optionalInteger(&v.diastolic)
            case "temperature": return reader.once(&seen, 16) && reader.optionalDouble(&v.temperature)
            default: return false
            }
        }
        return ok ? v : nil
    }

    // MARK: - JSON pieces

    /// `{ "key": value, … }`, calling `member` for each key with the reader positioned at the value.
    mutating func object(_ member: (String, inout Reader) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")), member(key, &self) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A repeated key is left to `JSONDecoder`, whose rule for it is its own.
    func once(_ seen: inout UInt8, _ bit: UInt8) -> Bool {
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }

    /// A string without escapes or control characters (anything else goes the slow way).
    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
                at += 1
                return text
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { return nil }
            at += 1
        }
        return nil
    }

    mutating func null() -> Bool {
        skipSpace()
        guard bytes.count - at >= 4, bytes[at] == UInt8(ascii: "n"), bytes[at + 1] == UInt8(ascii: "u"),
            bytes[at + 2] == UInt8(ascii: "l"), bytes[at + 3] == UInt8(ascii: "l")
        else { return false }
        at += 4
        return true
    }

    /// An integer in plain digits with an optional minus, or null.
    mutating func optionalInteger(_ value: inout Int?) -> Bool {
        if null() { return true }
        let negative = take(UInt8(ascii: "-"))
        let start = at
        let count = digits()
        guard (1...15).contains(count), count == 1 || bytes[start] != UInt8(ascii: "0"), !isNumberContinuation() else { return false }
        let n = bytes[start..<at].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        value = negative ? -n : n
        return true
    }

    /// A JSON number (integer, fraction, exponent), or null. The grammar is checked here, since
    /// `Double("1.")` would accept what JSON does not.
    mutating func optionalDouble(_ value: inout Double?) -> Bool {
        if null() { return true }
        let start = at
        _ = take(UInt8(ascii: "-"))
        let integerStart = at
        let integerDigits = digits()
        guard integerDigits >= 1, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return false }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            if digits() == 0 { return false }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            if digits() == 0 { return false }
        }
        guard !isNumberContinuation(), at - start <= 32 else { return false }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else { return false }
        value = number
        return true
    }

    /// Skips a run of decimal digits and returns how many there were.
    mutating func digits() -> Int {
        let start = at
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
        return at - start
    }

    func isNumberContinuation() -> Bool { at < bytes.count && Self.isNumberByte(bytes[at]) }

    static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e")
            || b == UInt8(ascii: "E") || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    mutating func atEnd() -> Bool {
        skipSpace()
        return at == bytes.count
    }
}
