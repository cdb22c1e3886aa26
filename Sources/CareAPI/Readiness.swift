import Synchronization

/// Whether the server may serve registry routes: set once migrations have run.
public final class Readiness: Sendable {
    private let ready = Atomic<Bool>(false)
    public init(ready: Bool = false) { self.ready.store(ready, ordering: .relaxed) }
    public var isReady: Bool { ready.load(ordering: .acquiring) }
    public func markReady() { ready.store(true, ordering: .releasing) }
}
