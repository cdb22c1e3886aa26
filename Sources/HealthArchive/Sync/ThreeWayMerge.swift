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
            if a == b || a == p { continue }  // the agency changed nothing here, or the same as the platform
            if p == b {
                merged[key] = a  // only the agency changed it (nil removes it)
            } else {
                conflicts.append(key)
            }
        }
        return Result(merged: merged, conflicts: conflicts)
    }
}
