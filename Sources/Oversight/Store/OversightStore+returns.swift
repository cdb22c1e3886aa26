import CareModel
import CareStore
import Foundation
internal import GRDB

/// A period's statistics return (统计制度), frozen: the figures as they stood at the end of the
/// quarter when it was frozen, never recomputed, so a published figure never changes.
public struct OversightReturn: Codable, Sendable, Hashable {
    public var period: ReturnPeriod
    public var asOf: CalendarDate
    public var regionCode: String
    public var frozenAt: Date
    public var indicators: [Indicator]
}

extension OversightStore {
    /// Freezes a quarter's figures for the city (or one county). Refused before the quarter is
    /// over and when the period was frozen already.
    public func freeze(period: ReturnPeriod, region: String? = nil, by who: Principal) async throws -> OversightReturn {
        let now = self.now
        let asOf = period.lastDay
        guard CalendarDate(date: now) > asOf else {
            throw StoreError.conflict(
                reason: "The period \(period) ends on \(asOf); its return can be frozen from the day after, once every figure is in.")
        }
        return try await database.write { db in
            if let at: String = try String.fetchOne(
                db, sql: "SELECT created_at FROM oversight_return WHERE period = ?", arguments: [period.description])
            {
                throw StoreError.duplicate(
                    field: "period", reason: "the return for \(period) was frozen at \(at); a frozen return never changes")
            }
            let code: String
            if let region {
                code = RegionCode.normalise(region)
            } else {
                guard let city = try String.fetchOne(db, sql: "SELECT code FROM region WHERE level = 'city' ORDER BY code LIMIT 1") else {
                    throw StoreError.conflict(reason: "The registry has no city yet, so there is nothing to report.")
                }
                code = city
            }
            let indicators = OversightIndicators.compute(try self.input(db, region: code, at: asOf))
            let figures = String(decoding: try JSONEncoder.sorted.encode(indicators), as: UTF8.self)
            try db.execute(
                sql: "INSERT INTO oversight_return (period, as_of, region_code, figures, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [period.description, asOf.description, code, figures, SQLText.timeText(now)])
            try self.database.audit(db, who, "freeze", "oversight_return", period.description)
            return OversightReturn(period: period, asOf: asOf, regionCode: code, frozenAt: now, indicators: indicators)
        }
    }

    public func frozenReturn(_ period: ReturnPeriod) async throws -> OversightReturn {
        try await database.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM oversight_return WHERE period = ?", arguments: [period.description])
            else {
                throw StoreError.notFound(entity: "return", id: period.description)
            }
            return try Self.frozen(row)
        }
    }

    /// Every frozen return, oldest first: the trend across periods.
    public func frozenReturns() async throws -> [OversightReturn] {
        try await database.read { db in try Row.fetchAll(db, sql: "SELECT * FROM oversight_return ORDER BY period").map(Self.frozen) }
    }

    static func frozen(_ row: Row) throws -> OversightReturn {
        let figures: String = row["figures"]
        return OversightReturn(
            period: ReturnPeriod(row["period"])!, asOf: CalendarDate(iso: row["as_of"])!, regionCode: row["region_code"],
            frozenAt: row["created_at"], indicators: try JSONDecoder().decode([Indicator].self, from: Data(figures.utf8)))
    }
}
