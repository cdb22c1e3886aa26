import CareModel
import Foundation
import Testing

@Suite("GB 11643 identity numbers")
struct NationalIDTests {
    let today = CalendarDate(year: 2026, month: 11, day: 23)!.asDate

    @Test func acceptsTheStandardsOwnExample() throws {
        let id = try NationalID(validating: "11010519491231002X", today: today)
        #expect(id.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(id.sex == .female)
        #expect(id.regionCode == "110105")
        #expect(id.masked == "110105********002X")
    }

    @Test func acceptsLowercaseXAndNormalisesIt() throws {
        #expect(try NationalID(validating: "11010519491231002x", today: today).value == "11010519491231002X")
    }

    @Test func refusesAWrongCheckCharacter() {
        #expect(throws: NationalID.Problem.wrongCheckCharacter(expected: "X", found: "3")) {
            try NationalID(validating: "110105194912310023", today: today)
        }
    }

    @Test(arguments: ["450902194502300011", "450902194513010011", "450902190002290019"])
    func refusesImpossibleBirthDates(_ text: String) {
        // Feb 30th; month 13; 1900 was not a leap year.
        #expect(throws: NationalID.Problem.self) { try NationalID(validating: text, today: today) }
        do { _ = try NationalID(validating: text, today: today) } catch {
            guard case .impossibleBirthDate = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func refusesABirthDateInTheFuture() {
        let id = NationalID.make(regionCode: "450902", birthDate: CalendarDate(year: 2030, month: 1, day: 1)!, sequence: 1)
        #expect(throws: NationalID.Problem.birthDateInFuture("2030-01-01")) {
            try NationalID(validating: id.value, today: today)
        }
    }

    @Test(arguments: ["4509021945", "45090219450101001X1", "45090219450101A01X", "4509021945010100Y1"])
    func refusesMalformedText(_ text: String) {
        #expect(throws: NationalID.Problem.self) { try NationalID(validating: text, today: today) }
    }

    @Test func madeNumbersValidateAndCarryTheirSex() throws {
        let birth = CalendarDate(year: 1940, month: 2, day: 29)!
        for sequence in 0..<200 {
            let made = NationalID.make(regionCode: "450981", birthDate: birth, sequence: sequence)
            let parsed = try NationalID(validating: made.value, today: today)
            #expect(parsed.birthDate == birth)
            #expect(parsed.sex == (sequence % 2 == 1 ? .male : .female))
        }
    }

    @Test func maskingNeverShowsTheMiddle() {
        #expect(NationalID.mask("450902194501010011") == "450902********0011")
        #expect(NationalID.mask("short") == "*****")
    }
}

@Suite("Registering an elder")
struct NewElderTests {
    let now = CalendarDate(year: 2026, month: 11, day: 23)!.asDate

    func elder(_ id: String, birth: CalendarDate? = nil, sex: Sex? = nil, phone: String? = "13800001111") -> NewElder {
        NewElder(
            name: "王秀英", nationalId: id, birthDate: birth, sex: sex, phone: phone, address: "玉林市玉州区",
            location: Coordinates(latitude: 22.6, longitude: 110.1), regionCode: "450902001001",
            livingSituation: .alone, careLevel: .selfCare, categories: [.highAge, .dibao, .highAge])
    }

    @Test func takesBirthDateAndSexFromTheNumber() throws {
        let e = try elder("11010519491231002X").validated(now: now)
        #expect(e.birthDate == CalendarDate(year: 1949, month: 12, day: 31))
        #expect(e.sex == .female)
        #expect(e.categories == [.dibao, .highAge])
        #expect(e.age(on: CalendarDate(date: now)) == 76)
    }

    @Test func refusesABirthDateThatDisagreesWithTheNumber() {
        #expect(throws: ValidationFailure(field: "birthDate", reason: "is 1950-01-01 but the identity number says 1949-12-31")) {
            try elder("11010519491231002X", birth: CalendarDate(year: 1950, month: 1, day: 1)).validated(now: now)
        }
    }

    @Test func refusesASexThatDisagreesWithTheNumber() {
        #expect(throws: ValidationFailure(field: "sex", reason: "is male but the identity number says female")) {
            try elder("11010519491231002X", sex: .male).validated(now: now)
        }
    }

    @Test func reportsEveryBadFieldAtOnce() {
        var bad = elder("110105194912310023", phone: "12345678")
        bad.name = " "
        bad.location = Coordinates(latitude: 200, longitude: 110)
        do {
            _ = try bad.validated(now: now)
            Issue.record("expected a failure")
        } catch {
            #expect(Set(error.issues.map(\.field)) == ["name", "phone", "location.latitude", "nationalId"])
        }
    }

    @Test func patchKeepsWhatItDoesNotName() throws {
        let e = try elder("11010519491231002X").validated(now: now)
        let patched = try ElderPatch(careLevel: .disabled, status: .inactive).applied(to: e, now: now)
        #expect(patched.careLevel == .disabled && patched.status == .inactive)
        #expect(patched.name == e.name && patched.version == e.version + 1)
    }
}

extension CalendarDate {
    /// Midday in China on this day.
    var asDate: Date { Date(timeIntervalSince1970: TimeInterval(daysSinceEpoch * 86400 + 4 * 3600)) }
}
