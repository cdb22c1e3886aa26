public import CareModel

/// What a caller wants of an elder's health data.
public enum HealthUse: Sendable, Equatable {
    /// Read the archive (FHIR reads and searches).
    case read
    /// Create, update or delete records.
    case write
    /// Read only what a booked service needs: allergies and intolerances (meal delivery).
    case serviceNeeds(FHIRResourceType)
}

/// What the archive knows of a caller's relation to one elder, gathered by the store.
public struct HealthRelation: Sendable, Hashable {
    public var elderExists: Bool
    /// The elder agreed to share the archive with health centres and hospitals.
    public var consentToShare: Bool
    /// The caller's institution, for agencies and providers: its name and kind.
    public var institution: String?
    public var institutionKind: InstitutionKind?
    /// The elder lives in the region a community health centre serves.
    public var inServiceArea: Bool
    /// The elder is enrolled with the caller's institution (a hospital's patient).
    public var enrolled: Bool
    /// The caller's provider has a booked service for the elder that needs this data.
    public var bookedService: Bool

    public init(
        elderExists: Bool, consentToShare: Bool, institution: String? = nil, institutionKind: InstitutionKind? = nil,
        inServiceArea: Bool = false, enrolled: Bool = false, bookedService: Bool = false
    ) {
        self.elderExists = elderExists; self.consentToShare = consentToShare; self.institution = institution
        self.institutionKind = institutionKind; self.inServiceArea = inServiceArea; self.enrolled = enrolled
        self.bookedService = bookedService
    }
}

/// Who may see and change which elder's health data, and the reason the audit log records.
/// Pure: the store gathers the facts, the archive calls this, tests call it directly.
///
/// - Agencies (community health centres, hospitals) read and write the records of elders in
///   their service area or enrolled with them, when the elder consented to sharing.
/// - Providers read only what a booked service needs (allergies for meal delivery).
/// - Operators never search the archive: they see a summary on the screen of an open call
///   (``HealthArchive/summary(elderId:callId:by:)``), recorded with the call as the reason.
/// - Administrators may read and correct any record, recorded as such.
public enum ArchiveAccess {
    public static func decide(_ role: Role, _ use: HealthUse, elderId: Int64, _ relation: HealthRelation) -> Result<String, ArchiveRefusal>
    {
        guard relation.elderExists else {
            return .failure(ArchiveRefusal(.notFound, code: "not-found", "Patient/\(elderId): there is no elder \(elderId)"))
        }
        switch role {
        case .admin:
            return .success("administrator")
        case .agency:
            if case .serviceNeeds = use { break }
            guard let institution = relation.institution else {
                return .failure(
                    forbidden(
                        "this agency account is not linked to a health centre or hospital; ask an administrator to set its institution"))
            }
            guard relation.consentToShare else {
                return .failure(forbidden("elder \(elderId) has not consented to sharing their health archive with agencies"))
            }
            if relation.enrolled { return .success("enrolled with \(institution)") }
            if relation.inServiceArea, relation.institutionKind == .communityHealthCentre {
                return .success("service area of \(institution)")
            }
            return .failure(forbidden("Patient/\(elderId) is outside the service area and enrolments of \(institution)"))
        case .provider:
            guard case .serviceNeeds(let type) = use, type == .allergyIntolerance else {
                return .failure(
                    forbidden("providers see only what a booked service needs (allergies, for meal delivery), never the full archive"))
            }
            guard relation.bookedService else {
                return .failure(forbidden("this provider has no booked service for elder \(elderId) that needs their allergies"))
            }
            guard relation.consentToShare else {
                return .failure(forbidden("elder \(elderId) has not consented to sharing their health archive"))
            }
            return .success("booked service of \(relation.institution ?? "provider")")
        default:
            return .failure(
                forbidden(
                    "the \(role.rawValue) role reads no archive; operators see an elder's health summary on the screen of an open call"))
        }
        return .failure(forbidden("agencies read the whole archive within their scope, not a service's view of it"))
    }

    static func forbidden(_ why: String) -> ArchiveRefusal { ArchiveRefusal(.forbidden, code: "forbidden", why) }
}
