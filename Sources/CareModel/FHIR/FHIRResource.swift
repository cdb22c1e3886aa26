public import Foundation

/// The resource types the health archive keeps.
public enum FHIRResourceType: String, CaseIterable, Sendable, Codable {
    case patient = "Patient", observation = "Observation", condition = "Condition", allergyIntolerance = "AllergyIntolerance",
        medicationStatement = "MedicationStatement", encounter = "Encounter", documentReference = "DocumentReference"

    /// The element that names the patient a resource belongs to; nil for Patient itself.
    public var patientElement: String? {
        switch self {
        case .patient: nil
        case .allergyIntolerance: "patient"
        default: "subject"
        }
    }
}

/// A business identifier of a Patient: `system|value` is what `identifier=` searches match.
public struct FHIRIdentifier: Sendable, Hashable {
    public var system: String
    public var value: String

    public init(system: String, value: String) {
        self.system = system
        self.value = value
    }
}

/// What the validator found: the resource as it will be stored and the facts searches and summaries use.
public struct ValidatedResource: Sendable, Hashable {
    public var type: FHIRResourceType
    /// As given, minus meta.versionId and meta.lastUpdated (the server sets them); `id` kept if given.
    public var resource: FHIRJSON
    public var id: String?
    /// The id in the `Patient/{id}` reference of ``FHIRResourceType/patientElement``; nil for Patient.
    public var patientId: String?
    /// `system|code` of every coding of the main code (Observation.code and its components,
    /// Condition.code, AllergyIntolerance.code, MedicationStatement.medicationCodeableConcept,
    /// Encounter.type, DocumentReference.type).
    public var codes: [String]
    /// The clinical date `date=` searches use; a partial date is the start of its period.
    public var effective: Date?
    /// Patient.identifier entries with both a system and a value.
    public var identifiers: [FHIRIdentifier]
    /// One line for the operator's call screen, Chinese display first: "高血压 (I10)", "青霉素过敏",
    /// "氨氯地平 5 mg 每日一次", "心率 72 /min".
    public var summary: String?
    /// A Condition that is active (or has no clinical status) with a chronic ICD-10 code from ``ICD10Condition/table``.
    public var isChronicCondition: Bool

    public init(
        type: FHIRResourceType, resource: FHIRJSON, id: String?, patientId: String?, codes: [String], effective: Date?,
        identifiers: [FHIRIdentifier], summary: String?, isChronicCondition: Bool
    ) {
        self.type = type
        self.resource = resource
        self.id = id
        self.patientId = patientId
        self.codes = codes
        self.effective = effective
        self.identifiers = identifiers
        self.summary = summary
        self.isChronicCondition = isChronicCondition
    }
}
