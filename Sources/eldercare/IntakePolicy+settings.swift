import CareConfig
import CareModel
import Emergency
import Foundation

extension IntakePolicy {
    /// The intake policy the `emergency.*` settings describe, with the triage rules read from
    /// `emergency.triageRulesFile`.
    init(_ e: CareSettings.Emergency) throws {
        self.init()
        dedupeWindow = TimeInterval(e.dedupeWindowSeconds)
        cancelWindow = TimeInterval(e.cancelWindowSeconds)
        signatureWindowBehind = TimeInterval(e.signatureWindowBehindSeconds)
        signatureWindowAhead = TimeInterval(e.signatureWindowAheadSeconds)
        heartbeatGraceSeconds = e.heartbeatGraceSeconds
        heartbeatRatePerMinute = e.heartbeatRatePerMinute
        heartbeatBurst = e.heartbeatBurst
        maxEventBytes = e.maxEventBytes
        triage = try Self.triageRules(at: e.triageRulesFile)
    }

    /// The rules in `path`; the compiled-in copy of `Config/triage.json` when the default path
    /// is not there (the binary run outside the source tree).
    static func triageRules(at path: String) throws -> TriageRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            if path == CareSettings.Emergency().triageRulesFile { return .default }
            throw CLIError(
                "Configuration key emergency.triageRulesFile has value \"\(path)\", but no file is there; it must name a readable triage rules file such as Config/triage.json."
            )
        }
        do {
            return try TriageRules(decodingJSON: data)
        } catch {
            throw CLIError("The triage rules in \(path) are not valid: \(error.summary).")
        }
    }
}

extension EscalationPolicy {
    /// The escalation deadlines the `emergency.*` settings describe.
    init(_ e: CareSettings.Emergency) {
        self.init(
            unclaimedAfter: SecondsByPriority(
                p1: e.escalateUnclaimedP1Seconds, p2: e.escalateUnclaimedP2Seconds,
                p3: e.escalateUnclaimedP3Seconds, p4: e.escalateUnclaimedP4Seconds),
            responderOnSceneWithin: e.responderOnSceneSeconds, followUpWithin: e.followUpWithinSeconds)
    }
}
