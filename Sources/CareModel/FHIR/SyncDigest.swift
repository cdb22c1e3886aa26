public import Foundation

/// The digest of a set of archive resources that the platform and an agency both compute, each
/// from its own copy: the sum (mod 2^64) of a hash of each resource's `type/id/version`. A sum
/// does not depend on the order the resources are visited in, so neither side has to sort.
///
/// ```swift
/// var digest = SyncDigest()
/// digest.add(type: "Observation", id: "12", version: 3)
/// digest.hex   // "5c1f…", 16 hex digits
/// ```
public struct SyncDigest: Sendable, Hashable {
    public private(set) var count = 0
    public private(set) var sum: UInt64 = 0

    public init() {}

    public mutating func add(type: String, id: String, version: Int) {
        let hash = SHA1.digest(Data("\(type)/\(id)/\(version)".utf8))
        var word: UInt64 = 0
        for byte in hash.prefix(8) { word = word << 8 | UInt64(byte) }
        sum &+= word
        count += 1
    }

    /// The sum as 16 lowercase hex digits.
    public var hex: String {
        let text = String(sum, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
