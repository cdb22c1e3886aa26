/// The kinds of value an element may hold: FHIR's primitive types, a required value set, or a
/// complex type or backbone element named in ``FHIRSchema/types``.
enum FHIRElementType: Sendable {
    case string, markdown, code, id, uri, boolean, integer, positiveInt, unsignedInt, decimal
    case date, dateTime, instant, time, base64Binary, xhtml
    /// A code from a value set with a required binding.
    case codeIn([String])
    case complex(String)
    /// Elements we refuse with a reason (contained resources, modifier extensions we cannot understand).
    case refused(code: String, reason: String)

    var isPrimitive: Bool {
        switch self {
        case .complex, .refused: false
        default: true
        }
    }

    /// The FHIR name of the type, used as the suffix of choice elements (`valueQuantity`).
    var choiceSuffix: String {
        switch self {
        case .string: "String"
        case .markdown: "Markdown"
        case .code, .codeIn: "Code"
        case .id: "Id"
        case .uri: "Uri"
        case .boolean: "Boolean"
        case .integer: "Integer"
        case .positiveInt: "PositiveInt"
        case .unsignedInt: "UnsignedInt"
        case .decimal: "Decimal"
        case .date: "Date"
        case .dateTime: "DateTime"
        case .instant: "Instant"
        case .time: "Time"
        case .base64Binary: "Base64Binary"
        case .xhtml: "Xhtml"
        case .complex(let name): name
        case .refused: ""
        }
    }
}

/// One member an object may have. Choice elements (`value[x]`) have one member per type, all with
/// the same `base`.
struct FHIRMember: Sendable {
    var name: String
    var base: String
    var type: FHIRElementType
    var isArray: Bool
    var isChoice: Bool
}

/// The elements of one complex type, backbone element or resource.
struct FHIRTypeSchema: Sendable {
    var name: String
    var members: [String: FHIRMember]
    /// Base names with cardinality 1.. (a choice counts when any of its types is present).
    var required: [String]
}

/// A field in the schema tables below, before it is expanded into members.
struct FHIRField {
    var name: String
    var types: [FHIRElementType]
    var isArray: Bool
    var isRequired: Bool

    /// `0..1` or `1..1`.
    static func one(_ name: String, _ type: FHIRElementType, required: Bool = false) -> FHIRField {
        FHIRField(name: name, types: [type], isArray: false, isRequired: required)
    }

    /// `0..*` or `1..*`.
    static func many(_ name: String, _ type: FHIRElementType, required: Bool = false) -> FHIRField {
        FHIRField(name: name, types: [type], isArray: true, isRequired: required)
    }

    /// `name[x]` with the types allowed.
    static func choice(_ name: String, _ types: [FHIRElementType], required: Bool = false) -> FHIRField {
        FHIRField(name: name, types: types, isArray: false, isRequired: required)
    }
}

/// The R4 structure of the seven resources the archive keeps and the data types they use, as far
/// as realistic clients fill them (SampledData, Signature and contained resources are refused).
enum FHIRSchema {
    static let types: [String: FHIRTypeSchema] = {
        var all: [String: FHIRTypeSchema] = [:]
        func add(_ name: String, _ kind: Kind, _ fields: [FHIRField]) {
            var members: [String: FHIRMember] = [:]
            var required: [String] = []
            var base: [FHIRField]
            switch kind {
            case .element: base = [.one("id", .string), .many("extension", .complex("Extension"))]
            case .backbone:
                base = [
                    .one("id", .string), .many("extension", .complex("Extension")),
                    .many("modifierExtension", .refused(code: "not-supported", reason: "modifier extensions are not understood here")),
                ]
            case .resource:
                base = [
                    .one("id", .id), .one("meta", .complex("Meta")), .one("implicitRules", .uri), .one("language", .code),
                    .one("text", .complex("Narrative")),
                    .many("contained", .refused(code: "not-supported", reason: "contained resources are not supported here")),
                    .many("extension", .complex("Extension")),
                    .many("modifierExtension", .refused(code: "not-supported", reason: "modifier extensions are not understood here")),
                    .one("resourceType", .string),
                ]
            }
            for field in base + fields {
                if field.isRequired { required.append(field.name) }
                if field.types.count == 1 && !field.name.hasSuffix("[x]") {
                    members[field.name] = FHIRMember(
                        name: field.name, base: field.name, type: field.types[0], isArray: field.isArray, isChoice: false)
                } else {
                    let stem = field.name.hasSuffix("[x]") ? String(field.name.dropLast(3)) : field.name
                    for type in field.types {
                        let name = stem + type.choiceSuffix
                        members[name] = FHIRMember(name: name, base: stem, type: type, isArray: false, isChoice: true)
                    }
                }
            }
            all[name] = FHIRTypeSchema(
                name: name, members: members, required: required.map { $0.hasSuffix("[x]") ? String($0.dropLast(3)) : $0 })
        }

        let cc = FHIRElementType.complex("CodeableConcept")
        let ref = FHIRElementType.complex("Reference")
        let quantity = FHIRElementType.complex("Quantity")
        let period = FHIRElementType.complex("Period")
        let identifier = FHIRElementType.complex("Identifier")
        let annotation = FHIRElementType.complex("Annotation")
        let coding = FHIRElementType.complex("Coding")
        let range = FHIRElementType.complex("Range")

        // Data types. `Element` is what a primitive's `_name` sibling holds.
        add("Element", .element, [])
        add(
            "Coding", .element,
            [.one("system", .uri), .one("version", .string), .one("code", .code), .one("display", .string), .one("userSelected", .boolean)])
        add("CodeableConcept", .element, [.many("coding", coding), .one("text", .string)])
        add(
            "Quantity", .element,
            [
                .one("value", .decimal), .one("comparator", .codeIn(["<", "<=", ">=", ">"])), .one("unit", .string), .one("system", .uri),
                .one("code", .code),
            ])
        add("Money", .element, [.one("value", .decimal), .one("currency", .code)])
        add("Range", .element, [.one("low", quantity), .one("high", quantity)])
        add("Ratio", .element, [.one("numerator", quantity), .one("denominator", quantity)])
        add("Period", .element, [.one("start", .dateTime), .one("end", .dateTime)])
        add(
            "Reference", .element,
            [.one("reference", .string), .one("type", .uri), .one("identifier", identifier), .one("display", .string)])
        add(
            "Identifier", .element,
            [
                .one("use", .codeIn(["usual", "official", "temp", "secondary", "old"])), .one("type", cc), .one("system", .uri),
                .one("value", .string), .one("period", period), .one("assigner", ref),
            ])
        add(
            "HumanName", .element,
            [
                .one("use", .codeIn(["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"])), .one("text", .string),
                .one("family", .string), .many("given", .string), .many("prefix", .string), .many("suffix", .string),
                .one("period", period),
            ])
        add(
            "Address", .element,
            [
                .one("use", .codeIn(["home", "work", "temp", "old", "billing"])), .one("type", .codeIn(["postal", "physical", "both"])),
                .one("text", .string), .many("line", .string), .one("city", .string), .one("district", .string), .one("state", .string),
                .one("postalCode", .string), .one("country", .string), .one("period", period),
            ])
        add(
            "ContactPoint", .element,
            [
                .one("system", .codeIn(["phone", "fax", "email", "pager", "url", "sms", "other"])), .one("value", .string),
                .one("use", .codeIn(["home", "work", "temp", "old", "mobile"])), .one("rank", .positiveInt), .one("period", period),
            ])
        add(
            "Annotation", .element,
            [.choice("author[x]", [ref, .string]), .one("time", .dateTime), .one("text", .markdown, required: true)])
        add(
            "Attachment", .element,
            [
                .one("contentType", .code), .one("language", .code), .one("data", .base64Binary), .one("url", .uri),
                .one("size", .unsignedInt),
                .one("hash", .base64Binary), .one("title", .string), .one("creation", .dateTime),
            ])
        add(
            "Narrative", .element,
            [
                .one("status", .codeIn(["generated", "extensions", "additional", "empty"]), required: true),
                .one("div", .xhtml, required: true),
            ])
        add(
            "Meta", .element,
            [
                .one("versionId", .id), .one("lastUpdated", .instant), .one("source", .uri), .many("profile", .uri),
                .many("security", coding),
                .many("tag", coding),
            ])
        add(
            "Extension", .element,
            [
                .one("url", .uri, required: true),
                .choice(
                    "value[x]",
                    [
                        .base64Binary, .boolean, .code, .date, .dateTime, .decimal, .id, .instant, .integer, .markdown, .positiveInt,
                        .string,
                        .time, .unsignedInt, .uri, .complex("Address"), .complex("Age"), annotation, .complex("Attachment"), cc, coding,
                        .complex("ContactPoint"), .complex("Duration"), .complex("HumanName"), identifier, .complex("Money"), period,
                        quantity,
                        range, .complex("Ratio"), ref, .complex("Timing"),
                    ]),
            ])
        add(
            "Age", .element,
            [
                .one("value", .decimal), .one("comparator", .codeIn(["<", "<=", ">=", ">"])), .one("unit", .string), .one("system", .uri),
                .one("code", .code),
            ])
        add(
            "Duration", .element,
            [
                .one("value", .decimal), .one("comparator", .codeIn(["<", "<=", ">=", ">"])), .one("unit", .string), .one("system", .uri),
                .one("code", .code),
            ])
        add(
            "Timing", .backbone,
            [.many("event", .dateTime), .one("repeat", .complex("Timing.repeat")), .one("code", cc)])
        add(
            "Timing.repeat", .element,
            [
                .choice("bounds[x]", [.complex("Duration"), range, period]), .one("count", .positiveInt), .one("countMax", .positiveInt),
                .one("duration", .decimal), .one("durationMax", .decimal),
                .one("durationUnit", .codeIn(["s", "min", "h", "d", "wk", "mo", "a"])),
                .one("frequency", .positiveInt), .one("frequencyMax", .positiveInt), .one("period", .decimal), .one("periodMax", .decimal),
                .one("periodUnit", .codeIn(["s", "min", "h", "d", "wk", "mo", "a"])),
                .many("dayOfWeek", .codeIn(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])), .many("timeOfDay", .time),
                .many("when", .code),
                .one("offset", .unsignedInt),
            ])
        add(
            "Dosage", .backbone,
            [
                .one("sequence", .integer), .one("text", .string), .many("additionalInstruction", cc), .one("patientInstruction", .string),
                .one("timing", .complex("Timing")), .choice("asNeeded[x]", [.boolean, cc]), .one("site", cc), .one("route", cc),
                .one("method", cc),
                .many("doseAndRate", .complex("Dosage.doseAndRate")), .one("maxDosePerPeriod", .complex("Ratio")),
                .one("maxDosePerAdministration", quantity), .one("maxDosePerLifetime", quantity),
            ])
        add(
            "Dosage.doseAndRate", .element,
            [.one("type", cc), .choice("dose[x]", [range, quantity]), .choice("rate[x]", [.complex("Ratio"), range, quantity])])

        // Patient.
        add(
            "Patient", .resource,
            [
                .many("identifier", identifier), .one("active", .boolean), .many("name", .complex("HumanName")),
                .many("telecom", .complex("ContactPoint")), .one("gender", .codeIn(["male", "female", "other", "unknown"])),
                .one("birthDate", .date), .choice("deceased[x]", [.boolean, .dateTime]), .many("address", .complex("Address")),
                .one("maritalStatus", cc), .choice("multipleBirth[x]", [.boolean, .integer]), .many("photo", .complex("Attachment")),
                .many("contact", .complex("Patient.contact")), .many("communication", .complex("Patient.communication")),
                .many("generalPractitioner", ref), .one("managingOrganization", ref), .many("link", .complex("Patient.link")),
            ])
        add(
            "Patient.contact", .backbone,
            [
                .many("relationship", cc), .one("name", .complex("HumanName")), .many("telecom", .complex("ContactPoint")),
                .one("address", .complex("Address")), .one("gender", .codeIn(["male", "female", "other", "unknown"])),
                .one("organization", ref), .one("period", period),
            ])
        add("Patient.communication", .backbone, [.one("language", cc, required: true), .one("preferred", .boolean)])
        add(
            "Patient.link", .backbone,
            [.one("other", ref, required: true), .one("type", .codeIn(["replaced-by", "replaces", "refer", "seealso"]), required: true)])

        // Observation.
        let observationValue: [FHIRElementType] = [
            quantity, cc, .string, .boolean, .integer, range, .complex("Ratio"), .time, .dateTime, period,
        ]
        add(
            "Observation", .resource,
            [
                .many("identifier", identifier), .many("basedOn", ref), .many("partOf", ref),
                .one(
                    "status",
                    .codeIn(["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"]),
                    required: true),
                .many("category", cc), .one("code", cc, required: true), .one("subject", ref), .many("focus", ref), .one("encounter", ref),
                .choice("effective[x]", [.dateTime, period, .complex("Timing"), .instant]), .one("issued", .instant),
                .many("performer", ref), .choice("value[x]", observationValue), .one("dataAbsentReason", cc),
                .many("interpretation", cc), .many("note", annotation), .one("bodySite", cc), .one("method", cc), .one("specimen", ref),
                .one("device", ref), .many("referenceRange", .complex("Observation.referenceRange")), .many("hasMember", ref),
                .many("derivedFrom", ref), .many("component", .complex("Observation.component")),
            ])
        add(
            "Observation.referenceRange", .backbone,
            [
                .one("low", quantity), .one("high", quantity), .one("type", cc), .many("appliesTo", cc), .one("age", range),
                .one("text", .string),
            ])
        add(
            "Observation.component", .backbone,
            [
                .one("code", cc, required: true), .choice("value[x]", observationValue), .one("dataAbsentReason", cc),
                .many("interpretation", cc), .many("referenceRange", .complex("Observation.referenceRange")),
            ])

        // Condition.
        let onset: [FHIRElementType] = [.dateTime, .complex("Age"), period, range, .string]
        add(
            "Condition", .resource,
            [
                .many("identifier", identifier), .one("clinicalStatus", cc), .one("verificationStatus", cc), .many("category", cc),
                .one("severity", cc), .one("code", cc), .many("bodySite", cc), .one("subject", ref, required: true), .one("encounter", ref),
                .choice("onset[x]", onset), .choice("abatement[x]", onset), .one("recordedDate", .dateTime), .one("recorder", ref),
                .one("asserter", ref), .many("stage", .complex("Condition.stage")), .many("evidence", .complex("Condition.evidence")),
                .many("note", annotation),
            ])
        add("Condition.stage", .backbone, [.one("summary", cc), .many("assessment", ref), .one("type", cc)])
        add("Condition.evidence", .backbone, [.many("code", cc), .many("detail", ref)])

        // AllergyIntolerance.
        add(
            "AllergyIntolerance", .resource,
            [
                .many("identifier", identifier), .one("clinicalStatus", cc), .one("verificationStatus", cc),
                .one("type", .codeIn(["allergy", "intolerance"])),
                .many("category", .codeIn(["food", "medication", "environment", "biologic"])),
                .one("criticality", .codeIn(["low", "high", "unable-to-assess"])), .one("code", cc), .one("patient", ref, required: true),
                .one("encounter", ref), .choice("onset[x]", onset), .one("recordedDate", .dateTime), .one("recorder", ref),
                .one("asserter", ref), .one("lastOccurrence", .dateTime), .many("note", annotation),
                .many("reaction", .complex("AllergyIntolerance.reaction")),
            ])
        add(
            "AllergyIntolerance.reaction", .backbone,
            [
                .one("substance", cc), .many("manifestation", cc, required: true), .one("description", .string), .one("onset", .dateTime),
                .one("severity", .codeIn(["mild", "moderate", "severe"])), .one("exposureRoute", cc), .many("note", annotation),
            ])

        // MedicationStatement.
        add(
            "MedicationStatement", .resource,
            [
                .many("identifier", identifier), .many("basedOn", ref), .many("partOf", ref),
                .one(
                    "status",
                    .codeIn(["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"]),
                    required: true),
                .many("statusReason", cc), .one("category", cc), .choice("medication[x]", [cc, ref], required: true),
                .one("subject", ref, required: true), .one("context", ref), .choice("effective[x]", [.dateTime, period]),
                .one("dateAsserted", .dateTime), .one("informationSource", ref), .many("derivedFrom", ref), .many("reasonCode", cc),
                .many("reasonReference", ref), .many("note", annotation), .many("dosage", .complex("Dosage")),
            ])

        // Encounter.
        let encounterStatus = [
            "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown",
        ]
        add(
            "Encounter", .resource,
            [
                .many("identifier", identifier), .one("status", .codeIn(encounterStatus), required: true),
                .many("statusHistory", .complex("Encounter.statusHistory")), .one("class", coding, required: true),
                .many("classHistory", .complex("Encounter.classHistory")), .many("type", cc), .one("serviceType", cc), .one("priority", cc),
                .one("subject", ref), .many("episodeOfCare", ref), .many("basedOn", ref),
                .many("participant", .complex("Encounter.participant")), .many("appointment", ref), .one("period", period),
                .one("length", .complex("Duration")), .many("reasonCode", cc), .many("reasonReference", ref),
                .many("diagnosis", .complex("Encounter.diagnosis")), .many("account", ref),
                .one("hospitalization", .complex("Encounter.hospitalization")), .many("location", .complex("Encounter.location")),
                .one("serviceProvider", ref), .one("partOf", ref),
            ])
        add(
            "Encounter.statusHistory", .backbone,
            [.one("status", .codeIn(encounterStatus), required: true), .one("period", period, required: true)])
        add("Encounter.classHistory", .backbone, [.one("class", coding, required: true), .one("period", period, required: true)])
        add("Encounter.participant", .backbone, [.many("type", cc), .one("period", period), .one("individual", ref)])
        add("Encounter.diagnosis", .backbone, [.one("condition", ref, required: true), .one("use", cc), .one("rank", .positiveInt)])
        add(
            "Encounter.hospitalization", .backbone,
            [
                .one("preAdmissionIdentifier", identifier), .one("origin", ref), .one("admitSource", cc), .one("reAdmission", cc),
                .many("dietPreference", cc), .many("specialCourtesy", cc), .many("specialArrangement", cc), .one("destination", ref),
                .one("dischargeDisposition", cc),
            ])
        add(
            "Encounter.location", .backbone,
            [
                .one("location", ref, required: true), .one("status", .codeIn(["planned", "active", "reserved", "completed"])),
                .one("physicalType", cc), .one("period", period),
            ])

        // DocumentReference.
        add(
            "DocumentReference", .resource,
            [
                .one("masterIdentifier", identifier), .many("identifier", identifier),
                .one("status", .codeIn(["current", "superseded", "entered-in-error"]), required: true),
                .one("docStatus", .codeIn(["preliminary", "final", "amended", "entered-in-error"])), .one("type", cc),
                .many("category", cc),
                .one("subject", ref), .one("date", .instant), .many("author", ref), .one("authenticator", ref), .one("custodian", ref),
                .many("relatesTo", .complex("DocumentReference.relatesTo")), .one("description", .string), .many("securityLabel", cc),
                .many("content", .complex("DocumentReference.content"), required: true),
                .one("context", .complex("DocumentReference.context")),
            ])
        add(
            "DocumentReference.relatesTo", .backbone,
            [.one("code", .codeIn(["replaces", "transforms", "signs", "appends"]), required: true), .one("target", ref, required: true)])
        add("DocumentReference.content", .backbone, [.one("attachment", .complex("Attachment"), required: true), .one("format", coding)])
        add(
            "DocumentReference.context", .backbone,
            [
                .many("encounter", ref), .many("event", cc), .one("period", period), .one("facilityType", cc), .one("practiceSetting", cc),
                .one("sourcePatientInfo", ref), .many("related", ref),
            ])
        return all
    }()

    private enum Kind { case element, backbone, resource }
}
