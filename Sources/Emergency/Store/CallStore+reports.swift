import CareModel
import CareStore
import Foundation
internal import GRDB

extension CallStore {
    /// The service-level report for calls opened in `[from, to)`, optionally in one region
    /// (any level), computed from the calls' timelines.
    public func emergencyReport(from: Date, to: Date, region: String?) async throws -> EmergencyReport {
        let facts = try await database.pool.read { db in
            var q = SQLQuery(
                """
                SELECT call.id, call.priority, call.opened_ms, call.outcome,
                    (SELECT min(at_ms) FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'claim') AS claim_ms,
                    (SELECT actor_name FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'claim' ORDER BY id LIMIT 1) AS claimer,
                    (SELECT min(at_ms) FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'dispatch') AS dispatch_ms,
                    (SELECT min(at_ms) FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'update_responder'
                        AND json_extract(t.detail, '$.responderTo') = 'on_scene') AS on_scene_ms,
                    (SELECT actor_name FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'resolve' ORDER BY id DESC LIMIT 1) AS resolver,
                    (SELECT min(at_ms) FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'record_follow_up') AS follow_up_ms
                FROM call JOIN elder ON elder.id = call.elder_id
                """)
            if let region {
                q.where("elder.region_code GLOB ?", RegionCode.prefix(of: RegionCode.normalise(region)) + "*")
            }
            q.where("call.opened_ms >= ?", from.millis)
            q.where("call.opened_ms < ?", to.millis)
            return try q.fetchAll(db).map { row in
                func date(_ column: String) -> Date? { (row[column] as Int64?).map { Date(timeIntervalSince1970: Double($0) / 1000) } }
                return CallFacts(
                    id: row["id"], priority: Priority(rawValue: row["priority"]) ?? .p1,
                    openedAt: date("opened_ms")!, firstClaimAt: date("claim_ms"), claimedBy: row["claimer"],
                    firstDispatchAt: date("dispatch_ms"), firstOnSceneAt: date("on_scene_ms"),
                    outcome: (row["outcome"] as String?).flatMap(CallOutcome.init(rawValue:)),
                    resolvedBy: row["resolver"], followedUpAt: date("follow_up_ms"))
            }
        }
        return EmergencyReport(from: from, to: to, region: region, facts: facts)
    }

    /// The supervisor's view of the floor. `operatorsOnline` comes from the live feed, not the store.
    public func callOverview(now: Date, operatorsOnline: [String]) async throws -> CallOverview {
        try await database.pool.read { db in
            var byPriority = Dictionary(uniqueKeysWithValues: Priority.allCases.map { ($0.description, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT priority, count(*) FROM call WHERE is_open = 1 GROUP BY priority") {
                byPriority[(Priority(rawValue: row[0]) ?? .p1).description] = row[1]
            }
            let unclaimed =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM call WHERE is_open = 1 AND status IN ('new', 'cancelled_at_device')
                        """) ?? 0
            let escalated = try Int.fetchOne(db, sql: "SELECT count(*) FROM call WHERE is_open = 1 AND escalated = 1") ?? 0
            let oldest = try String.fetchOne(
                db,
                sql: """
                    SELECT call_summary.json FROM call JOIN call_summary ON call_summary.id = call.id
                    WHERE call.is_open = 1 AND call.status IN ('new', 'cancelled_at_device') ORDER BY call.opened_ms LIMIT 1
                    """
            ).map { try CareJSON.decoder.decode(CallSummary.self, from: Data($0.utf8)) }
            // Local midnight: "today" as the care centre means it.
            let midnight = LocalTime.midnight(CalendarDate(date: now)).millis
            let claims = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.at_ms - call.opened_ms FROM call_timeline t JOIN call ON call.id = t.call_id
                    WHERE t.action = 'claim' AND t.at_ms >= ?
                      AND t.id = (SELECT min(id) FROM call_timeline f WHERE f.call_id = t.call_id AND f.action = 'claim')
                    """, arguments: [midnight]
            ).map { $0[0] as Int64 }
            let within = claims.count { $0 <= 60_000 }
            return CallOverview(
                openByPriority: byPriority, unclaimed: unclaimed, escalated: escalated, oldestUnclaimed: oldest,
                claimedWithin60sToday: claims.isEmpty ? nil : Double(within) / Double(claims.count),
                claimedToday: claims.count, operatorsOnline: operatorsOnline)
        }
    }
}
