import Foundation

/// Where a home service happens.
public enum ServicePlace: String, Codable, Sendable, CaseIterable {
    /// At the elder's home: the worker travels there and checks in within the radius.
    case home
    /// At a service centre.
    case centre
}

/// What a visit of a service records beyond the six verification elements.
public enum VisitRecordKind: String, Codable, Sendable, CaseIterable {
    /// Time at the elder's home (cleaning, bathing, nursing, companionship, repairs …).
    case visit
    /// A meal handed over, or not: a door not opened is a welfare concern.
    case meal
    /// Proxy shopping: the items, the receipt amount in fen and a photo of the receipt.
    case shopping
}

/// One kind of home service in the catalogue, as configuration describes it.
///
/// ```json
/// {"id":"cleaning","name":"家政保洁","durationMinutes":120,"skill":"housekeeping",
///  "certificate":"housekeeping","place":"home","tariff":"HS-CLEAN","record":"visit"}
/// ```
public struct ServiceType: Codable, Sendable, Hashable, Identifiable {
    /// A short stable name (`cleaning`); bookings and billing refer to the service by it.
    public var id: String
    public var name: String
    public var durationMinutes: Int
    /// The skill a worker needs to be offered this service.
    public var skill: String
    /// The certificate kind a worker must hold, valid on the day, to be assigned; nil when none is needed.
    public var certificate: String?
    public var place: ServicePlace
    /// The tariff reference billing prices the service by.
    public var tariff: String
    public var record: VisitRecordKind

    public init(
        id: String, name: String, durationMinutes: Int, skill: String, certificate: String?, place: ServicePlace,
        tariff: String, record: VisitRecordKind = .visit
    ) {
        self.id = id; self.name = name; self.durationMinutes = durationMinutes; self.skill = skill
        self.certificate = certificate; self.place = place; self.tariff = tariff; self.record = record
    }

    public var duration: TimeInterval { TimeInterval(durationMinutes * 60) }
}

/// The service catalogue: every service that can be booked. It comes from configuration
/// (`Config/services.json`), so a county adds a service without code.
public struct ServiceCatalogue: Sendable, Hashable {
    public let services: [ServiceType]
    private let byId: [String: ServiceType]

    public init(_ services: [ServiceType]) throws(ValidationFailure) {
        var v = Validator()
        var seen: Set<String> = []
        for (i, s) in services.enumerated() {
            let at = "services[\(i)]."
            v.check(
                !s.id.isEmpty && s.id.count <= 40
                    && s.id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") },
                at + "id", "must be 1 to 40 letters, digits, '-' or '_'")
            v.check(seen.insert(s.id).inserted, at + "id", "'\(s.id)' appears twice")
            v.checkText(s.name, at + "name", maxLength: 40)
            v.check((5...24 * 60).contains(s.durationMinutes), at + "durationMinutes", "must be from 5 to 1440")
            v.checkText(s.skill, at + "skill", maxLength: 40)
            v.checkText(s.tariff, at + "tariff", maxLength: 40)
        }
        v.check(!services.isEmpty, "services", "must list at least one service")
        try v.finish()
        self.services = services
        self.byId = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) })
    }

    public subscript(id: String) -> ServiceType? { byId[id] }

    /// Reads `{"services":[…]}`.
    public init(decodingJSON data: Data) throws(ValidationFailure) {
        struct File: Decodable { var services: [ServiceType] }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ValidationFailure(field: "services", reason: "is not a valid service catalogue: \(error)")
        }
        try self.init(file.services)
    }

    public static func == (a: ServiceCatalogue, b: ServiceCatalogue) -> Bool { a.services == b.services }
    public func hash(into h: inout Hasher) { h.combine(services) }

    /// The compiled-in copy of `Config/services.json` (a test keeps the two identical).
    public static let standard: ServiceCatalogue = {
        let s: [ServiceType] = [
            ServiceType(
                id: "cleaning", name: "家政保洁", durationMinutes: 120, skill: "housekeeping", certificate: "housekeeping",
                place: .home, tariff: "HS-CLEAN"),
            ServiceType(
                id: "laundry", name: "洗衣", durationMinutes: 60, skill: "housekeeping", certificate: "housekeeping",
                place: .home, tariff: "HS-LAUNDRY"),
            ServiceType(
                id: "meal", name: "老年供餐", durationMinutes: 30, skill: "meal_delivery", certificate: "food_handler",
                place: .home, tariff: "MEAL", record: .meal),
            ServiceType(
                id: "bathing", name: "助浴与个人护理", durationMinutes: 90, skill: "personal_care", certificate: "care_worker",
                place: .home, tariff: "PC-BATH"),
            ServiceType(
                id: "rehab_nursing", name: "康复护理", durationMinutes: 60, skill: "rehabilitation", certificate: "nurse",
                place: .home, tariff: "NURSE-REHAB"),
            ServiceType(
                id: "companionship", name: "陪伴", durationMinutes: 120, skill: "companionship", certificate: nil,
                place: .home, tariff: "COMPANION"),
            ServiceType(
                id: "repair", name: "水电维修", durationMinutes: 90, skill: "repair", certificate: "electrician",
                place: .home, tariff: "REPAIR"),
            ServiceType(
                id: "shopping", name: "物品代购", durationMinutes: 60, skill: "errands", certificate: nil,
                place: .home, tariff: "SHOP", record: .shopping),
            ServiceType(
                id: "health_consultation", name: "上门健康咨询", durationMinutes: 45, skill: "health_consultation",
                certificate: "medical_practitioner", place: .home, tariff: "HEALTH-HOME"),
        ]
        // The list above is valid by construction; a test decodes Config/services.json into the same.
        return try! ServiceCatalogue(s)
    }()
}
