/// Draws indices `0..<count` with fixed relative weights in constant time (Walker/Vose alias method),
/// using one 64-bit random number per draw.
struct WeightedTable: Sendable {
    /// For column `i`: below this 32-bit threshold keep `i`, otherwise take `alias[i]`.
    private let threshold: [UInt32]
    private let alias: [Int32]

    var count: Int { threshold.count }

    /// - Parameter weights: non-negative, at least one positive.
    init(_ weights: [Double]) {
        precondition(!weights.isEmpty, "a weighted table needs at least one weight")
        let n = weights.count
        let total = weights.reduce(0, +)
        precondition(total > 0 && weights.allSatisfy { $0 >= 0 }, "weights must be non-negative with a positive sum")
        var scaled = weights.map { $0 * Double(n) / total }
        var threshold = [UInt32](repeating: UInt32.max, count: n)
        var alias = [Int32](repeating: 0, count: n)
        for i in 0..<n { alias[i] = Int32(i) }
        var small: [Int] = []
        var large: [Int] = []
        for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { break }
            threshold[s] = UInt32(min(scaled[s] * 4_294_967_296.0, 4_294_967_295.0))
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 {
                large.removeLast()
                small.append(l)
            }
        }
        // Whatever is left (rounding) keeps its own column with certainty.
        self.threshold = threshold
        self.alias = alias
    }

    /// One index, drawn with the table's weights.
    @inline(__always)
    func draw(_ random: inout RandomSource) -> Int {
        let r = random.next()
        let column = Int(truncatingIfNeeded: ((r >> 32) &* UInt64(threshold.count)) >> 32)
        return UInt32(truncatingIfNeeded: r) < threshold[column] ? column : Int(alias[column])
    }
}
