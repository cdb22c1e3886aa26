/// Checks through the admin API that every event the server acknowledged is stored: the
/// protocol promises nothing is acknowledged before it is on disk, and this is how a run proves it.
///
/// For each device it pages through `GET /v1/devices/{id}/events` until all of that device's
/// acknowledged refs are found (or the listing ends), over several connections at once.
struct Verifier {
    let settings: ServerSettings
    var threads = 4

    struct Report: Sendable {
        var expected = 0
        var found = 0
        var missing: [(device: String, ref: String)] = []
        /// Devices whose listing could not be read at all.
        var errors: [String] = []

        var passed: Bool { missing.isEmpty && errors.isEmpty && found == expected }

        /// "verified N of N acknowledged events stored", or what is missing.
        var lines: [String] {
            var out = ["verified \(Format.count(found)) of \(Format.count(expected)) acknowledged events stored"]
            if !missing.isEmpty {
                out.append(
                    "missing (\(Format.count(missing.count))): "
                        + missing.prefix(20).map { "\($0.device) \($0.ref)" }.joined(separator: ", ")
                        + (missing.count > 20 ? ", … and \(Format.count(missing.count - 20)) more" : ""))
            }
            for error in errors.prefix(5) { out.append("could not check: \(error)") }
            if errors.count > 5 { out.append("… and \(errors.count - 5) more devices could not be checked") }
            return out
        }
    }

    /// `expected`: per device id, the refs that got a 2xx.
    func verify(_ expected: [(deviceId: String, refs: [String])]) -> Report {
        let work = expected.filter { !$0.refs.isEmpty }
        let settings = self.settings
        let report = Shared(Report())
        report.withLock { $0.expected = work.reduce(0) { $0 + $1.refs.count } }
        Threads.forEach(work.count, threads: threads, name: "verify", state: { APIClient(settings) }) { api, i in
            let (deviceId, refs) = work[i]
            var remaining = Set(refs)
            do {
                try api.forEachPage("/v1/devices/\(deviceId)/events?limit=500", of: StoredEvent.self) { items in
                    for item in items { remaining.remove(item.ref) }
                    return !remaining.isEmpty
                }
                let found = refs.count - remaining.count
                let missing = remaining.sorted().map { (device: deviceId, ref: $0) }
                report.withLock {
                    $0.found += found; $0.missing += missing
                }
            } catch {
                report.withLock { $0.errors.append("\(deviceId): \(error)") }
            }
        }
        var result = report.value
        result.missing.sort { ($0.device, $0.ref) < ($1.device, $1.ref) }
        return result
    }

    /// One stored event, for the scenarios (nil when the device's listing does not hold it).
    static func storedEvent(deviceId: String, ref: String, api: APIClient) throws -> StoredEvent? {
        var found: StoredEvent?
        try api.forEachPage("/v1/devices/\(deviceId)/events?limit=500", of: StoredEvent.self) { items in
            found = items.first { $0.ref == ref }
            return found == nil
        }
        return found
    }
}
