import CareModel
import CareStore
import Foundation
internal import GRDB

extension Call {
    init(row: Row) {
        let location: String? = row["location"]
        self.init(
            id: row["id"], elderId: row["elder_id"], deviceId: row["device_id"],
            code: AlarmCode(rawValue: row["code"]) ?? .sos, priority: Priority(rawValue: row["priority"]) ?? .p1,
            reason: row["reason"], status: CallStatus(rawValue: row["status"]) ?? .new, eventCount: row["event_count"],
            openedAt: row["opened_at"], lastEventAt: row["last_event_at"], cancelledAt: row["cancelled_at"],
            location: location.flatMap { try? CareJSON.decoder.decode(EventLocation.self, from: Data($0.utf8)) },
            version: row["version"])
    }
}

extension StoredEvent {
    init(row: Row) {
        self.init(
            ref: row["ref"], kind: EventKind(rawValue: row["kind"]) ?? .info,
            code: (row["code"] as String?).flatMap(AlarmCode.init(rawValue:)), occurredAt: row["occurred_at"],
            receivedAt: row["received_at"], outcome: EventOutcome(rawValue: row["outcome"]) ?? .recorded,
            callId: row["call_id"])
    }
}

extension SQLText {
    /// A location as the call row keeps it; decodes as ``EventLocation``.
    static func location(_ location: EventLocation?) -> String? {
        guard let location else { return nil }
        var text = "{", first = true
        func key(_ name: String) {
            text += first ? "\"" : ",\""
            text += name + "\":"
            first = false
        }
        if let area = location.area { key("area"); JSONText.append(quoted: area.rawValue, to: &text) }
        if let free = location.text { key("text"); JSONText.append(quoted: free, to: &text) }
        if let latitude = location.latitude { key("latitude"); text += JSONText.number(latitude) }
        if let longitude = location.longitude { key("longitude"); text += JSONText.number(longitude) }
        if let accuracy = location.accuracyMeters { key("accuracyMeters"); text += JSONText.number(accuracy) }
        return text + "}"
    }
}
