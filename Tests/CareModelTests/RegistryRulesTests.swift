import CareModel
import Foundation
import Testing

@Suite("Region codes")
struct RegionCodeTests {
    @Test(arguments: [
        ("450900000000", RegionLevel.city, "4509"), ("450902000000", .district, "450902"),
        ("450902001000", .street, "450902001"), ("450902001003", .community, "450902001003"),
    ])
    func levelsAndPrefixes(code: String, level: RegionLevel, prefix: String) {
        #expect(RegionCode.level(of: code) == level)
        #expect(RegionCode.prefix(of: code) == prefix)
    }

    @Test func sixDigitCountyCodesArePadded() {
        #expect(RegionCode.normalise("450981") == "450981000000")
    }

    @Test func aRegionMustSitOneLevelUnderItsParent() throws {
        let street = try NewRegion(code: "450902001000", name: "玉城街道", parentCode: "450902").validated()
        #expect(street.level == .street && street.parentCode == "450902000000")
        #expect(throws: ValidationFailure.self) {
            try NewRegion(code: "450902001001", name: "跳级社区", parentCode: "450902000000").validated()
        }
        #expect(throws: ValidationFailure.self) {
            try NewRegion(code: "450903001000", name: "错区街道", parentCode: "450902000000").validated()
        }
        #expect(throws: ValidationFailure.self) { try NewRegion(code: "4509", name: "短", parentCode: nil).validated() }
    }
}

@Suite("Phones, roles, cursors, dates")
struct SmallRulesTests {
    @Test(arguments: ["13800138000", "+86 138 0013 8000", "0775-2821234", "120", "12349"])
    func validPhones(_ p: String) { #expect(PhoneNumber.isValid(p)) }

    @Test(arguments: ["1380013800", "23800138000", "775-2821234", "phone", "", "0775-12"])
    func invalidPhones(_ p: String) { #expect(!PhoneNumber.isValid(p)) }

    @Test func onlyAdminsManageAccountsAndOnlySomeSeeFullIDs() {
        #expect(Role.allCases.filter { $0.allows(.manageAccounts) } == [.admin])
        #expect(Set(Role.allCases.filter { $0.allows(.viewFullNationalID) }) == [.admin, .supervisor, .agency])
        #expect(!Role.auditor.permissions.contains { $0.rawValue.hasPrefix("write") })
    }

    @Test func cursorsRoundTripAndRejectForeignText() {
        #expect(Cursor.decodeInt(Cursor.encode(Int64(123_456))) == 123_456)
        #expect(Cursor.decode("not-a-cursor") == nil)
        #expect(Cursor.decode(Cursor.encode("450902001000")) == "450902001000")
    }

    @Test func calendarArithmetic() {
        let d = CalendarDate(year: 2024, month: 2, day: 29)!
        #expect(CalendarDate(daysSinceEpoch: d.daysSinceEpoch) == d)
        #expect(CalendarDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1946, month: 11, day: 24)!.years(until: CalendarDate(year: 2026, month: 11, day: 23)!) == 79)
        // 23:30 UTC on the 22nd is already 07:30 on the 23rd in China.
        #expect(CalendarDate(date: Date(timeIntervalSince1970: 1_795_390_200)) == CalendarDate(year: 2026, month: 11, day: 23))
    }

    @Test func subsidyCategoriesRoundTripThroughTheirMask() {
        let set: [SubsidyCategory] = [.sanwu, .highAge, .disabled]
        #expect(SubsidyCategory.set(fromMask: SubsidyCategory.mask(set)) == [.sanwu, .disabled, .highAge])
    }
}

@Suite("ISO-8601 timestamps")
struct TimestampTests {
    @Test(arguments: [
        ("2026-11-23T02:11:20Z", 1_795_399_880.0), ("2026-11-23T10:11:20+08:00", 1_795_399_880),
        ("2026-11-23T02:11:20.250Z", 1_795_399_880.25), ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59-05:30", 1_709_270_999),
    ])
    func parses(_ text: String, _ seconds: Double) {
        #expect(Timestamp.parse(text)?.timeIntervalSince1970 == seconds)
        // Agrees with Foundation's formatter wherever that one understands the text.
        let f = ISO8601DateFormatter()
        f.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        if let reference = f.date(from: text) { #expect(abs(reference.timeIntervalSince1970 - seconds) < 0.001) }
    }

    @Test(arguments: [
        "2026-11-23 02:11:20Z", "2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T02:11:20",
        "2026-11-23T02:11:20.Z", "2026-11-23T02:11:20+0800", "yesterday", "2026-11-23T02:11:20Zjunk",
    ])
    func refuses(_ text: String) { #expect(Timestamp.parse(text) == nil) }
}
