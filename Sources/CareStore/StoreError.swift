import CareModel

/// What the store refuses, in words the API turns into problem+json.
public enum StoreError: Error, Equatable, Sendable {
    /// No row of `entity` has this id.
    case notFound(entity: String, id: String)
    /// A unique value is taken, e.g. an identity number already registered.
    case duplicate(field: String, reason: String)
    /// The caller saw `expected` but the row is now at `current`.
    case versionMismatch(entity: String, id: String, expected: Int, current: Int)
    /// The change would break history or a rule across rows (e.g. deleting an elder with devices).
    case conflict(reason: String)
    /// A value clashes with a row already there (a unique key taken, say), naming the field.
    case conflictOn(field: String, reason: String)
    /// The input is well formed but names something that is not there (e.g. an unknown region).
    case invalid(ValidationFailure)
}
