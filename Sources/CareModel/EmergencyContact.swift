import Foundation

/// How a contact is related to the elder.
public enum Relation: String, Codable, Sendable, CaseIterable {
    case spouse, son, daughter, sonInLaw = "son_in_law", daughterInLaw = "daughter_in_law",
        grandchild, sibling, relative, neighbour, friend, communityWorker = "community_worker",
        volunteer, guardian, other
}

/// Someone to call when the elder raises an alarm. Contacts are called in ``position`` order,
/// starting at 1.
public struct EmergencyContact: Codable, Hashable, Sendable, Identifiable {
    public var id: Int64
    public var elderId: Int64
    public var position: Int
    public var name: String
    public var relation: Relation
    public var phone: String
    /// Whether this person holds a key to the elder's home (so a responder can get in).
    public var hasKey: Bool

    public init(id: Int64, elderId: Int64, position: Int, name: String, relation: Relation, phone: String, hasKey: Bool) {
        self.id = id; self.elderId = elderId; self.position = position; self.name = name
        self.relation = relation; self.phone = phone; self.hasKey = hasKey
    }
}

/// A contact as a client sends it; its position comes from its place in the list.
public struct NewContact: Codable, Sendable, Hashable {
    public var name: String
    public var relation: Relation
    public var phone: String
    public var hasKey: Bool?

    public init(name: String, relation: Relation, phone: String, hasKey: Bool? = nil) {
        self.name = name; self.relation = relation; self.phone = phone; self.hasKey = hasKey
    }

    public func check(into v: inout Validator, prefix: String = "") {
        v.checkText(name, prefix + "name", maxLength: 50)
        v.checkPhone(phone, prefix + "phone")
    }

    /// Validates a whole call list (at most ten contacts).
    public static func validate(_ list: [NewContact], field: String = "contacts") throws(ValidationFailure) {
        var v = Validator()
        v.check(list.count <= 10, field, "may hold at most 10 contacts")
        for (i, c) in list.enumerated() { c.check(into: &v, prefix: "\(field)[\(i)].") }
        try v.finish()
    }
}

/// A partial update of one contact; `position` moves it within the call order.
public struct ContactPatch: Codable, Sendable {
    public var name: String?
    public var relation: Relation?
    public var phone: String?
    public var hasKey: Bool?
    public var position: Int?

    public init(name: String? = nil, relation: Relation? = nil, phone: String? = nil, hasKey: Bool? = nil, position: Int? = nil) {
        self.name = name; self.relation = relation; self.phone = phone; self.hasKey = hasKey; self.position = position
    }

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        if let name { v.checkText(name, "name", maxLength: 50) }
        v.checkPhone(phone, "phone", required: false)
        if let position { v.check(position >= 1, "position", "must be 1 or more") }
        try v.finish()
    }
}
