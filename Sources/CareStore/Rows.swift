import CareModel
import Foundation
package import GRDB

// Row ↔ model mapping, kept in one place so the SQL column names appear once per entity.

extension Region {
    package init(row: Row) {
        self.init(
            code: row["code"], name: row["name"], level: RegionLevel(rawValue: row["level"]) ?? .community,
            parentCode: row["parent_code"])
    }
}

extension Coordinates {
    package init?(row: Row) {
        guard let lat: Double = row["latitude"], let lon: Double = row["longitude"] else { return nil }
        self.init(latitude: lat, longitude: lon)
    }
}

extension Elder {
    package static let columns = """
        name, national_id, birth_date, sex, phone, address, latitude, longitude, region_code, living_situation,
        care_level, categories, consent_share_health, consent_use_location, consent_notify_family, status, version,
        created_at, updated_at
        """

    package init(row: Row) {
        let birth: String = row["birth_date"]
        self.init(
            id: row["id"], name: row["name"], nationalId: row["national_id"],
            birthDate: CalendarDate(iso: birth) ?? CalendarDate(year: 1900, month: 1, day: 1)!,
            sex: Sex(rawValue: row["sex"]) ?? .female, phone: row["phone"], address: row["address"],
            location: Coordinates(row: row), regionCode: row["region_code"],
            livingSituation: LivingSituation(rawValue: row["living_situation"]) ?? .withFamily,
            careLevel: CareLevel(rawValue: row["care_level"]) ?? .selfCare,
            categories: SubsidyCategory.set(fromMask: row["categories"]),
            consent: Consent(
                shareHealthArchive: row["consent_share_health"], useLocation: row["consent_use_location"],
                notifyFamily: row["consent_notify_family"]),
            status: RecordStatus(rawValue: row["status"]) ?? .active, version: row["version"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }

    /// Values in the order of ``columns``.
    var arguments: StatementArguments { arguments(createdAt: createdAt.databaseValue, updatedAt: updatedAt.databaseValue) }

    /// Values in the order of ``columns`` with one timestamp already converted (bulk loads).
    func arguments(stamp: DatabaseValue) -> StatementArguments { arguments(createdAt: stamp, updatedAt: stamp) }

    private func arguments(createdAt: DatabaseValue, updatedAt: DatabaseValue) -> StatementArguments {
        [
            name, nationalId, birthDate.description, sex.rawValue, phone, address, location?.latitude,
            location?.longitude, regionCode, livingSituation.rawValue, careLevel.rawValue,
            SubsidyCategory.mask(categories), consent.shareHealthArchive, consent.useLocation, consent.notifyFamily,
            status.rawValue, version, createdAt, updatedAt,
        ]
    }

    /// The names of the fields that differ, for the audit log (values stay out of it).
    func changedFields(from old: Elder) -> [String] {
        var f: [String] = []
        if name != old.name { f.append("name") }
        if phone != old.phone { f.append("phone") }
        if address != old.address { f.append("address") }
        if location != old.location { f.append("location") }
        if regionCode != old.regionCode { f.append("regionCode") }
        if livingSituation != old.livingSituation { f.append("livingSituation") }
        if careLevel != old.careLevel { f.append("careLevel") }
        if categories != old.categories { f.append("categories") }
        if consent != old.consent { f.append("consent") }
        if status != old.status { f.append("status") }
        return f
    }
}

extension EmergencyContact {
    package init(row: Row) {
        self.init(
            id: row["id"], elderId: row["elder_id"], position: row["position"], name: row["name"],
            relation: Relation(rawValue: row["relation"]) ?? .other, phone: row["phone"], hasKey: row["has_key"])
    }
}

extension Device {
    package init(row: Row) {
        self.init(
            id: row["id"], type: DeviceType(rawValue: row["type"]) ?? .sosPendant, elderId: row["elder_id"],
            heartbeatSeconds: row["heartbeat_seconds"], status: DeviceStatus(rawValue: row["status"]) ?? .active,
            secretFingerprint: Secrets.fingerprint(of: row["secret"]), version: row["version"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

extension Institution {
    package init(row: Row) {
        self.init(
            id: row["id"], kind: InstitutionKind(rawValue: row["kind"]) ?? .careHome, name: row["name"],
            regionCode: row["region_code"], address: row["address"], location: Coordinates(row: row),
            phone: row["phone"], beds: row["beds"], nursingBeds: row["nursing_beds"],
            status: RecordStatus(rawValue: row["status"]) ?? .active, version: row["version"],
            createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

extension Account {
    package init(row: Row) {
        self.init(
            id: row["id"], name: row["name"], role: Role(rawValue: row["role"]) ?? .auditor,
            institutionId: row["institution_id"], status: RecordStatus(rawValue: row["status"]) ?? .inactive,
            version: row["version"], createdAt: row["created_at"], updatedAt: row["updated_at"])
    }
}

extension TokenInfo {
    package init(row: Row) {
        self.init(id: row["id"], accountId: row["account_id"], createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}

extension AuditEntry {
    package init(row: Row) {
        let fields: String = row["fields"]
        self.init(
            id: row["id"], at: row["at"], actorName: row["actor_name"], actorAccountId: row["actor_account_id"],
            actorRole: Role(rawValue: row["actor_role"]) ?? .admin, action: row["action"], entity: row["entity"],
            entityId: row["entity_id"], fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init),
            elderId: row["elder_id"], reason: row["reason"])
    }
}
