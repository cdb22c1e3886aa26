import Foundation

/// Who owns an institution and who runs it. The plans count these separately, since a home the
/// government built but a company runs (公建民营) is neither plainly public nor private.
public enum OperatingModel: String, Codable, Sendable, CaseIterable {
    /// 公办: built and run by the government.
    case publicRun = "public"
    /// 民办: built and run privately.
    case privateRun = "private"
    /// 公建民营: built with public money, run by a private operator under contract.
    case publicBuiltPrivatelyRun = "public_built_privately_run"
    /// 民办公助: private, with public support.
    case privateWithPublicAid = "private_with_public_aid"
}

/// How an institution gives its residents medical care.
public enum MedicalService: String, Codable, Sendable, CaseIterable {
    case none
    /// Its own medical room or clinic inside the home.
    case medicalRoom = "medical_room"
    /// A signed agreement with a clinic or hospital nearby.
    case partnerClinic = "partner_clinic"
}

/// What the bureau records about an institution beyond the registry's row (which keeps its name,
/// kind, place, beds and nursing beds). Oversight owns these facts.
public struct InstitutionProfile: Codable, Sendable, Hashable {
    public var institutionId: Int64
    public var operatingModel: OperatingModel
    /// A rural elderly service centre (乡镇/农村养老服务中心), whose staffing the plans ratio against 五保 residents.
    public var ruralCentre: Bool
    /// A comprehensive institution (综合性养老机构), the kind every county should have one of at 200+ beds.
    public var comprehensive: Bool
    /// A facility built with public money in the plan period, counted for the 公建民营 share.
    public var newPublicFacility: Bool
    public var medicalService: MedicalService
    public var rehabilitationPlace: Bool
    public var professionalSocialWorkers: Int
    public var staff: Int
    public var carers: Int
    public var residents: Int
    /// 三无 residents: no income, no ability to work, no one obliged to support them (urban).
    public var sanWuResidents: Int
    /// 五保 residents: the rural government-supported.
    public var wuBaoResidents: Int
    /// 五保 residents who cannot look after themselves.
    public var wuBaoNonSelfCare: Int
    public var constructionSubsidyFen: Int64
    public var operatingSubsidyFenPerMonth: Int64

    public init(
        institutionId: Int64, operatingModel: OperatingModel, ruralCentre: Bool = false, comprehensive: Bool = false,
        newPublicFacility: Bool = false, medicalService: MedicalService = .none, rehabilitationPlace: Bool = false,
        professionalSocialWorkers: Int = 0, staff: Int = 0, carers: Int = 0, residents: Int = 0, sanWuResidents: Int = 0,
        wuBaoResidents: Int = 0, wuBaoNonSelfCare: Int = 0, constructionSubsidyFen: Int64 = 0, operatingSubsidyFenPerMonth: Int64 = 0
    ) {
        self.institutionId = institutionId; self.operatingModel = operatingModel; self.ruralCentre = ruralCentre
        self.comprehensive = comprehensive; self.newPublicFacility = newPublicFacility; self.medicalService = medicalService
        self.rehabilitationPlace = rehabilitationPlace; self.professionalSocialWorkers = professionalSocialWorkers
        self.staff = staff; self.carers = carers; self.residents = residents; self.sanWuResidents = sanWuResidents
        self.wuBaoResidents = wuBaoResidents; self.wuBaoNonSelfCare = wuBaoNonSelfCare
        self.constructionSubsidyFen = constructionSubsidyFen; self.operatingSubsidyFenPerMonth = operatingSubsidyFenPerMonth
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        for (value, field) in [
            (professionalSocialWorkers, "professionalSocialWorkers"), (staff, "staff"), (carers, "carers"),
            (residents, "residents"), (sanWuResidents, "sanWuResidents"), (wuBaoResidents, "wuBaoResidents"),
            (wuBaoNonSelfCare, "wuBaoNonSelfCare"),
        ] {
            v.check(value >= 0 && value <= 100_000, field, "must be between 0 and 100000")
        }
        v.check(carers <= staff, "carers", "must not exceed staff (\(staff)); carers are part of the staff")
        v.check(sanWuResidents + wuBaoResidents <= residents, "residents", "must include the 三无 and 五保 residents")
        v.check(wuBaoNonSelfCare <= wuBaoResidents, "wuBaoNonSelfCare", "must not exceed wuBaoResidents (\(wuBaoResidents))")
        v.check(constructionSubsidyFen >= 0, "constructionSubsidyFen", "must not be negative")
        v.check(operatingSubsidyFenPerMonth >= 0, "operatingSubsidyFenPerMonth", "must not be negative")
        try v.finish()
    }
}

/// What a community (社区) or village (村) offers: the plans want a day-care centre or a rural
/// happiness home in every one, and a rehabilitation place in most urban ones.
public struct CommunityFacility: Codable, Sendable, Hashable {
    /// The community's or village's 12-digit code.
    public var regionCode: String
    public var urban: Bool
    public var dayCareCentre: Bool
    /// 农村幸福院.
    public var happinessHome: Bool
    public var rehabilitationPlace: Bool

    public init(
        regionCode: String, urban: Bool, dayCareCentre: Bool = false, happinessHome: Bool = false, rehabilitationPlace: Bool = false
    ) {
        self.regionCode = regionCode; self.urban = urban; self.dayCareCentre = dayCareCentre
        self.happinessHome = happinessHome; self.rehabilitationPlace = rehabilitationPlace
    }
}

/// The question oversight asks, over the transaction bus, of whoever keeps the carers: how many
/// active carers of providers in a region there are, and how many hold a certificate valid on a
/// day. Nil when no store answers (the indicator then says it is not available).
public struct CertifiedCarersIn: Sendable, Hashable {
    /// Every region whose code starts with this (`4509` for the city, `450902` for a county).
    public var regionPrefix: String
    public var at: CalendarDate

    public init(regionPrefix: String, at: CalendarDate) {
        self.regionPrefix = regionPrefix; self.at = at
    }
}

/// The answer to ``CertifiedCarersIn``.
public struct CarerCertification: Sendable, Hashable, Codable {
    public var carers: Int
    public var certified: Int

    public init(carers: Int, certified: Int) {
        self.carers = carers; self.certified = certified
    }
}

/// The question oversight asks of whoever keeps the emergency calls: how many calls elders of a
/// region made in `[from, to)`, and how many an operator first claimed within 60 s.
public struct EmergencyCallsIn: Sendable, Hashable {
    public var regionPrefix: String
    public var from: Date
    public var to: Date

    public init(regionPrefix: String, from: Date, to: Date) {
        self.regionPrefix = regionPrefix; self.from = from; self.to = to
    }

    /// The quarter up to and including `at`: the span a quarterly return reports.
    public static func quarterToDate(regionPrefix: String, at: CalendarDate) -> EmergencyCallsIn {
        let first = CalendarDate(year: at.year, month: (at.month - 1) / 3 * 3 + 1, day: 1)!
        return EmergencyCallsIn(
            regionPrefix: regionPrefix, from: LocalTime.midnight(first),
            to: LocalTime.midnight(CalendarDate(daysSinceEpoch: at.daysSinceEpoch + 1)))
    }
}

/// The answer to ``EmergencyCallsIn``.
public struct EmergencyCallFigures: Sendable, Hashable, Codable {
    public var calls: Int
    public var claimedWithin60s: Int

    public init(calls: Int, claimedWithin60s: Int) {
        self.calls = calls; self.claimedWithin60s = claimedWithin60s
    }
}
