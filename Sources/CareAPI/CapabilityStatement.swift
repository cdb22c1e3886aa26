/// What the FHIR face does, exactly: `GET /fhir/R4/metadata`. Kept beside the routes it
/// describes; the FHIR tests check each interaction listed here answers.
enum CapabilityStatement {
    static let searchParameters: [String: [(String, String)]] = [
        "Patient": [("_id", "token"), ("identifier", "token"), ("_lastUpdated", "date")],
        "Observation": [("patient", "reference"), ("subject", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date")],
        "Condition": [("patient", "reference"), ("subject", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date")],
        "AllergyIntolerance": [("patient", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date")],
        "MedicationStatement": [
            ("patient", "reference"), ("subject", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date"),
        ],
        "Encounter": [("patient", "reference"), ("subject", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date")],
        "DocumentReference": [
            ("patient", "reference"), ("subject", "reference"), ("code", "token"), ("date", "date"), ("_lastUpdated", "date"),
        ],
    ]

    static let text: String = {
        let order = ["Patient", "Observation", "Condition", "AllergyIntolerance", "MedicationStatement", "Encounter", "DocumentReference"]
        let interactions = ["read", "vread", "update", "delete", "history-instance", "create", "search-type"]
            .map { #"{"code":""# + $0 + #""}"# }.joined(separator: ",")
        let resources = order.map { type in
            let params = (searchParameters[type] ?? []).map { name, kind in #"{"name":""# + name + #"","type":""# + kind + #""}"# }
                .joined(separator: ",")
            let patientElement = type == "AllergyIntolerance" ? "patient" : "subject"
            let includes = type == "Patient" ? "" : #","searchInclude":[""# + type + ":" + patientElement + #""]"#
            let revincludes =
                type == "Patient"
                ? #","searchRevInclude":["#
                    + order.dropFirst().map { #"""# + $0 + ":" + ($0 == "AllergyIntolerance" ? "patient" : "subject") + #"""# }
                    .joined(separator: ",") + "]"
                : ""
            let operation =
                type == "Patient"
                ? #","operation":[{"name":"everything","definition":"http://hl7.org/fhir/OperationDefinition/Patient-everything"}]"#
                : ""
            return #"{"type":""# + type + #"","interaction":["# + interactions + #"],"versioning":"versioned-update","readHistory":true,"#
                + #""updateCreate":false,"conditionalCreate":true,"conditionalUpdate":false,"conditionalDelete":"not-supported","#
                + #""searchParam":["# + params + "]" + includes + revincludes + operation + "}"
        }.joined(separator: ",")
        return #"{"resourceType":"CapabilityStatement","status":"active","date":"2026-12-07","publisher":"eldercare platform","#
            + #""kind":"instance","software":{"name":"eldercare"},"implementation":{"description":"Health archive of the eldercare platform"},"#
            + #""fhirVersion":"4.0.1","format":["application/fhir+json"],"rest":[{"mode":"server","#
            + #""security":{"description":"Bearer tokens (Authorization: Bearer ec_…); agencies see elders of their service area or enrolled with them"},"#
            + #""resource":["# + resources + "]}]}"
    }()
}
