import CareModel
import Foundation
import Testing

/// A hand-built city whose every figure is worked out by hand below.
///
/// - Yuzhou (450902): 2,000 elders; homes A (300 beds, 200 nursing, comprehensive, medical room,
///   social worker) and B (100 beds, 20 nursing, no profile). 400 beds → 200 per 1,000.
/// - Fumian (450903): 1,000 elders; home C (0 beds, rural centre: 8 staff, 2 carers, 70 五保,
///   10 not self-care). 0 per 1,000 → land priority.
/// - Beiliu (450981): no elders, no homes.
/// - Communities: two urban in Yuzhou (one with day care and rehab, one with nothing), one rural
///   village in Fumian with a happiness home, one not yet recorded.
enum HandBuiltCity {
    static let yuzhou = "450902000000", fumian = "450903000000", beiliu = "450981000000"

    static var input: OversightInput {
        OversightInput(
            regionCode: "450900000000", at: CalendarDate(iso: "2026-12-31")!,
            counties: [
                .init(code: yuzhou, name: "玉州区", elders: 2000), .init(code: fumian, name: "福绵区", elders: 1000),
                .init(code: beiliu, name: "北流市", elders: 0),
            ],
            homes: [
                .init(
                    id: 1, name: "A", countyCode: yuzhou, beds: 300, nursingBeds: 200,
                    profile: InstitutionProfile(
                        institutionId: 1, operatingModel: .publicBuiltPrivatelyRun, comprehensive: true, newPublicFacility: true,
                        medicalService: .medicalRoom, professionalSocialWorkers: 1, staff: 60, carers: 40)),
                .init(id: 2, name: "B", countyCode: yuzhou, beds: 100, nursingBeds: 20, profile: nil),
                .init(
                    id: 3, name: "C", countyCode: fumian, beds: 0, nursingBeds: 0,
                    profile: InstitutionProfile(
                        institutionId: 3, operatingModel: .publicRun, ruralCentre: true, newPublicFacility: true,
                        medicalService: .partnerClinic, staff: 8, carers: 2, residents: 70, wuBaoResidents: 70, wuBaoNonSelfCare: 10)),
            ],
            communities: [
                .init(
                    code: "450902001001", name: "大南社区", countyCode: yuzhou, urban: true, dayCareOrHappinessHome: true,
                    rehabilitationPlace: true),
                .init(
                    code: "450902001002", name: "小北社区", countyCode: yuzhou, urban: true, dayCareOrHappinessHome: false,
                    rehabilitationPlace: false),
                .init(
                    code: "450903101201", name: "六龙村", countyCode: fumian, urban: false, dayCareOrHappinessHome: true,
                    rehabilitationPlace: false),
                .init(
                    code: "450903101202", name: "新村", countyCode: fumian, urban: nil, dayCareOrHappinessHome: false,
                    rehabilitationPlace: false),
            ],
            carers: CarerCertification(carers: 8, certified: 6))
    }

    static func indicator(_ id: String, _ input: OversightInput = input) -> Indicator {
        OversightIndicators.compute(input).first { $0.id == id }!
    }
}

@Suite("Oversight indicators on a hand-built city")
struct OversightIndicatorTests {
    @Test func bedsPerThousandFlagsLandPriorityAndSkipsACountyWithoutElders() {
        let i = HandBuiltCity.indicator("beds_per_1000")
        #expect(i.value == 133.33)  // 400 beds for 3,000 elders
        #expect(i.met == true && i.gap == 0)
        #expect(i.note == "400 beds for 3000 elders aged 60+; the target needs 105")
        #expect(i.items.map(\.value) == [200, 0, nil])
        #expect(i.items.map(\.flag) == [nil, "land_priority", "no_elders"])
        #expect(i.items.map(\.met) == [true, false, nil])
    }

    @Test func aCityWithNoEldersHasNoBedFigure() {
        var input = HandBuiltCity.input
        input.counties = input.counties.map {
            var c = $0; c.elders = 0; return c
        }
        let i = HandBuiltCity.indicator("beds_per_1000", input)
        #expect(i.value == nil && i.met == nil && i.gap == nil)
    }

    @Test func nursingShareSkipsAHomeWithoutBeds() {
        let i = HandBuiltCity.indicator("nursing_bed_share")
        #expect(i.value == 55)  // 220 of 400
        #expect(i.met == true)
        #expect(i.items.map(\.value) == [66.67, 20, nil])
        #expect(i.items.map(\.flag) == [nil, nil, "no_beds"])
    }

    @Test func communities() {
        let dayCare = HandBuiltCity.indicator("community_day_care")
        #expect(dayCare.value == 50 && dayCare.gap == 50 && dayCare.met == false)
        #expect(dayCare.items.map(\.id) == ["450902001002", "450903101202"])
        let rehab = HandBuiltCity.indicator("urban_community_rehabilitation")
        #expect(rehab.value == 50 && rehab.gap == 10 && rehab.met == false)
        #expect(rehab.note == "1 of 2 urban communities; 1 not yet recorded as urban or rural")
    }

    @Test func homesWithoutAProfileCountAsNotMeeting() {
        let medical = HandBuiltCity.indicator("institution_medical_service")
        #expect(medical.value == 66.67 && medical.met == false)
        #expect(medical.items.map(\.flag) == ["no_profile"])
        let social = HandBuiltCity.indicator("institution_social_worker")
        #expect(social.value == 33.33)
        #expect(Set(social.items.map(\.id)) == ["2", "3"])
    }

    @Test func carersComeFromTheAnswerOrAreNotAvailable() {
        #expect(HandBuiltCity.indicator("carers_certified").value == 75)
        var input = HandBuiltCity.input
        input.carers = nil
        let none = HandBuiltCity.indicator("carers_certified", input)
        #expect(none.available == false && none.value == nil && none.met == nil)
    }

    @Test func countyLevelTargets() {
        let comprehensive = HandBuiltCity.indicator("county_comprehensive_200")
        #expect(comprehensive.items.map(\.met) == [true, false, false])
        #expect(comprehensive.value == 33.33)
        // C is a rural centre but has no beds recorded, so no county has one of 100+.
        #expect(HandBuiltCity.indicator("rural_centre_100_beds").value == 0)
    }

    @Test func ruralStaffingRatios() {
        let staff = HandBuiltCity.indicator("rural_staff_ratio")  // 8 staff × 8 = 64 < 70
        #expect(staff.value == 0 && staff.items.first?.met == false)
        let carers = HandBuiltCity.indicator("rural_carer_ratio")  // 2 carers × 4 = 8 < 10
        #expect(carers.value == 0)
        var input = HandBuiltCity.input
        input.homes[2].profile?.staff = 9
        input.homes[2].profile?.carers = 3
        #expect(HandBuiltCity.indicator("rural_staff_ratio", input).value == 100)
        #expect(HandBuiltCity.indicator("rural_carer_ratio", input).value == 100)
    }

    @Test func publicBuiltPrivatelyRunShare() {
        let i = HandBuiltCity.indicator("new_public_privately_run")
        #expect(i.value == 50 && i.met == true)
    }

    @Test func emergencyFiguresComeFromTheAnswerOrAreNotAvailable() {
        #expect(HandBuiltCity.indicator("emergency_claimed_60s").available == false)
        var input = HandBuiltCity.input
        input.emergency = EmergencyCallFigures(calls: 40, claimedWithin60s: 38)
        let i = HandBuiltCity.indicator("emergency_claimed_60s", input)
        #expect(i.value == 95 && i.gap == 5 && i.met == false)
        input.emergency = EmergencyCallFigures(calls: 0, claimedWithin60s: 0)
        #expect(HandBuiltCity.indicator("emergency_claimed_60s", input).value == nil)
        let q = EmergencyCallsIn.quarterToDate(regionPrefix: "4509", at: CalendarDate(iso: "2026-11-15")!)
        #expect(q.from == LocalTime.midnight(CalendarDate(iso: "2026-10-01")!))
        #expect(q.to == LocalTime.midnight(CalendarDate(iso: "2026-11-16")!))
    }

    @Test func anElderTurningSixtyOnTheDayCounts() {
        #expect(sixtiethBirthdayCutoff(CalendarDate(iso: "2026-12-31")!) == CalendarDate(iso: "1966-12-31")!)
        // Born 29 February 1964: sixty on 29 February 2024, not the day before.
        #expect(sixtiethBirthdayCutoff(CalendarDate(iso: "2024-02-28")!) == CalendarDate(iso: "1964-02-28")!)
        #expect(sixtiethBirthdayCutoff(CalendarDate(iso: "2024-02-29")!) == CalendarDate(iso: "1964-02-29")!)
    }
}

@Suite("Rectification and grading")
struct OversightGradingTests {
    @Test func deadlinesFollowSeverity() {
        let day = CalendarDate(iso: "2026-11-02")!
        #expect(RectificationRule.days(.serious, .widespread) == 3)
        #expect(RectificationRule.days(.serious, .isolated) == 7)
        #expect(RectificationRule.days(.major, .pattern) == 30)
        #expect(RectificationRule.days(.minor, .widespread) == 60)
        // The end of the seventh day, local time: midnight starting 10 November (UTC+8).
        #expect(RectificationRule.deadline(inspectedOn: day, .serious, .isolated) == LocalTime.midnight(CalendarDate(iso: "2026-11-10")!))
    }

    static func scores(_ s: Double, _ overrides: [InspectionDomain: Double] = [:]) -> [InspectionDomain: Double] {
        var all = Dictionary(uniqueKeysWithValues: InspectionDomain.allCases.map { ($0, s) })
        for (k, v) in overrides { all[k] = v }
        return all
    }

    @Test func fiveLevelsFromTheTotalWithMinimums() {
        #expect(Grading.grade(Self.scores(95)).level == 5)
        #expect(Grading.grade(Self.scores(85)).level == 4)
        #expect(Grading.grade(Self.scores(75)) == GradeResult(level: 3, total: 75, limitedBy: "total"))
        #expect(Grading.grade(Self.scores(40, [.safetyClauses: 60])).level == 1)
        // A high average with one weak domain: the minimum holds it down.
        let weak = Grading.grade(Self.scores(98, [.foodSafety: 65]))
        #expect(weak.total == 91.4)
        #expect(weak.level == 3 && weak.limitedBy == "food_safety")
    }

    @Test func failingTheSafetyClausesGivesNoGrade() {
        let r = Grading.grade(Self.scores(95, [.safetyClauses: 50]))
        #expect(r.level == nil && r.limitedBy == "gb38600")
    }

    @Test func returnPeriods() {
        #expect(ReturnPeriod("2026-Q4")?.lastDay == CalendarDate(iso: "2026-12-31")!)
        #expect(ReturnPeriod("2027-Q1")?.lastDay == CalendarDate(iso: "2027-03-31")!)
        #expect(ReturnPeriod("2026-Q5") == nil)
        #expect(ReturnPeriod("2026Q4") == nil)
    }
}
