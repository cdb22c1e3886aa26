import CareModel
import CareStore
import Foundation
internal import GRDB

extension BookingStore {
    /// Answers the health archive's question whether a provider may see an elder's allergies:
    /// only while it has a meal service booked for the elder (pending or in progress, not yet
    /// over), the one service whose safety depends on them. Registered when the store is made.
    func answerHealthQuestions() {
        let meals = catalogue.services.filter { $0.record == .meal }.map(\.id)
        database.bus.answer(BookedServiceNeedsAllergies.self) { [weak self] db, question in
            guard let self, !meals.isEmpty else { return false }
            let placeholders = meals.map { _ in "?" }.joined(separator: ",")
            return try Bool.fetchOne(
                db,
                sql: """
                    SELECT 1 FROM booking b JOIN account a ON a.institution_id = b.provider_id
                    WHERE a.id = ? AND b.elder_id = ? AND b.service IN (\(placeholders))
                      AND b.status IN ('requested', 'confirmed', 'in_progress') AND b.end_ms >= ? LIMIT 1
                    """,
                arguments: StatementArguments([question.accountId, question.elderId]) + StatementArguments(meals)
                    + [self.database.clock.now().millis]) ?? false
        }
    }
}
