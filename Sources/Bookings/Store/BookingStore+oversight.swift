import CareModel
import CareStore
import Foundation
internal import GRDB

extension BookingStore {
    /// Answers oversight's question how many carers a region has and how many hold a certificate
    /// valid on a day (持证上岗率): the active paid workers (not volunteers) of active providers
    /// located in the region. Registered when the store is made, so oversight never reads
    /// Bookings' tables.
    func answerOversightQuestions() {
        database.bus.answer(CertifiedCarersIn.self) { db, question in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS carers,
                        sum(EXISTS (SELECT 1 FROM worker_certificate c WHERE c.worker_id = w.id AND c.expires_on >= ?)) AS certified
                    FROM service_worker w JOIN service_provider p ON p.institution_id = w.provider_id
                    JOIN institution i ON i.id = p.institution_id
                    WHERE w.status = 'active' AND w.volunteer_group IS NULL AND p.status = 'active' AND i.region_code GLOB ?
                    """, arguments: [question.at.description, question.regionPrefix + "*"])
            return CarerCertification(carers: row?["carers"] ?? 0, certified: row?["certified"] ?? 0)
        }
    }
}
