/// One problem found in a FHIR request, in FHIR's own terms so a client's tooling can show it.
///
/// ```swift
/// FHIRIssue(code: "value", expression: "Observation.valueQuantity.value",
///           diagnostics: "900 is not a possible heart rate (20–250 /min)")
/// ```
public struct FHIRIssue: Sendable, Hashable, Codable {
    public enum Severity: String, Sendable, Codable { case fatal, error, warning, information }

    public var severity: Severity
    /// A FHIR IssueType code: `structure`, `required`, `value`, `invariant`, `code-invalid`, `not-found`,
    /// `conflict`, `duplicate`, `forbidden`, `not-supported`, `processing`, `security`…
    public var code: String
    /// The FHIR path of the element at fault, arrays with their index
    /// (`Observation.component[1].valueQuantity.value`); empty when the fault is the whole body.
    public var expression: String
    /// One sentence a person can act on.
    public var diagnostics: String

    public init(severity: Severity = .error, code: String, expression: String, diagnostics: String) {
        self.severity = severity
        self.code = code
        self.expression = expression
        self.diagnostics = diagnostics
    }
}

/// Why a FHIR request was refused: every issue found, not just the first, so a client can fix
/// everything in one round.
public struct OperationOutcome: Error, Sendable, Hashable {
    public var issues: [FHIRIssue]

    public init(_ issues: [FHIRIssue]) { self.issues = issues }

    public init(code: String, expression: String = "", diagnostics: String) {
        self.issues = [FHIRIssue(code: code, expression: expression, diagnostics: diagnostics)]
    }

    /// A valid R4 `OperationOutcome` resource. R4 needs at least one issue, so an empty outcome says
    /// "informational: all OK".
    public var json: FHIRJSON {
        let items: [FHIRJSON] =
            issues.isEmpty
            ? [["severity": "information", "code": "informational", "diagnostics": "All OK"]]
            : issues.map { issue in
                var o = FHIRObject([("severity", .string(issue.severity.rawValue)), ("code", .string(issue.code))])
                if !issue.diagnostics.isEmpty { o["diagnostics"] = .string(issue.diagnostics) }
                if !issue.expression.isEmpty { o["expression"] = [.string(issue.expression)] }
                return .object(o)
            }
        return ["resourceType": "OperationOutcome", "issue": .array(items)]
    }

    /// Every issue as `path: sentence`, joined by `; ` — for logs and the CLI.
    public var summary: String {
        issues.map { $0.expression.isEmpty ? $0.diagnostics : "\($0.expression): \($0.diagnostics)" }.joined(separator: "; ")
    }
}

extension OperationOutcome: CustomStringConvertible {
    public var description: String { summary }
}
