/// The roles an account can hold. Each role may use only the routes its permissions allow.
public enum Role: String, Codable, Sendable, CaseIterable {
    /// Runs the platform: every registry change, accounts and tokens.
    case admin
    /// Leads a shift: reads everything operators read, edits elders, contacts and devices.
    case supervisor
    /// Handles calls at the care centre: reads the registry, keeps contacts current.
    case `operator`
    /// A home-service provider: reads regions and institutions, and the allergies of elders it
    /// has a booked meal service for (bookings add more).
    case provider
    /// A community health centre or hospital: reads elders (with full identity numbers, to
    /// match archives), regions and institutions; reads and writes the health archives of the
    /// elders it serves.
    case agency
    /// An inspector from the civil-affairs or finance bureau: reads everything, changes nothing.
    case auditor
    /// A home-service worker or volunteer: checks in and out of their own visits from a phone.
    case worker
    /// The civil-affairs bureau's oversight officer (民政局): reads the registry and the plan's
    /// indicators city-wide, records institutions' profiles, inspections and grades, freezes returns.
    case bureau

    /// What this role may do. The one table of who may do what; Docs/api/roles.md mirrors it.
    public var permissions: Set<Permission> {
        switch self {
        case .admin: Set(Permission.allCases)
        case .supervisor:
            [
                .readRegistry, .readElders, .viewFullNationalID, .writeElders, .writeContacts,
                .readDevices, .writeDevices, .readAccounts, .readCalls, .handleCalls, .readReports,
                .manageNotifications, .readConsultations, .askConsultations, .readBookings, .writeBookings,
                .readBilling, .readSettlements, .recordPayments,
            ]
        case .operator:
            [
                .readRegistry, .readElders, .writeContacts, .readDevices, .readCalls, .handleCalls, .readConsultations,
                .askConsultations, .readBookings, .writeBookings, .recordPayments,
            ]
        case .provider: [.readRegistry, .readHealth, .readBookings, .writeBookings, .manageWorkers, .readSettlements]
        case .agency:
            [
                .readRegistry, .readElders, .viewFullNationalID, .readHealth, .writeHealth, .readConsultations, .answerConsultations,
                .syncHealth,
            ]
        case .auditor:
            [
                .readRegistry, .readElders, .readDevices, .readAccounts, .readAudit, .readCalls, .readReports, .readBookings,
                .readBilling, .readSettlements, .readOversight,
            ]
        case .worker: [.performVisits]
        case .bureau: [.readRegistry, .readReports, .readOversight, .writeOversight]
        }
    }

    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }
}

/// One thing a route needs its caller to be allowed to do.
public enum Permission: String, Codable, Sendable, CaseIterable {
    /// Regions and institutions.
    case readRegistry = "read_registry"
    case writeRegistry = "write_registry"
    case readElders = "read_elders"
    case writeElders = "write_elders"
    /// See identity numbers unmasked.
    case viewFullNationalID = "view_full_national_id"
    case writeContacts = "write_contacts"
    case readDevices = "read_devices"
    case writeDevices = "write_devices"
    case readAccounts = "read_accounts"
    case manageAccounts = "manage_accounts"
    case readAudit = "read_audit"
    /// The emergency call queue and call details.
    case readCalls = "read_calls"
    /// Claim, dispatch, resolve and follow up emergency calls.
    case handleCalls = "handle_calls"
    /// Service-level reports (emergency response times, outcomes, workload).
    case readReports = "read_reports"
    /// The notification log, dead letters and requeueing them.
    case manageNotifications = "manage_notifications"
    /// The FHIR health archive, within the caller's scope (the archive decides which elders).
    case readHealth = "read_health"
    /// Create, update and delete archive records, within the caller's scope.
    case writeHealth = "write_health"
    /// Keep an agency's own copy of the archives it serves in step (`/v1/sync/…`).
    case syncHealth = "sync_health"
    /// Health consultations: agencies see the ones routed to them.
    case readConsultations = "read_consultations"
    /// Log an elder's or family's health question (an operator taking a phone call).
    case askConsultations = "ask_consultations"
    /// Answer a consultation routed to the caller's health centre.
    case answerConsultations = "answer_consultations"
    /// Bookings, visits, providers, workers and availability (a provider sees its own).
    case readBookings = "read_bookings"
    /// Book, reschedule, cancel and assign; correct visits and record feedback.
    case writeBookings = "write_bookings"
    /// Register workers, their certificates and leave (a provider, its own); admins register providers.
    case manageWorkers = "manage_workers"
    /// Check in and out of one's own visits (the worker's phone).
    case performVisits = "perform_visits"
    /// Billing: tariffs, entitlements, charges, the ledger, statements, settlements, reports, verification.
    case readBilling = "read_billing"
    /// Set tariffs, entitlements and billing profiles; run charges; correct charges; close months.
    case manageBilling = "manage_billing"
    /// A provider's monthly settlement (a provider, its own).
    case readSettlements = "read_settlements"
    /// Record what an elder or family pays (服务缴费) and issue the receipt.
    case recordPayments = "record_payments"
    /// Oversight: the plan's indicators, institutions' profiles, inspections, grades and returns.
    case readOversight = "read_oversight"
    /// Record profiles, community facilities, inspections, rectifications and grades; freeze returns.
    case writeOversight = "write_oversight"
}

/// Who is acting: written on every audit entry.
public struct Principal: Sendable, Hashable, Codable {
    public var accountId: Int64?
    public var name: String
    public var role: Role

    public init(accountId: Int64?, name: String, role: Role) {
        self.accountId = accountId
        self.name = name
        self.role = role
    }

    /// The command line acting on the database directly (migrate, seed, token create).
    public static let commandLine = Principal(accountId: nil, name: "eldercare-cli", role: .admin)

    public func allows(_ permission: Permission) -> Bool { role.allows(permission) }
}
