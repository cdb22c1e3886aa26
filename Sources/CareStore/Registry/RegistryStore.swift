import CareModel

/// The registry: regions, elders and their contacts, devices, institutions. Every service reads
/// it, so it lives in the shared core's module; only this store writes its rows (the intake's
/// supervision columns on devices aside, which Emergency owns).
///
/// A view of the database, as cheap to make as a reference:
///
/// ```swift
/// let elder = try await database.registry.createElder(elder, by: admin)
/// ```
public struct RegistryStore: Sendable {
    package let database: CareDatabase

    public init(_ database: CareDatabase) { self.database = database }
}

extension CareDatabase {
    /// The registry's reads and writes on this database.
    public var registry: RegistryStore { RegistryStore(self) }
}
