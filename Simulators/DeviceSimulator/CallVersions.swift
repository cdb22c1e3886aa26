/// The highest version seen of each call, for a subscriber checking that a call's versions come
/// in order. Call ids are dense and the ones a run creates are consecutive, so a flat array
/// indexed from the first id seen holds them; ids below it (calls opened before the run) go to
/// a dictionary. With 200 subscribers this is looked up 400,000 times a second, and a hash
/// table per subscriber spread those lookups over hundreds of megabytes.
struct CallVersions {
    private var base: Int64 = -1
    private var flat: [Int32] = []
    private var older: [Int64: Int] = [:]
    /// How far ahead of the highest id so far the array may grow in one step; an id further out
    /// (a server with a long history) goes to the dictionary instead.
    private static let maximumJump: Int64 = 1 << 20

    /// Records `version` for `callId`; returns the highest version seen before, or nil if none.
    mutating func update(_ callId: Int64, to version: Int) -> Int? {
        if base < 0 { base = callId }
        let offset = callId - base
        guard offset >= 0, offset < Int64(flat.count) + Self.maximumJump, version < Int(Int32.max) else {
            return older.updateValue(version, forKey: callId)
        }
        let index = Int(offset)
        if index >= flat.count { flat.append(contentsOf: repeatElement(-1, count: index - flat.count + 1)) }
        let seen = flat[index]
        flat[index] = Int32(version)
        return seen < 0 ? nil : Int(seen)
    }
}
