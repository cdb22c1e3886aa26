import Foundation

public enum Sex: String, Codable, Sendable, CaseIterable { case male, female }

/// Who the elder lives with; living alone raises the priority of their alarms.
public enum LivingSituation: String, Codable, Sendable, CaseIterable {
    case alone, withSpouse = "with_spouse", withFamily = "with_family"
}

/// The assessed ability to look after oneself (自理, 半失能, 失能).
public enum CareLevel: String, Codable, Sendable, CaseIterable {
    case selfCare = "self_care", semiDisabled = "semi_disabled", disabled
}

/// The subsidy groups an elder may belong to; several at once.
public enum SubsidyCategory: String, Codable, Sendable, CaseIterable {
    /// 三无: no income, no ability to work, no one obliged to support them.
    case sanwu
    /// 五保: rural five-guarantees household.
    case wubao
    /// 低保: minimum living allowance.
    case dibao
    case lowIncome = "low_income"
    case disabled
    /// 80 years or older: the high-age allowance.
    case highAge = "high_age"

    /// Bit used to store a set of categories in one integer column.
    public var bit: Int { 1 << SubsidyCategory.allCases.firstIndex(of: self)! }

    public static func mask(_ set: some Sequence<SubsidyCategory>) -> Int { set.reduce(0) { $0 | $1.bit } }
    public static func set(fromMask mask: Int) -> [SubsidyCategory] { allCases.filter { mask & $0.bit != 0 } }
}

/// What the elder (or guardian) agreed to.
public struct Consent: Codable, Hashable, Sendable {
    /// Share the health archive with community health centres and hospitals.
    public var shareHealthArchive: Bool
    /// Use device location during emergencies.
    public var useLocation: Bool
    /// Tell family contacts about alarms and visits.
    public var notifyFamily: Bool

    public init(shareHealthArchive: Bool = false, useLocation: Bool = true, notifyFamily: Bool = true) {
        self.shareHealthArchive = shareHealthArchive
        self.useLocation = useLocation
        self.notifyFamily = notifyFamily
    }
}

public enum RecordStatus: String, Codable, Sendable, CaseIterable { case active, inactive }

/// A point on the map (WGS-84 degrees).
public struct Coordinates: Codable, Hashable, Sendable {
    public var latitude: Double
    public var longitude: Double
    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}

/// An elder in the registry.
public struct Elder: Codable, Hashable, Sendable, Identifiable {
    public var id: Int64
    public var name: String
    /// The full number; the API masks it for roles without ``Permission/viewFullNationalID``.
    public var nationalId: String
    public var birthDate: CalendarDate
    public var sex: Sex
    public var phone: String?
    public var address: String
    public var location: Coordinates?
    public var regionCode: String
    public var livingSituation: LivingSituation
    public var careLevel: CareLevel
    public var categories: [SubsidyCategory]
    public var consent: Consent
    public var status: RecordStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, name: String, nationalId: String, birthDate: CalendarDate, sex: Sex, phone: String?,
        address: String, location: Coordinates?, regionCode: String, livingSituation: LivingSituation,
        careLevel: CareLevel, categories: [SubsidyCategory], consent: Consent, status: RecordStatus,
        version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id; self.name = name; self.nationalId = nationalId; self.birthDate = birthDate; self.sex = sex
        self.phone = phone; self.address = address; self.location = location; self.regionCode = regionCode
        self.livingSituation = livingSituation; self.careLevel = careLevel; self.categories = categories
        self.consent = consent; self.status = status; self.version = version
        self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    /// Age in whole years on `day`.
    public func age(on day: CalendarDate) -> Int { birthDate.years(until: day) }

    /// A copy whose identity number shows only its first six and last four characters.
    public var masked: Elder {
        var copy = self
        copy.nationalId = NationalID.mask(nationalId)
        return copy
    }
}

/// The fields a client sends to register an elder.
public struct NewElder: Codable, Sendable {
    public var name: String
    public var nationalId: String
    /// Optional: when given it must match the date inside the identity number.
    public var birthDate: CalendarDate?
    /// Optional: when given it must match the sex the identity number encodes.
    public var sex: Sex?
    public var phone: String?
    public var address: String
    public var location: Coordinates?
    public var regionCode: String
    public var livingSituation: LivingSituation
    public var careLevel: CareLevel
    public var categories: [SubsidyCategory]?
    public var consent: Consent?

    public init(
        name: String, nationalId: String, birthDate: CalendarDate? = nil, sex: Sex? = nil, phone: String?,
        address: String, location: Coordinates?, regionCode: String, livingSituation: LivingSituation,
        careLevel: CareLevel, categories: [SubsidyCategory]? = nil, consent: Consent? = nil
    ) {
        self.name = name; self.nationalId = nationalId; self.birthDate = birthDate; self.sex = sex
        self.phone = phone; self.address = address; self.location = location; self.regionCode = regionCode
        self.livingSituation = livingSituation; self.careLevel = careLevel; self.categories = categories
        self.consent = consent
    }

    /// Checks every field and returns the elder to store (id, version and times are the store's).
    public func validated(now: Date) throws(ValidationFailure) -> Elder {
        var v = Validator()
        v.checkText(name, "name", maxLength: 50)
        v.checkText(address, "address", maxLength: 300)
        v.checkPhone(phone, "phone", required: false)
        v.checkCoordinates(latitude: location?.latitude, longitude: location?.longitude, prefix: "location.")
        let region = RegionCode.normalise(regionCode)
        v.check(RegionCode.isWellFormed(region), "regionCode", "must be a 12-digit statistical division code")
        var id: NationalID?
        do {
            id = try NationalID(validating: nationalId, today: now)
        } catch {
            v.add("nationalId", error.reason)
        }
        if let id {
            if let birthDate, birthDate != id.birthDate {
                v.add("birthDate", "is \(birthDate) but the identity number says \(id.birthDate)")
            }
            if let sex, sex != id.sex {
                v.add("sex", "is \(sex.rawValue) but the identity number says \(id.sex.rawValue)")
            }
        }
        try v.finish()
        let valid = id!
        return Elder(
            id: 0, name: name.trimmingCharacters(in: .whitespaces), nationalId: valid.value,
            birthDate: valid.birthDate, sex: valid.sex, phone: phone, address: address, location: location,
            regionCode: region, livingSituation: livingSituation, careLevel: careLevel,
            categories: SubsidyCategory.set(fromMask: SubsidyCategory.mask(categories ?? [])),
            consent: consent ?? Consent(), status: .active, version: 1, createdAt: now, updatedAt: now)
    }
}

/// A partial update of an elder: absent fields keep their value. The identity number and the
/// birth date it encodes never change; a wrong number is corrected by registering anew.
public struct ElderPatch: Codable, Sendable {
    public var name: String?
    public var phone: String?
    public var address: String?
    public var location: Coordinates?
    public var regionCode: String?
    public var livingSituation: LivingSituation?
    public var careLevel: CareLevel?
    public var categories: [SubsidyCategory]?
    public var consent: Consent?
    /// `inactive` deactivates the elder: the way to retire a record that has history.
    public var status: RecordStatus?

    public init(
        name: String? = nil, phone: String? = nil, address: String? = nil, location: Coordinates? = nil,
        regionCode: String? = nil, livingSituation: LivingSituation? = nil, careLevel: CareLevel? = nil,
        categories: [SubsidyCategory]? = nil, consent: Consent? = nil, status: RecordStatus? = nil
    ) {
        self.name = name; self.phone = phone; self.address = address; self.location = location
        self.regionCode = regionCode; self.livingSituation = livingSituation; self.careLevel = careLevel
        self.categories = categories; self.consent = consent; self.status = status
    }

    /// Applies the patch to `elder`, checking each given field.
    public func applied(to elder: Elder, now: Date) throws(ValidationFailure) -> Elder {
        var v = Validator()
        if let name { v.checkText(name, "name", maxLength: 50) }
        if let address { v.checkText(address, "address", maxLength: 300) }
        v.checkPhone(phone, "phone", required: false)
        v.checkCoordinates(latitude: location?.latitude, longitude: location?.longitude, prefix: "location.")
        let region = regionCode.map(RegionCode.normalise)
        if let region { v.check(RegionCode.isWellFormed(region), "regionCode", "must be a 12-digit statistical division code") }
        try v.finish()
        var e = elder
        if let name { e.name = name.trimmingCharacters(in: .whitespaces) }
        if let phone { e.phone = phone }
        if let address { e.address = address }
        if let location { e.location = location }
        if let region { e.regionCode = region }
        if let livingSituation { e.livingSituation = livingSituation }
        if let careLevel { e.careLevel = careLevel }
        if let categories { e.categories = SubsidyCategory.set(fromMask: SubsidyCategory.mask(categories)) }
        if let consent { e.consent = consent }
        if let status { e.status = status }
        e.version += 1
        e.updatedAt = now
        return e
    }
}
