import CareModel
import Foundation

extension CareSettings {
    /// The health archive's sync engine (Docs/configuration.md, "Sync").
    public struct Sync: Sendable, Equatable {
        /// The feed keeps every change at least this long: an agency offline for longer is told
        /// to re-sync from scratch rather than given a feed with deletes missing.
        public var longestOfflineDays = 30

        public init() {}
    }
}

extension SettingKey {
    static let syncKeys: [SettingKey] = [
        .integer("sync.longestOfflineDays", \.sync.longestOfflineDays, 1...3_650)
    ]
}
