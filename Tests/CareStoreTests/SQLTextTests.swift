import CareModel
import Foundation
import GRDB
import Testing

@testable import CareStore

/// The hand-built text the intake writes must read back exactly as GRDB's and `JSONEncoder`'s would.
@Suite struct SQLTextTests {
    @Test(arguments: [0.0, 1_795_400_000.25, 1_795_400_000.9996, 951_782_400.5, -86_400.001, 4_102_444_799.999])
    func timesAreStoredAsGRDBStoresDates(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let ours = SQLText.timeText(date)
        let grdb = String.fromDatabaseValue(date.databaseValue)!
        // GRDB's formatter truncates to the millisecond, ours rounds: equal unless the 4th
        // decimal rounds up.
        let truncated = Date(timeIntervalSince1970: (seconds * 1000).rounded(.down) / 1000)
        let rounded = Date(timeIntervalSince1970: (seconds * 1000).rounded() / 1000)
        if truncated == rounded { #expect(ours == grdb) }
        let back = try #require(Date.fromDatabaseValue(ours.databaseValue))
        #expect(abs(back.timeIntervalSince1970 - rounded.timeIntervalSince1970) < 0.000_5)
    }

    @Test(arguments: [
        "2026-11-23 02:11:21.250", "2026-11-23 02:11:21", "1970-01-01 00:00:00.000", "2000-02-29 23:59:59.999",
        "1969-12-31 23:59:59.999",
    ])
    func storedTimesReadBackAsGRDBReadsThem(_ text: String) throws {
        let grdb = try #require(Date.fromDatabaseValue(text.databaseValue))
        let ours = try #require(SQLText.date(fromTimeText: text))
        #expect(abs(ours.timeIntervalSince1970 - grdb.timeIntervalSince1970) < 0.000_5)
    }

    @Test(arguments: ["2026-11-23T02:11:21.250", "2026-11-23 02:11:21.25", "2026-02-30 00:00:00", "2026-11-23 24:00:00", "", "x"])
    func otherTimeShapesAreLeftToGRDB(_ text: String) {
        #expect(SQLText.date(fromTimeText: text) == nil)
    }

    @Test func flatObjectsAreSortedAndEscaped() throws {
        let fields = ["z": "末", "a": "say \"hi\"\\", "m": "line\nbreak"]
        let text = SQLText.object(fields)
        #expect(text == #"{"a":"say \"hi\"\\","m":"line\nbreak","z":"末"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == fields)
        #expect(SQLText.object([:]) == "{}")
    }
}
