extension Duration {
    /// Whole milliseconds for curl's `*_MS` options, rounded up and at least 1, because curl
    /// reads 0 as "no limit": a 0.4 ms timeout must not silently become an infinite one.
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        guard seconds >= 0, self > .zero else { return 1 }
        guard seconds < Int64.max / 1000 - 1 else { return Int.max }
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int(max(1, millis))
    }

    /// Whole seconds, rounded up and at least 1, for options curl only takes in seconds.
    var curlSeconds: Int {
        (curlMilliseconds / 1000) + (curlMilliseconds % 1000 == 0 ? 0 : 1)
    }
}
