import Foundation

/// Who can be sent to an elder. Operators escalate in about this order: family first (they
/// hold keys), then the community, then paid help, then 120.
public enum ResponderKind: String, Codable, Sendable, CaseIterable {
    /// One of the elder's ``EmergencyContact``s; ``ResponderAssignment/referenceId`` is the contact id.
    case emergencyContact = "emergency_contact"
    /// Staff of the elder's residents' committee or street office (社区工作人员).
    case communityWorker = "community_worker"
    case volunteer
    /// A home-service provider's worker; ``ResponderAssignment/referenceId`` may name the institution.
    case providerWorker = "provider_worker"
    /// The emergency medical service, called on 120.
    case ambulance120 = "ambulance_120"

    /// Short names for consoles, Chinese first.
    public var label: (chinese: String, english: String) {
        switch self {
        case .emergencyContact: ("紧急联系人", "Emergency contact")
        case .communityWorker: ("社区工作人员", "Community worker")
        case .volunteer: ("志愿者", "Volunteer")
        case .providerWorker: ("服务商人员", "Provider worker")
        case .ambulance120: ("120急救", "Ambulance (120)")
        }
    }
}

/// Where one responder stands. Each responder on a call moves on their own:
///
/// ```
/// assigned ──▶ on_the_way ──▶ on_scene ──▶ done
///    │  │           │            ▲
///    │  └───────────┼────────────┘
///    └──────────────┴──▶ declined
/// ```
///
/// A step may be skipped forwards from `assigned` to `on_scene` (a neighbour who lives next door
/// is there before anyone can say "on the way"), but nothing moves backwards, and `done` and
/// `declined` are final. A responder the operator calls off before they arrive is `declined`,
/// with a note saying why.
public enum ResponderStatus: String, Codable, Sendable, CaseIterable {
    /// Asked to go; has not said yet that they are moving.
    case assigned
    case onTheWay = "on_the_way"
    case onScene = "on_scene"
    /// Finished at the scene.
    case done
    /// Will not or cannot go, or was called off.
    case declined

    /// The statuses this one may move to, in lifecycle order.
    public var next: [ResponderStatus] {
        switch self {
        case .assigned: [.onTheWay, .onScene, .declined]
        case .onTheWay: [.onScene, .declined]
        case .onScene: [.done]
        case .done, .declined: []
        }
    }

    public func canMove(to status: ResponderStatus) -> Bool { next.contains(status) }

    /// Sent but not there yet: the on-scene deadline runs for them.
    public var isPending: Bool { self == .assigned || self == .onTheWay }

    /// Still part of the response: not declined and not finished.
    public var isActive: Bool { self == .assigned || self == .onTheWay || self == .onScene }
}

/// One responder as the operator asks for them, in the body of a `dispatch` action.
///
/// ```json
/// {"kind":"emergency_contact","name":"李娟","phone":"13807751234","referenceId":5531}
/// ```
public struct ResponderAssignment: Codable, Sendable, Hashable {
    public var kind: ResponderKind
    public var name: String
    public var phone: String?
    /// What the responder is in the registry, when they are in it: the contact id for an
    /// emergency contact, the account or institution id for others. Lets a contact be sent only once.
    public var referenceId: Int64?

    public init(kind: ResponderKind, name: String, phone: String? = nil, referenceId: Int64? = nil) {
        self.kind = kind; self.name = name; self.phone = phone; self.referenceId = referenceId
    }
}

/// A responder on a call, with their own status.
///
/// ```json
/// {"id":2,"kind":"community_worker","name":"黄建国","phone":"13977512345","status":"on_scene",
///  "assignedAt":"2026-11-23T02:14:05Z","updatedAt":"2026-11-23T02:26:40Z","onSceneAt":"2026-11-23T02:26:40Z"}
/// ```
public struct Responder: Codable, Sendable, Hashable, Identifiable {
    /// 1, 2, 3… within the call, in the order they were dispatched.
    public var id: Int
    public var kind: ResponderKind
    public var name: String
    public var phone: String?
    public var referenceId: Int64?
    public var status: ResponderStatus
    /// When they were dispatched; the on-scene deadline runs from here.
    public var assignedAt: Date
    /// When their status last changed.
    public var updatedAt: Date
    /// When they reached the elder, kept for the time-to-arrival figure.
    public var onSceneAt: Date?

    public init(
        id: Int, kind: ResponderKind, name: String, phone: String? = nil, referenceId: Int64? = nil,
        status: ResponderStatus, assignedAt: Date, updatedAt: Date, onSceneAt: Date? = nil
    ) {
        self.id = id; self.kind = kind; self.name = name; self.phone = phone; self.referenceId = referenceId
        self.status = status; self.assignedAt = assignedAt; self.updatedAt = updatedAt; self.onSceneAt = onSceneAt
    }

    /// A freshly dispatched responder.
    public init(id: Int, assignment: ResponderAssignment, at: Date) {
        self.init(
            id: id, kind: assignment.kind, name: assignment.name, phone: assignment.phone,
            referenceId: assignment.referenceId, status: .assigned, assignedAt: at, updatedAt: at)
    }
}
