import Foundation

/// Checks resources against R4's structure for the archive's seven types and against our own rules
/// (known vitals with UCUM units and physical limits, ICD-10 diagnoses, a `Patient/{id}` on every
/// record), and pulls out the facts the store indexes.
///
/// ```swift
/// let valid = try FHIRValidator().validate(json, expecting: .observation)
/// valid.patientId   // "42"
/// valid.summary     // "心率 72 /min"
/// ```
public struct FHIRValidator: Sendable {
    /// Skips the structural walk and checks only our rules, for resources the server's own
    /// builders made, whose structure their tests validate in full: the seed makes twenty million.
    let structureKnownValid: Bool

    public init() { structureKnownValid = false }

    /// A validator for what ``FHIRBuild`` and the synthetic archive make: our rules (codes, units,
    /// limits, references) are still checked and the facts extracted, but not the R4 structure.
    public static let forOwnBuilders = FHIRValidator(structureKnownValid: true)

    init(structureKnownValid: Bool) { self.structureKnownValid = structureKnownValid }

    /// Checks `json` is a valid R4 resource of `expected` (when given) and keeps our rules; throws every issue found, not just the first.
    public func validate(_ json: FHIRJSON, expecting expected: FHIRResourceType?) throws(OperationOutcome) -> ValidatedResource {
        guard case .object(var object) = json else {
            throw OperationOutcome(
                code: "structure", diagnostics: "A FHIR resource must be a JSON object, found \(FHIRWalker.kind(of: json))")
        }
        guard let typeValue = object["resourceType"] else {
            throw OperationOutcome(code: "required", expression: "resourceType", diagnostics: "resourceType is required")
        }
        guard case .string(let typeName) = typeValue, let type = FHIRResourceType(rawValue: typeName) else {
            let names = FHIRResourceType.allCases.map(\.rawValue).joined(separator: ", ")
            throw OperationOutcome(
                code: "not-supported", expression: "resourceType",
                diagnostics: "\(typeValue.text) is not a resource type the archive keeps (\(names))")
        }
        if let expected, expected != type {
            throw OperationOutcome(
                code: "structure", expression: "resourceType",
                diagnostics: "The body is a \(type.rawValue) but this request takes a \(expected.rawValue)")
        }

        var walker = FHIRWalker()
        if !structureKnownValid { walker.object(object, FHIRSchema.types[type.rawValue]!, path: type.rawValue) }
        var facts = FHIRFacts(type: type, object: object)
        let structural = walker.issues.count
        facts.apply(&walker)
        walker.dropRuleIssuesOverlappingStructure(structural)
        if !walker.issues.isEmpty { throw OperationOutcome(walker.issues) }

        // The server sets the version and the time of change; what a client sends there means nothing.
        if var meta = object["meta"]?.object {
            meta["versionId"] = nil
            meta["lastUpdated"] = nil
            object["meta"] = meta.isEmpty ? nil : .object(meta)
        }
        return ValidatedResource(
            type: type, resource: .object(object), id: object["id"]?.string, patientId: facts.patientId, codes: facts.codes,
            effective: facts.effective, identifiers: facts.identifiers, summary: facts.summary,
            isChronicCondition: facts.isChronicCondition)
    }
}

/// Walks a resource against ``FHIRSchema`` and collects every structural issue with its path.
struct FHIRWalker {
    var issues: [FHIRIssue] = []
    /// A body with thousands of faults gets its first hundred; a client fixes those first.
    static let maximumIssues = 100

    mutating func add(_ code: String, _ path: String, _ diagnostics: String) {
        guard issues.count < Self.maximumIssues else { return }
        issues.append(FHIRIssue(code: code, expression: path, diagnostics: diagnostics))
    }

    /// Drops the rule issues (those from `first` on) about an element that already has a structural issue, or one
    /// inside or around it: "needs a LOINC coding" says nothing new when the coding's code is a number.
    mutating func dropRuleIssuesOverlappingStructure(_ first: Int) {
        guard first > 0, first < issues.count else { return }
        let structural = issues[..<first].map(\.expression)
        func related(_ a: String, _ b: String) -> Bool {
            a == b || a.hasPrefix(b + ".") || a.hasPrefix(b + "[") || b.hasPrefix(a + ".") || b.hasPrefix(a + "[")
        }
        let rules = issues[first...].filter { rule in !structural.contains { related(rule.expression, $0) } }
        issues = Array(issues[..<first]) + rules
    }

    static func kind(of value: FHIRJSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    mutating func object(_ object: FHIRObject, _ schema: FHIRTypeSchema, path: String) {
        if object.isEmpty {
            add("structure", path, "An empty object is not allowed: an element needs a value, children or extensions")
            return
        }
        var chosen: [String: String] = [:]
        var present: Set<String> = []
        for member in object.members {
            let isSibling = member.key.hasPrefix("_")
            let key = isSibling ? String(member.key.dropFirst()) : member.key
            let memberPath = path + "." + member.key
            guard let definition = schema.members[key], !isSibling || definition.type.isPrimitive, key != "resourceType" || !isSibling
            else {
                add("structure", memberPath, "\"\(member.key)\" is not an element of \(schema.name)")
                continue
            }
            if key == "resourceType" { continue }
            if definition.isChoice {
                if let other = chosen[definition.base], other != key {
                    add("structure", memberPath, "Only one of \(other) and \(key) may be given: \(definition.base)[x] takes a single type")
                } else {
                    chosen[definition.base] = key
                }
            }
            present.insert(definition.base)
            if isSibling {
                sibling(member.value, isArray: definition.isArray, path: memberPath)
            } else {
                field(member.value, definition, path: memberPath)
            }
        }
        for name in schema.required where !present.contains(name) {
            let choices = schema.members.values.filter { $0.base == name && $0.isChoice }.map(\.name).sorted()
            if choices.isEmpty {
                add("required", path + "." + name, "\(name) is required in \(schema.name)")
            } else {
                add(
                    "required", path + "." + name + "[x]", "\(name)[x] is required in \(schema.name) (\(choices.joined(separator: " or ")))"
                )
            }
        }
        invariants(object, schema.name, path: path)
    }

    /// R4's invariants on the data types that clients get wrong in practice (the resource-level ones are in FHIRFacts).
    private mutating func invariants(_ object: FHIRObject, _ type: String, path: String) {
        switch type {
        case "Quantity", "Age", "Duration":
            if object["code"] != nil && object["system"] == nil {
                add("invariant", path + ".system", "A unit code needs the system it comes from (qty-3)")
            }
        case "Period":
            if let start = object["start"]?.string.flatMap(FHIRDate.parse), let end = object["end"]?.string.flatMap(FHIRDate.range(of:)),
                start >= end.upperBound
            {
                add("invariant", path, "The period ends before it starts (per-1)")
            }
        case "Attachment":
            if object["data"] != nil && object["contentType"] == nil {
                add("invariant", path + ".contentType", "An attachment with data must say its contentType (att-1)")
            }
        case "Extension":
            let hasValue = object.keys.contains { $0.hasPrefix("value") }
            if hasValue == (object["extension"] != nil) {
                add("invariant", path, "An extension has either a value or nested extensions, not both and not neither (ext-1)")
            }
        case "Patient.contact":
            if object["name"] == nil && object["telecom"] == nil && object["address"] == nil && object["organization"] == nil {
                add("invariant", path, "A contact needs a name, telecom, address or organization (pat-1)")
            }
        case "Observation", "Observation.component":
            if object["dataAbsentReason"] != nil, let value = object.keys.first(where: { $0.hasPrefix("value") }) {
                add(
                    "invariant", path + ".dataAbsentReason",
                    "A dataAbsentReason is only for an observation without a value; \(value) is given (obs-6)")
            }
        default:
            break
        }
    }

    /// A primitive's `_name`: its id and extensions, one per item when the primitive repeats.
    private mutating func sibling(_ value: FHIRJSON, isArray: Bool, path: String) {
        let element = FHIRSchema.types["Element"]!
        if isArray {
            guard case .array(let items) = value else { return add("structure", path, "Must be an array, found \(Self.kind(of: value))") }
            for (i, item) in items.enumerated() {
                switch item {
                case .null: continue
                case .object(let o): object(o, element, path: path + "[\(i)]")
                default: add("structure", path + "[\(i)]", "Must be an object or null, found \(Self.kind(of: item))")
                }
            }
        } else {
            guard case .object(let o) = value else { return add("structure", path, "Must be an object, found \(Self.kind(of: value))") }
            object(o, element, path: path)
        }
    }

    private mutating func field(_ value: FHIRJSON, _ definition: FHIRMember, path: String) {
        if definition.isArray {
            guard case .array(let items) = value else {
                return add("structure", path, "Must be an array, found \(Self.kind(of: value))")
            }
            if items.isEmpty { return add("structure", path, "An empty array is not allowed: leave the element out") }
            for (i, item) in items.enumerated() { single(item, definition.type, path: path + "[\(i)]") }
        } else {
            if case .array = value { return add("structure", path, "Must be a single value, not an array") }
            single(value, definition.type, path: path)
        }
    }

    private mutating func single(_ value: FHIRJSON, _ type: FHIRElementType, path: String) {
        if case .null = value { return add("structure", path, "null is not allowed here: leave the element out") }
        switch type {
        case .complex(let name):
            guard case .object(let o) = value else {
                return add("structure", path, "Must be an object (a \(name)), found \(Self.kind(of: value))")
            }
            object(o, FHIRSchema.types[name]!, path: path)
        case .refused(let code, let reason):
            add(code, path, reason.prefix(1).uppercased() + reason.dropFirst())
        default:
            primitive(value, type, path: path)
        }
    }

    private mutating func primitive(_ value: FHIRJSON, _ type: FHIRElementType, path: String) {
        switch type {
        case .boolean:
            guard case .bool = value else { return add("structure", path, "Must be true or false, found \(Self.kind(of: value))") }
        case .decimal:
            guard case .number = value else { return add("structure", path, "Must be a number, found \(Self.kind(of: value))") }
        case .integer, .positiveInt, .unsignedInt:
            guard case .number(let text) = value else {
                return add("structure", path, "Must be a number, found \(Self.kind(of: value))")
            }
            guard let n = Int(text), n >= Int(Int32.min), n <= Int(Int32.max) else {
                return add("value", path, "\(text) is not an integer")
            }
            if case .positiveInt = type, n < 1 { add("value", path, "\(text) is not a positive integer") }
            if case .unsignedInt = type, n < 0 { add("value", path, "\(text) is not a whole number of zero or more") }
        default:
            guard case .string(let s) = value else {
                return add("structure", path, "Must be a string, found \(Self.kind(of: value))")
            }
            if s.isEmpty { return add("value", path, "An empty string is not allowed: leave the element out") }
            string(s, type, path: path)
        }
    }

    private mutating func string(_ s: String, _ type: FHIRElementType, path: String) {
        switch type {
        case .code:
            if !FHIRFormat.isCode(s) {
                add("value", path, "\(JSONText.quoted(s)) is not a valid code (no leading, trailing or repeated whitespace)")
            }
        case .codeIn(let allowed):
            if !allowed.contains(s) {
                add("code-invalid", path, "\(JSONText.quoted(s)) is not one of \(allowed.joined(separator: ", "))")
            }
        case .id:
            if !FHIRFormat.isID(s) { add("value", path, "\(JSONText.quoted(s)) is not a valid id (1–64 letters, digits, '-' and '.')") }
        case .uri:
            if s.utf8.contains(where: { $0 <= 0x20 }) { add("value", path, "\(JSONText.quoted(s)) is not a valid uri (no whitespace)") }
        case .date:
            if FHIRDate.parts(s, allowTime: false) == nil {
                add("value", path, "\(JSONText.quoted(s)) is not a valid date (YYYY, YYYY-MM or YYYY-MM-DD)")
            }
        case .dateTime:
            if FHIRDate.parts(s) == nil {
                add(
                    "value", path,
                    "\(JSONText.quoted(s)) is not a valid dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone)")
            }
        case .instant:
            if FHIRDate.parts(s, allowPartial: false) == nil {
                add("value", path, "\(JSONText.quoted(s)) is not a valid instant (YYYY-MM-DDThh:mm:ss with a time zone)")
            }
        case .time:
            if !FHIRFormat.isTime(s) { add("value", path, "\(JSONText.quoted(s)) is not a valid time (hh:mm:ss)") }
        case .base64Binary:
            if FHIRFormat.base64Length(s) == nil { add("value", path, "The text is not valid base64") }
        case .xhtml:
            if !(s.hasPrefix("<div") && s.hasSuffix("</div>") && s.contains("http://www.w3.org/1999/xhtml")) {
                add("value", path, "A narrative must be an XHTML <div> in the namespace http://www.w3.org/1999/xhtml")
            }
        default:
            break
        }
    }
}

/// FHIR's primitive formats, checked by hand (no regular expressions on the request path).
enum FHIRFormat {
    /// `[^\s]+(\s[^\s]+)*`: no leading, trailing or doubled whitespace.
    static func isCode(_ s: String) -> Bool {
        var previousWasSpace = true
        for scalar in s.unicodeScalars {
            let space = scalar.properties.isWhitespace
            if space && previousWasSpace { return false }
            previousWasSpace = space
        }
        return !previousWasSpace
    }

    /// `[A-Za-z0-9\-\.]{1,64}`.
    static func isID(_ s: String) -> Bool {
        let b = s.utf8
        guard (1...64).contains(b.count) else { return false }
        return b.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x2E
        }
    }

    /// `hh:mm:ss` with optional fraction.
    static func isTime(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count >= 8, b[2] == UInt8(ascii: ":"), b[5] == UInt8(ascii: ":") else { return false }
        func two(_ i: Int) -> Int? {
            guard b[i] >= 0x30, b[i] <= 0x39, b[i + 1] >= 0x30, b[i + 1] <= 0x39 else { return nil }
            return Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
        }
        guard let h = two(0), h < 24, let m = two(3), m < 60, let sec = two(6), sec <= 60 else { return false }
        if b.count == 8 { return true }
        return b.count > 9 && b[8] == UInt8(ascii: ".") && b[9...].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The decoded length of standard base64 text (whitespace ignored, padding required), or nil when it is not base64.
    static func base64Length(_ s: String) -> Int? {
        var count = 0
        var padding = 0
        for b in s.utf8 {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case UInt8(ascii: "="): padding += 1
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return nil }
            default: return nil
            }
            count += 1
        }
        guard count > 0, count % 4 == 0, padding <= 2 else { return nil }
        return count / 4 * 3 - padding
    }
}
