import CareModel
import Foundation
import Testing

@Suite("The service catalogue")
struct CatalogueTests {
    /// Config/services.json and the compiled-in catalogue are the same list.
    @Test func configurationFileMatchesTheCompiledInCatalogue() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/services.json")
        let file = try ServiceCatalogue(decodingJSON: try Data(contentsOf: url))
        #expect(file == ServiceCatalogue.standard)
    }

    @Test func duplicateIdsAreRefused() {
        let s = ServiceCatalogue.standard.services[0]
        #expect(throws: ValidationFailure.self) { try ServiceCatalogue([s, s]) }
    }
}
