import CareModel
import CareStore
import Foundation
internal import GRDB

/// Oversight's store: institution profiles and community facilities as the bureau records them,
/// the plan's indicators read from them and the registry, inspections and their rectification
/// deadlines, grades, and the frozen statistics returns (the `oversight-*` migrations).
///
/// It reads the registry's tables (regions, elders, institutions) but writes only its own. What
/// billing must know, that an institution's operating subsidy is suspended or restored, is a
/// change-log entry of entity `oversight`, so neither module imports the other.
///
/// ```swift
/// let oversight = OversightStore(database)
/// let figures = try await oversight.indicators(region: "450900000000", at: CalendarDate(iso: "2026-12-31")!)
/// ```
public final class OversightStore: Sendable {
    public let database: CareDatabase

    /// Oversight's migrations, registered last.
    public static let migrations = OversightSchema.migrations

    public init(_ database: CareDatabase) {
        self.database = database
    }

    var now: Date { database.clock.now() }

    // MARK: - Profiles and facilities

    public func saveProfile(_ p: InstitutionProfile, by who: Principal) async throws -> InstitutionProfile {
        do { try p.validate() } catch { throw StoreError.invalid(error) }
        let stamp = SQLText.timeText(now)
        return try await database.write { db in
            let institution = try RegistryStore.institution(db, id: p.institutionId)
            guard institution.kind == .careHome else {
                throw StoreError.invalid(
                    ValidationFailure(
                        field: "institutionId",
                        reason: "institution \(p.institutionId) is a \(institution.kind.rawValue); profiles are kept for care homes"))
            }
            try db.execute(
                sql: """
                    INSERT INTO oversight_institution_profile (institution_id, operating_model, rural_centre, comprehensive,
                        new_public_facility, medical_service, rehabilitation_place, social_workers, staff, carers, residents,
                        san_wu_residents, wu_bao_residents, wu_bao_non_self_care, construction_subsidy_fen,
                        operating_subsidy_fen_per_month, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (institution_id) DO UPDATE SET operating_model = excluded.operating_model,
                        rural_centre = excluded.rural_centre, comprehensive = excluded.comprehensive,
                        new_public_facility = excluded.new_public_facility, medical_service = excluded.medical_service,
                        rehabilitation_place = excluded.rehabilitation_place, social_workers = excluded.social_workers,
                        staff = excluded.staff, carers = excluded.carers, residents = excluded.residents,
                        san_wu_residents = excluded.san_wu_residents, wu_bao_residents = excluded.wu_bao_residents,
                        wu_bao_non_self_care = excluded.wu_bao_non_self_care,
                        construction_subsidy_fen = excluded.construction_subsidy_fen,
                        operating_subsidy_fen_per_month = excluded.operating_subsidy_fen_per_month, updated_at = excluded.updated_at
                    """,
                arguments: [
                    p.institutionId, p.operatingModel.rawValue, p.ruralCentre, p.comprehensive, p.newPublicFacility,
                    p.medicalService.rawValue, p.rehabilitationPlace, p.professionalSocialWorkers, p.staff, p.carers, p.residents,
                    p.sanWuResidents, p.wuBaoResidents, p.wuBaoNonSelfCare, p.constructionSubsidyFen, p.operatingSubsidyFenPerMonth,
                    stamp,
                ])
            try self.database.audit(db, who, "save", "oversight_profile", String(p.institutionId))
            return p
        }
    }

    public func profile(institutionId: Int64) async throws -> InstitutionProfile {
        try await database.read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT * FROM oversight_institution_profile WHERE institution_id = ?", arguments: [institutionId])
            else { throw StoreError.notFound(entity: "institution profile", id: String(institutionId)) }
            return Self.profile(row, id: institutionId)
        }
    }

    static func profile(_ row: Row, id: Int64) -> InstitutionProfile {
        InstitutionProfile(
            institutionId: id, operatingModel: OperatingModel(rawValue: row["operating_model"]) ?? .privateRun,
            ruralCentre: row["rural_centre"], comprehensive: row["comprehensive"], newPublicFacility: row["new_public_facility"],
            medicalService: MedicalService(rawValue: row["medical_service"]) ?? MedicalService.none,
            rehabilitationPlace: row["rehabilitation_place"], professionalSocialWorkers: row["social_workers"], staff: row["staff"],
            carers: row["carers"], residents: row["residents"], sanWuResidents: row["san_wu_residents"],
            wuBaoResidents: row["wu_bao_residents"], wuBaoNonSelfCare: row["wu_bao_non_self_care"],
            constructionSubsidyFen: row["construction_subsidy_fen"], operatingSubsidyFenPerMonth: row["operating_subsidy_fen_per_month"])
    }

    public func saveFacility(_ f: CommunityFacility, by who: Principal) async throws -> CommunityFacility {
        let code = RegionCode.normalise(f.regionCode)
        guard RegionCode.level(of: code) == .community else {
            throw StoreError.invalid(
                ValidationFailure(field: "regionCode", reason: "must be a community's or village's 12-digit code; \(f.regionCode) is not"))
        }
        let stamp = SQLText.timeText(now)
        return try await database.write { db in
            try RegistryStore.requireRegion(db, code)
            try db.execute(
                sql: """
                    INSERT INTO oversight_community_facility (region_code, urban, day_care_centre, happiness_home, rehabilitation_place, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (region_code) DO UPDATE SET urban = excluded.urban, day_care_centre = excluded.day_care_centre,
                        happiness_home = excluded.happiness_home, rehabilitation_place = excluded.rehabilitation_place,
                        updated_at = excluded.updated_at
                    """, arguments: [code, f.urban, f.dayCareCentre, f.happinessHome, f.rehabilitationPlace, stamp])
            try self.database.audit(db, who, "save", "oversight_facility", code)
            var saved = f
            saved.regionCode = code
            return saved
        }
    }

    // MARK: - Indicators

    /// Every indicator for a city or a county on a day.
    public func indicators(region: String, at: CalendarDate) async throws -> [Indicator] {
        let code = RegionCode.normalise(region)
        return OversightIndicators.compute(try await database.read { db in try self.input(db, region: code, at: at) })
    }

    /// What the indicators are computed from, read in one transaction. Elders are counted by SQL
    /// (one pass over a covering index); institutions and communities are few enough to read whole.
    func input(_ db: Database, region code: String, at: CalendarDate) throws -> OversightInput {
        guard let level = RegionCode.level(of: code), level == .city || level == .district else {
            throw StoreError.invalid(
                ValidationFailure(field: "region", reason: "must be the city's or a county's code (\(code) is neither)"))
        }
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM region WHERE code = ?", arguments: [code]) == true else {
            throw StoreError.notFound(entity: "region", id: code)
        }
        let prefix = RegionCode.prefix(of: code)
        let glob = prefix + "*"
        // Grouped by the index's own order (one row per community), not by county: grouping by an
        // expression would sort every elder in a temporary tree first.
        var elders: [String: Int] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT region_code, count(*) AS n FROM elder
                WHERE status = 'active' AND region_code GLOB ? AND birth_date <= ? GROUP BY region_code
                """, arguments: [glob, sixtiethBirthdayCutoff(at).description])
        {
            let region: String = row["region_code"]
            elders[String(region.prefix(6)), default: 0] += row["n"] as Int
        }
        let counties = try Row.fetchAll(
            db, sql: "SELECT code, name FROM region WHERE level = 'district' AND code GLOB ? ORDER BY code", arguments: [glob]
        ).map { row -> OversightInput.County in
            let c: String = row["code"]
            return OversightInput.County(code: c, name: row["name"], elders: elders[String(c.prefix(6))] ?? 0)
        }
        let homes = try Row.fetchAll(
            db,
            sql: """
                SELECT i.id, i.name, i.region_code, i.beds, i.nursing_beds, p.*, p.institution_id AS profiled
                FROM institution i LEFT JOIN oversight_institution_profile p ON p.institution_id = i.id
                WHERE i.kind = 'care_home' AND i.status = 'active' AND i.region_code GLOB ? ORDER BY i.id
                """, arguments: [glob]
        ).map { row -> OversightInput.Home in
            let id: Int64 = row["id"]
            let region: String = row["region_code"]
            let profiled: Int64? = row["profiled"]
            return OversightInput.Home(
                id: id, name: row["name"], countyCode: String(region.prefix(6)) + "000000", beds: row["beds"],
                nursingBeds: row["nursing_beds"], profile: profiled == nil ? nil : Self.profile(row, id: id))
        }
        let communities = try Row.fetchAll(
            db,
            sql: """
                SELECT r.code, r.name, f.urban, f.day_care_centre, f.happiness_home, f.rehabilitation_place,
                    EXISTS (SELECT 1 FROM institution i WHERE i.region_code = r.code AND i.status = 'active'
                            AND i.kind IN ('day_care_centre', 'rural_happiness_home')) AS registered_place
                FROM region r LEFT JOIN oversight_community_facility f ON f.region_code = r.code
                WHERE r.level = 'community' AND r.code GLOB ? ORDER BY r.code
                """, arguments: [glob]
        ).map { row -> OversightInput.Community in
            let c: String = row["code"]
            let dayCare: Bool = (row["day_care_centre"] as Bool?) ?? false
            let home: Bool = (row["happiness_home"] as Bool?) ?? false
            return OversightInput.Community(
                code: c, name: row["name"], countyCode: String(c.prefix(6)) + "000000", urban: row["urban"],
                dayCareOrHappinessHome: dayCare || home || (row["registered_place"] as Bool),
                rehabilitationPlace: (row["rehabilitation_place"] as Bool?) ?? false)
        }
        let carers = try database.bus.ask(db, CertifiedCarersIn(regionPrefix: prefix, at: at), as: CarerCertification.self)
        let emergency = try database.bus.ask(
            db, EmergencyCallsIn.quarterToDate(regionPrefix: prefix, at: at), as: EmergencyCallFigures.self)
        return OversightInput(
            regionCode: code, at: at, counties: counties, homes: homes, communities: communities, carers: carers, emergency: emergency)
    }
}
