import CareModel
import CareStore
import Foundation
internal import GRDB

extension CallStore {
    /// Answers oversight's question how many emergency calls elders of a region made in a span and
    /// how many an operator first claimed within 60 s, so oversight never reads the call tables.
    func answerOversightQuestions() {
        database.bus.answer(EmergencyCallsIn.self) { db, question in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS calls,
                        sum((SELECT min(at_ms) FROM call_timeline t WHERE t.call_id = call.id AND t.action = 'claim')
                            - call.opened_ms <= 60000) AS within
                    FROM call JOIN elder ON elder.id = call.elder_id
                    WHERE elder.region_code GLOB ? AND call.opened_ms >= ? AND call.opened_ms < ?
                    """, arguments: [question.regionPrefix + "*", question.from.millis, question.to.millis])
            return EmergencyCallFigures(calls: row?["calls"] ?? 0, claimedWithin60s: row?["within"] ?? 0)
        }
    }
}
