/// Reads the operators' call queue (`GET /v1/calls`, highest priority first, then oldest).
struct CallQueue {
    let api: APIClient
    static let pageSize = 100

    /// Every listed call, all pages.
    func all() throws -> [CallRecord] {
        var calls: [CallRecord] = []
        try api.forEachPage("/v1/calls?limit=\(Self.pageSize)", of: CallRecord.self) {
            calls += $0; return true
        }
        return calls
    }

    /// The P1 calls: pages until the first lower-priority call, since P1 calls come first. Cheap
    /// enough to poll ten times a second while thousands of lower calls wait behind them.
    func topPriority() throws -> [CallRecord] {
        var calls: [CallRecord] = []
        try api.forEachPage("/v1/calls?limit=\(Self.pageSize)", of: CallRecord.self) { page in
            for call in page {
                guard call.priority == "P1" else { return false }
                calls.append(call)
            }
            return true
        }
        return calls
    }

    /// One call by id, paging until it shows (nil when it is not listed).
    func find(id: Int64) throws -> CallRecord? {
        var found: CallRecord?
        try api.forEachPage("/v1/calls?limit=\(Self.pageSize)", of: CallRecord.self) { page in
            found = page.first { $0.id == id }
            return found == nil
        }
        return found
    }

    /// Calls with code `device_offline`. Asks the server to filter (`code=`); a server that does
    /// not know the parameter either ignores it or refuses it, and then the whole queue is read.
    func offline() throws -> [CallRecord] {
        var calls: [CallRecord] = []
        do {
            try api.forEachPage("/v1/calls?limit=\(Self.pageSize)&code=device_offline", of: CallRecord.self) {
                calls += $0; return true
            }
        } catch {
            calls = try all()
        }
        return calls.filter { $0.code == "device_offline" }
    }

    /// Elders who have a call in the queue: a new alarm of theirs would join it rather than open one.
    func eldersWithCalls() throws -> Set<Int64> {
        Set(try all().compactMap(\.elderId))
    }
}
