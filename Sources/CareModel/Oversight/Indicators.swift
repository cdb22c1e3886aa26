import Foundation

/// Everything the plan's indicators are computed from, for one region at one date: read by the
/// oversight store in one transaction, then handed to ``OversightIndicators/compute(_:)``, which
/// is pure so every figure can be checked on a hand-built city.
public struct OversightInput: Sendable, Hashable {
    public struct County: Sendable, Hashable {
        public var code: String
        public var name: String
        /// Elders aged 60 or more on the date.
        public var elders: Int

        public init(code: String, name: String, elders: Int) {
            self.code = code; self.name = name; self.elders = elders
        }
    }

    /// An institution with beds (a care home), with the registry's beds and oversight's profile.
    public struct Home: Sendable, Hashable {
        public var id: Int64
        public var name: String
        public var countyCode: String
        public var beds: Int
        public var nursingBeds: Int
        /// Nil when the bureau has not recorded one yet.
        public var profile: InstitutionProfile?

        public init(id: Int64, name: String, countyCode: String, beds: Int, nursingBeds: Int, profile: InstitutionProfile?) {
            self.id = id; self.name = name; self.countyCode = countyCode; self.beds = beds
            self.nursingBeds = nursingBeds; self.profile = profile
        }
    }

    public struct Community: Sendable, Hashable {
        public var code: String
        public var name: String
        public var countyCode: String
        /// Nil when the bureau has not said whether it is urban or rural.
        public var urban: Bool?
        public var dayCareOrHappinessHome: Bool
        public var rehabilitationPlace: Bool

        public init(code: String, name: String, countyCode: String, urban: Bool?, dayCareOrHappinessHome: Bool, rehabilitationPlace: Bool) {
            self.code = code; self.name = name; self.countyCode = countyCode; self.urban = urban
            self.dayCareOrHappinessHome = dayCareOrHappinessHome; self.rehabilitationPlace = rehabilitationPlace
        }
    }

    public var regionCode: String
    public var at: CalendarDate
    public var counties: [County]
    public var homes: [Home]
    public var communities: [Community]
    /// Nil when no store answered ``CertifiedCarersIn``.
    public var carers: CarerCertification?
    /// The quarter to date; nil when no store answered ``EmergencyCallsIn``.
    public var emergency: EmergencyCallFigures?

    public init(
        regionCode: String, at: CalendarDate, counties: [County], homes: [Home], communities: [Community], carers: CarerCertification?,
        emergency: EmergencyCallFigures? = nil
    ) {
        self.regionCode = regionCode; self.at = at; self.counties = counties; self.homes = homes
        self.communities = communities; self.carers = carers; self.emergency = emergency
    }
}

/// One row of the list behind an indicator: a county, an institution or a community.
public struct IndicatorItem: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable { case county, institution, community }
    public var kind: Kind
    public var id: String
    public var name: String
    /// The item's own figure, when it has one (a county's beds per 1,000; a home's nursing share).
    public var value: Double?
    public var met: Bool?
    /// A word for what needs attention: `land_priority`, `no_elders`, `no_beds`, `no_profile`.
    public var flag: String?

    public init(kind: Kind, id: String, name: String, value: Double? = nil, met: Bool? = nil, flag: String? = nil) {
        self.kind = kind; self.id = id; self.name = name; self.value = value; self.met = met; self.flag = flag
    }
}

/// One of the plan's targets measured: the target, the value, the gap and whether it is met,
/// with the list behind it.
public struct Indicator: Codable, Sendable, Hashable {
    public enum Unit: String, Codable, Sendable { case perThousand = "per_1000", percent, count }
    public var id: String
    public var nameZh: String
    public var nameEn: String
    public var unit: Unit
    public var target: Double
    /// Nil when there is nothing to measure (no elders, no homes) or no one answered.
    public var value: Double?
    /// How far the value falls short of the target (0 when met); nil with the value.
    public var gap: Double?
    public var met: Bool?
    public var available: Bool
    public var note: String?
    public var items: [IndicatorItem]

    public init(
        id: String, nameZh: String, nameEn: String, unit: Unit, target: Double, value: Double?, note: String? = nil,
        available: Bool = true, items: [IndicatorItem] = []
    ) {
        self.id = id; self.nameZh = nameZh; self.nameEn = nameEn; self.unit = unit; self.target = target
        self.value = value.map(Self.rounded)
        self.gap = value.map { Self.rounded(max(0, target - $0)) }
        self.met = value.map { Self.rounded($0) >= target }
        self.available = available; self.note = note; self.items = items
    }

    /// Two decimals: figures are published, so the JSON, the CSV and the report agree digit for digit.
    static func rounded(_ x: Double) -> Double { (x * 100).rounded() / 100 }
}

/// The plan's targets, computed. Every function is pure; the store only gathers the input.
public enum OversightIndicators {
    /// Beds per 1,000 elders under which a county gets priority for land (用地保障).
    public static let landPriorityBelow = 20.0

    public static func compute(_ input: OversightInput) -> [Indicator] {
        [
            bedsPerThousand(input), nursingBedShare(input), communityDayCare(input), urbanRehabilitation(input),
            medicalService(input), socialWorker(input), carersCertified(input), comprehensiveInEveryCounty(input),
            ruralCentres(input), ruralStaffRatio(input), ruralCarerRatio(input), publicBuiltPrivatelyRun(input),
            emergencyResponse(input),
        ]
    }

    static func percent(_ part: Int, _ whole: Int) -> Double? { whole == 0 ? nil : Double(part) * 100 / Double(whole) }

    /// Institution beds per 1,000 elders aged 60+ (≥ 35), each county listed, those under 20 flagged.
    public static func bedsPerThousand(_ input: OversightInput) -> Indicator {
        var beds: [String: Int] = [:]
        for h in input.homes { beds[h.countyCode, default: 0] += h.beds }
        let items = input.counties.map { c -> IndicatorItem in
            let b = beds[c.code] ?? 0
            guard c.elders > 0 else { return IndicatorItem(kind: .county, id: c.code, name: c.name, flag: "no_elders") }
            let v = Double(b) * 1000 / Double(c.elders)
            return IndicatorItem(
                kind: .county, id: c.code, name: c.name, value: Indicator.rounded(v), met: Indicator.rounded(v) >= 35,
                flag: v < landPriorityBelow ? "land_priority" : nil)
        }
        let elders = input.counties.reduce(0) { $0 + $1.elders }
        let total = input.homes.reduce(0) { $0 + $1.beds }
        let needed = Int((Double(elders) * 35 / 1000).rounded(.up))
        return Indicator(
            id: "beds_per_1000", nameZh: "每千名老年人拥有养老机构床位数", nameEn: "Institution beds per 1,000 elders", unit: .perThousand,
            target: 35, value: elders == 0 ? nil : Double(total) * 1000 / Double(elders),
            note: "\(total) beds for \(elders) elders aged 60+; the target needs \(needed)", items: items)
    }

    /// Nursing beds as a share of institution beds (≥ 50%), each home listed.
    public static func nursingBedShare(_ input: OversightInput) -> Indicator {
        let beds = input.homes.reduce(0) { $0 + $1.beds }, nursing = input.homes.reduce(0) { $0 + $1.nursingBeds }
        let items = input.homes.map { h in
            h.beds == 0
                ? IndicatorItem(kind: .institution, id: String(h.id), name: h.name, flag: "no_beds")
                : IndicatorItem(
                    kind: .institution, id: String(h.id), name: h.name, value: percent(h.nursingBeds, h.beds).map(Indicator.rounded),
                    met: h.nursingBeds * 2 >= h.beds)
        }
        return Indicator(
            id: "nursing_bed_share", nameZh: "护理型床位占比", nameEn: "Nursing beds as a share of institution beds", unit: .percent,
            target: 50, value: percent(nursing, beds), items: items)
    }

    /// Communities and villages with a day-care centre or a rural happiness home (all of them); those without listed.
    public static func communityDayCare(_ input: OversightInput) -> Indicator {
        let with = input.communities.filter(\.dayCareOrHappinessHome).count
        let items = input.communities.filter { !$0.dayCareOrHappinessHome }.map {
            IndicatorItem(kind: .community, id: $0.code, name: $0.name, met: false)
        }
        return Indicator(
            id: "community_day_care", nameZh: "社区日间照料中心和农村幸福院覆盖率",
            nameEn: "Communities and villages with a day-care centre or happiness home", unit: .percent, target: 100,
            value: percent(with, input.communities.count), note: "\(with) of \(input.communities.count)", items: items)
    }

    /// Urban communities with a rehabilitation place (≥ 60%); the urban ones without listed.
    public static func urbanRehabilitation(_ input: OversightInput) -> Indicator {
        let urban = input.communities.filter { $0.urban == true }
        let with = urban.filter(\.rehabilitationPlace).count
        let unknown = input.communities.filter { $0.urban == nil }.count
        return Indicator(
            id: "urban_community_rehabilitation", nameZh: "城市社区康复场所覆盖率",
            nameEn: "Urban communities with a rehabilitation place", unit: .percent, target: 60, value: percent(with, urban.count),
            note: "\(with) of \(urban.count) urban communities" + (unknown > 0 ? "; \(unknown) not yet recorded as urban or rural" : ""),
            items: urban.filter { !$0.rehabilitationPlace }.map { IndicatorItem(kind: .community, id: $0.code, name: $0.name, met: false) })
    }

    /// A share of homes meeting a test; homes without a profile count as not meeting it.
    static func homeShare(
        _ input: OversightInput, id: String, zh: String, en: String, target: Double, _ test: (InstitutionProfile) -> Bool
    ) -> Indicator {
        let items = input.homes.map { h in
            IndicatorItem(
                kind: .institution, id: String(h.id), name: h.name, met: h.profile.map(test) ?? false,
                flag: h.profile == nil ? "no_profile" : nil)
        }
        let met = items.filter { $0.met == true }.count
        return Indicator(
            id: id, nameZh: zh, nameEn: en, unit: .percent, target: target, value: percent(met, items.count),
            note: "\(met) of \(items.count) institutions", items: items.filter { $0.met != true })
    }

    public static func medicalService(_ input: OversightInput) -> Indicator {
        homeShare(
            input, id: "institution_medical_service", zh: "养老机构能够提供医疗服务的比例",
            en: "Institutions with a medical room or partner clinic", target: 90
        ) { $0.medicalService != MedicalService.none }
    }

    public static func socialWorker(_ input: OversightInput) -> Indicator {
        homeShare(
            input, id: "institution_social_worker", zh: "养老机构配备专业社会工作者的比例",
            en: "Institutions with a professional social worker", target: 100
        ) { $0.professionalSocialWorkers > 0 }
    }

    /// Carers holding a valid certificate (100%), as the store that keeps the workers answers.
    public static func carersCertified(_ input: OversightInput) -> Indicator {
        let c = input.carers
        return Indicator(
            id: "carers_certified", nameZh: "养老护理员持证上岗率", nameEn: "Carers with a valid certificate", unit: .percent, target: 100,
            value: c.flatMap { percent($0.certified, $0.carers) },
            note: c.map { "\($0.certified) of \($0.carers) carers" } ?? "not available: no service answers for the carers' certificates",
            available: c != nil)
    }

    /// At least one comprehensive institution of 200+ beds in every county.
    public static func comprehensiveInEveryCounty(_ input: OversightInput) -> Indicator {
        let having = Set(input.homes.filter { $0.beds >= 200 && $0.profile?.comprehensive == true }.map(\.countyCode))
        let items = input.counties.map { IndicatorItem(kind: .county, id: $0.code, name: $0.name, met: having.contains($0.code)) }
        return Indicator(
            id: "county_comprehensive_200", nameZh: "每个县（市、区）至少有一所200张床位以上的综合性养老机构",
            nameEn: "Counties with a comprehensive institution of 200+ beds", unit: .percent, target: 100,
            value: percent(items.filter { $0.met == true }.count, items.count), items: items)
    }

    /// Rural elderly service centres of 100+ beds: the share of counties that have one.
    public static func ruralCentres(_ input: OversightInput) -> Indicator {
        let having = Set(input.homes.filter { $0.beds >= 100 && $0.profile?.ruralCentre == true }.map(\.countyCode))
        let items = input.counties.map { IndicatorItem(kind: .county, id: $0.code, name: $0.name, met: having.contains($0.code)) }
        return Indicator(
            id: "rural_centre_100_beds", nameZh: "农村区域性养老服务中心（100张床位以上）", nameEn: "Counties with a rural service centre of 100+ beds",
            unit: .percent, target: 100, value: percent(items.filter { $0.met == true }.count, items.count), items: items)
    }

    /// Rural centres where `staffFor(profile)` staff cover `needing(profile)` residents at `perStaff` each.
    static func ruralRatio(
        _ input: OversightInput, id: String, zh: String, en: String, perStaff: Int, staff: (InstitutionProfile) -> Int,
        needing: (InstitutionProfile) -> Int
    ) -> Indicator {
        let centres = input.homes.filter { $0.profile?.ruralCentre == true }
        let items = centres.map { h -> IndicatorItem in
            let p = h.profile!
            let need = needing(p), have = staff(p)
            // Staff per resident needing care, as a figure a reader compares with 1/perStaff.
            return IndicatorItem(
                kind: .institution, id: String(h.id), name: h.name, value: need == 0 ? nil : Indicator.rounded(Double(have) / Double(need)),
                met: have * perStaff >= need)
        }
        return Indicator(
            id: id, nameZh: zh, nameEn: en, unit: .percent, target: 100,
            value: percent(items.filter { $0.met == true }.count, items.count),
            note: "share of rural centres staffed at 1:\(perStaff) or better", items: items)
    }

    public static func ruralStaffRatio(_ input: OversightInput) -> Indicator {
        ruralRatio(
            input, id: "rural_staff_ratio", zh: "农村养老服务机构工作人员与五保对象比例不低于1:8",
            en: "Rural centres with staff to 五保 residents at 1:8 or better", perStaff: 8, staff: \.staff, needing: \.wuBaoResidents)
    }

    public static func ruralCarerRatio(_ input: OversightInput) -> Indicator {
        ruralRatio(
            input, id: "rural_carer_ratio", zh: "护理人员与生活不能自理五保对象比例不低于1:4",
            en: "Rural centres with carers to non-self-care 五保 residents at 1:4 or better", perStaff: 4, staff: \.carers,
            needing: \.wuBaoNonSelfCare)
    }

    /// New public facilities run as 公建民营: the share, against the plan's wish that most are.
    public static func publicBuiltPrivatelyRun(_ input: OversightInput) -> Indicator {
        let new = input.homes.filter { $0.profile?.newPublicFacility == true }
        let run = new.filter { $0.profile?.operatingModel == .publicBuiltPrivatelyRun }
        return Indicator(
            id: "new_public_privately_run", nameZh: "新建公办养老机构实行公建民营的比例", nameEn: "New public facilities run as 公建民营",
            unit: .percent, target: 50, value: percent(run.count, new.count), note: "\(run.count) of \(new.count) new public facilities",
            items: new.map {
                IndicatorItem(
                    kind: .institution, id: String($0.id), name: $0.name, met: $0.profile?.operatingModel == .publicBuiltPrivatelyRun)
            })
    }

    /// The home-service network's own figure: emergency calls in the quarter to date and the share
    /// an operator claimed within 60 s, as the emergency service answers.
    public static func emergencyResponse(_ input: OversightInput) -> Indicator {
        let e = input.emergency
        return Indicator(
            id: "emergency_claimed_60s", nameZh: "紧急呼叫60秒内响应率", nameEn: "Emergency calls claimed within 60 s", unit: .percent,
            target: 100, value: e.flatMap { percent($0.claimedWithin60s, $0.calls) },
            note: e.map { "\($0.claimedWithin60s) of \($0.calls) calls this quarter to date" }
                ?? "not available: no service answers for the emergency calls",
            available: e != nil)
    }
}

/// The latest birth date of an elder who is 60 or more on `at`: one turning 60 on the date
/// counts. Sixty years apart share leap years (but for 2100), so the same month and day serves.
public func sixtiethBirthdayCutoff(_ at: CalendarDate) -> CalendarDate {
    let year = at.year - 60
    return CalendarDate(year: year, month: at.month, day: min(at.day, CalendarDate.daysIn(month: at.month, year: year)))!
}
