import CareModel
import Foundation
import Testing

@testable import Oversight

/// The printable return opened in a real headless browser and printed to A4 PDF. Chromium comes
/// from Debian (`Scripts/setup-system --for-tests` installs it with a CJK font).
@Suite("The printable return")
struct ReturnPrintTests {
    static func chromium() -> String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        return nil
    }

    static func sample() -> OversightReturn {
        var input = OversightInput(
            regionCode: "450900000000", at: CalendarDate(iso: "2026-12-31")!,
            counties: [
                .init(code: "450902000000", name: "玉州区", elders: 52_000), .init(code: "450903000000", name: "福绵区", elders: 31_000),
                .init(code: "450981000000", name: "北流市", elders: 0),
            ], homes: [], communities: [], carers: nil)
        input.homes = [
            .init(id: 1, name: "玉州区社会福利院", countyCode: "450902000000", beds: 2_100, nursingBeds: 1_200, profile: nil),
            .init(id: 2, name: "福绵区中心敬老院", countyCode: "450903000000", beds: 400, nursingBeds: 100, profile: nil),
        ]
        return OversightReturn(
            period: ReturnPeriod("2026-Q4")!, asOf: input.at, regionCode: input.regionCode,
            frozenAt: Date(timeIntervalSince1970: 1_799_000_000),
            indicators: OversightIndicators.compute(input))
    }

    @Test func theReportPrintsToPDFAndShowsTheFrozenFigures() throws {
        let r = Self.sample()
        let html = ReturnDocuments.html(r, history: [])
        // The figures printed are the frozen ones: Yuzhou 2,100 beds for 52,000 elders.
        #expect(html.contains(">40.38</text>") && html.contains(">12.9</text>") == false && html.contains(">12.90</text>"))
        #expect(html.contains("target 35"))
        guard let browser = Self.chromium() else {
            Issue.record("Chromium is not installed; Scripts/setup-system --for-tests installs it")
            return
        }
        let folder = NSTemporaryDirectory() + "oversight-print-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try html.write(toFile: folder + "/return.html", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: browser)
        p.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--user-data-dir=\(folder)/profile",
            "--print-to-pdf=\(folder)/return.pdf", "file://\(folder)/return.html",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let pdf = try Data(contentsOf: URL(fileURLWithPath: folder + "/return.pdf"))
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
        #expect(pdf.count > 5_000)
    }
}
