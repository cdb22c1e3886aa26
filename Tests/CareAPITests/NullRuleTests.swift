import CareModel
import Foundation
import Testing

@testable import CareAPI

/// `null` in a request body is a value only where the document calls the field nullable.
@Suite("Null in request bodies")
struct NullRuleTests {
    func issues(_ json: String, allowed: Set<String> = []) -> [FieldIssue] {
        do {
            try JSONCoding.refuseNulls(in: Data(json.utf8), allowed: allowed)
            return []
        } catch APIError.invalid(let failure) {
            return failure.issues
        } catch {
            Issue.record("unexpected \(error)")
            return []
        }
    }

    @Test func namesEveryNullFieldAtAnyDepth() {
        let found = issues(#"{"name":null,"location":{"latitude":null,"longitude":1},"contacts":[{"phone":"1"},{"phone":null}]}"#)
        #expect(found.map(\.field) == ["contacts[1].phone", "location.latitude", "name"])
        #expect(found.allSatisfy { $0.reason == "must not be null" })
        #expect(issues(#"[null]"#).map(\.field) == ["[0]"])
        #expect(issues("null").map(\.field) == ["body"])
    }

    @Test func allowsTheDocumentedNullableFieldsAndStringsThatSayNull() {
        #expect(issues(#"{"workerId":3,"preference":null}"#, allowed: ["preference"]).isEmpty)
        #expect(issues(#"{"items":[{"x":null}]}"#, allowed: ["items[].x"]).isEmpty)
        #expect(issues(#"{"name":"null","note":"not null"}"#).isEmpty)
        #expect(issues(#"{"preference":null,"workerId":null}"#, allowed: ["preference"]).map(\.field) == ["workerId"])
    }
}
