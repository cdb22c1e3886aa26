import Foundation

/// Care institutions and service points the platform links.
public enum InstitutionKind: String, Codable, Sendable, CaseIterable {
    case careHome = "care_home"
    case dayCareCentre = "day_care_centre"
    /// 农村幸福院: a village mutual-aid home.
    case ruralHappinessHome = "rural_happiness_home"
    case homeCareCentre = "home_care_centre"
    case communityHealthCentre = "community_health_centre"
    case hospital
    /// The 120 emergency ambulance station.
    case emergency120 = "emergency_120"

    /// Whether beds are part of what this kind of place offers.
    public var hasBeds: Bool { self == .careHome || self == .ruralHappinessHome || self == .hospital }
}

public struct Institution: Codable, Hashable, Sendable, Identifiable {
    public var id: Int64
    public var kind: InstitutionKind
    public var name: String
    public var regionCode: String
    public var address: String
    public var location: Coordinates?
    public var phone: String
    public var beds: Int
    /// Beds with nursing care (护理型床位), a subset of ``beds``.
    public var nursingBeds: Int
    public var status: RecordStatus
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, kind: InstitutionKind, name: String, regionCode: String, address: String,
        location: Coordinates?, phone: String, beds: Int, nursingBeds: Int, status: RecordStatus,
        version: Int, createdAt: Date, updatedAt: Date
    ) {
        self.id = id; self.kind = kind; self.name = name; self.regionCode = regionCode; self.address = address
        self.location = location; self.phone = phone; self.beds = beds; self.nursingBeds = nursingBeds
        self.status = status; self.version = version; self.createdAt = createdAt; self.updatedAt = updatedAt
    }

    static func checkBeds(_ beds: Int, _ nursing: Int, into v: inout Validator) {
        v.check(beds >= 0 && beds <= 100_000, "beds", "must be between 0 and 100000")
        v.check(nursing >= 0, "nursingBeds", "must not be negative")
        v.check(nursing <= beds, "nursingBeds", "must not exceed beds (\(beds))")
    }
}

public struct NewInstitution: Codable, Sendable {
    public var kind: InstitutionKind
    public var name: String
    public var regionCode: String
    public var address: String
    public var location: Coordinates?
    public var phone: String
    public var beds: Int?
    public var nursingBeds: Int?

    public init(
        kind: InstitutionKind, name: String, regionCode: String, address: String, location: Coordinates?,
        phone: String, beds: Int? = nil, nursingBeds: Int? = nil
    ) {
        self.kind = kind; self.name = name; self.regionCode = regionCode; self.address = address
        self.location = location; self.phone = phone; self.beds = beds; self.nursingBeds = nursingBeds
    }

    public func validated(now: Date) throws(ValidationFailure) -> Institution {
        var v = Validator()
        v.checkText(name, "name", maxLength: 100)
        v.checkText(address, "address", maxLength: 300)
        v.checkPhone(phone, "phone")
        v.checkCoordinates(latitude: location?.latitude, longitude: location?.longitude, prefix: "location.")
        let region = RegionCode.normalise(regionCode)
        v.check(RegionCode.isWellFormed(region), "regionCode", "must be a 12-digit statistical division code")
        Institution.checkBeds(beds ?? 0, nursingBeds ?? 0, into: &v)
        try v.finish()
        return Institution(
            id: 0, kind: kind, name: name, regionCode: region, address: address, location: location,
            phone: phone, beds: beds ?? 0, nursingBeds: nursingBeds ?? 0, status: .active,
            version: 1, createdAt: now, updatedAt: now)
    }
}

public struct InstitutionPatch: Codable, Sendable {
    public var name: String?
    public var address: String?
    public var location: Coordinates?
    public var phone: String?
    public var beds: Int?
    public var nursingBeds: Int?
    public var status: RecordStatus?

    public init(
        name: String? = nil, address: String? = nil, location: Coordinates? = nil, phone: String? = nil,
        beds: Int? = nil, nursingBeds: Int? = nil, status: RecordStatus? = nil
    ) {
        self.name = name; self.address = address; self.location = location; self.phone = phone
        self.beds = beds; self.nursingBeds = nursingBeds; self.status = status
    }

    public func applied(to i: Institution, now: Date) throws(ValidationFailure) -> Institution {
        var v = Validator()
        if let name { v.checkText(name, "name", maxLength: 100) }
        if let address { v.checkText(address, "address", maxLength: 300) }
        v.checkPhone(phone, "phone", required: false)
        v.checkCoordinates(latitude: location?.latitude, longitude: location?.longitude, prefix: "location.")
        Institution.checkBeds(beds ?? i.beds, nursingBeds ?? i.nursingBeds, into: &v)
        try v.finish()
        var n = i
        if let name { n.name = name }
        if let address { n.address = address }
        if let location { n.location = location }
        if let phone { n.phone = phone }
        if let beds { n.beds = beds }
        if let nursingBeds { n.nursingBeds = nursingBeds }
        if let status { n.status = status }
        n.version += 1
        n.updatedAt = now
        return n
    }
}
