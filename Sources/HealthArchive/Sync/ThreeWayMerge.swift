public import CareModel

/// A three-way merge of a resource's top-level elements: the version an agency based its edit
/// on, the platform's current version, and the agency's edit. An element only one side changed
/// takes that side's value; an element both changed to different values is a conflict. Pure.
///
/// ```swift
/// let result = ThreeWayMerge.merge(base: v3, platform: v5, agency: edited)
/// result.conflicts   // ["note"] when both sides rewrote the note
/// ```
public enum ThreeWayMerge {
    public struct Result: Sendable, Hashable {
        /// The platform's version with every change of the agency's that does not conflict.
        public var merged: FHIRObject
        /// Top-level elements both sides changed differently, in the platform's order.
        public var conflicts: [String]
    }

    /// What the server sets and no side edits.
    static let ignored: Set<String> = ["resourceType", "id", "meta"]

    public static func merge(base: FHIRObject, platform: FHIRObject, agency: FHIRObject) -> Result {
        var merged = platform
        var conflicts: [String] = []
        var keys = platform.keys
        for key in agency.keys + base.keys where !keys.contains(key) { keys.append(key) }
        for key in keys where !ignored.contains(key) {
            let b = base[key], p = platform[key], a = agency[key]
            if same(a, b) || same(a, p) { continue }  // the agency changed nothing here, or the same as the platform
            if same(p, b) {
                merged[key] = a  // only the agency changed it (nil removes it)
            } else {
                conflicts.append(key)
            }
        }
        return Result(merged: merged, conflicts: conflicts)
    }

    /// Equal as data: an agency's JSON library may reorder an object's members or write `1.50`
    /// as `1.5`, which is no edit.
    static func same(_ a: FHIRJSON?, _ b: FHIRJSON?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (.number(let x), .number(let y)): return x == y || (Double(x) != nil && Double(x) == Double(y))
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.pairs.allSatisfy { pair in y[pair.key].map { same(pair.value, $0) } ?? false }
        default: return a == b
        }
    }
}
