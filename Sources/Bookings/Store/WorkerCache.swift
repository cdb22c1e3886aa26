import CareModel
import Synchronization

/// The active workers of each provider, with their certificates, as availability last read
/// them: decoding two thousand workers' skills and hours is most of an availability request.
///
/// Only ``BookingStore`` writes workers, certificates and providers, and it calls
/// ``invalidate()`` after each such write commits. A read that began before that commit may
/// finish after it; the generation it started with no longer matches, so its rows are not kept.
/// Writes never use the cache: they read the rows in their own transaction.
final class WorkerCache: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var byProvider: [Int64: [ServiceWorker]] = [:]
    }
    private let state = Mutex(State())

    /// The workers of `providers`, reading (with `load`) those not cached.
    func workers(of providers: [Int64], load: ([Int64]) throws -> [Int64: [ServiceWorker]]) rethrows -> [ServiceWorker] {
        let (generation, cached) = state.withLock { s in (s.generation, providers.map { s.byProvider[$0] }) }
        let missing = zip(providers, cached).filter { $0.1 == nil }.map(\.0)
        var loaded: [Int64: [ServiceWorker]] = [:]
        if !missing.isEmpty {
            loaded = try load(missing)
            state.withLock { s in
                guard s.generation == generation else { return }
                for p in missing { s.byProvider[p] = loaded[p] ?? [] }
            }
        }
        // One provider, the usual case: its array as cached, not a copy of two thousand workers.
        if providers.count == 1 { return cached[0] ?? loaded[providers[0]] ?? [] }
        return zip(providers, cached).flatMap { p, c in c ?? loaded[p] ?? [] }
    }

    /// Forgets everything: a worker, certificate or provider changed.
    func invalidate() {
        state.withLock { s in
            s.generation &+= 1
            s.byProvider = [:]
        }
    }
}
