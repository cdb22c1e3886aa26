import CareModel
import CareStore
import Foundation

/// Emergency's store: calls, their timelines and device events, written by the intake's group
/// commit, by operators' actions, by escalation and by device supervision. It owns the `calls-*`
/// migrations and the caches the intake's writer reads for every event (``IntakeCaches``).
///
/// One per database: its caches are exact only because every call write goes through it.
///
/// ```swift
/// let calls = CallStore(database)
/// let detail = try await calls.act(on: 42, .claim, expectedVersion: 3, by: actor)
/// ```
public final class CallStore: Sendable {
    public let database: CareDatabase
    /// When unclaimed calls, late responders and missing follow-ups are escalated: every call
    /// write sets its next deadline from this.
    let escalation: EscalationPolicy
    let caches = IntakeCaches()
    /// Keeps ``caches`` coherent with the registry rows they mirror (registered for its lifetime).
    private let watch: RowWatch

    /// Emergency's migrations, registered after the registry's.
    public static let migrations = CallSchema.migrations

    public init(_ database: CareDatabase, escalation: EscalationPolicy = .default) {
        self.database = database
        self.escalation = escalation
        self.watch = caches.watch()
        database.observe(watch)
        answerOversightQuestions()
    }
}
