import Foundation
import Logging
import Testing

@testable import CareConfig

@Suite("Logging")
struct CareLoggingTests {
    let id = "11010519491231002X"
    let phone = "13812345678"

    func logger(_ format: LogFormat, level: LogLevel = .trace, collector: LineCollector) -> Logger {
        Logger(label: "eldercare") { label in
            CareLogging.makeHandler(label: label, format: format, level: level, sink: collector.append)
        }
    }

    @Test("JSON lines parse as JSON and carry no full identity or phone number")
    func jsonLines() throws {
        let collector = LineCollector()
        var log = logger(.json, collector: collector)
        log[metadataKey: "request"] = "r-1"
        log.info(
            "registered elder \(id) with contact \(phone), said \"hi\"\nsecond line\ttab \\ slash",
            metadata: [
                "elder.nationalId": "\(id)",
                "contact": "+86\(phone)",
                "authToken": "abc.def.ghi",
                "count": "\(3)",
                "nested": ["phone": "\(phone)", "password": "hunter2", "list": ["\(id)"]],
                "msg": "clash",
                "unicode": "养老 ✓",
            ])
        let lines = collector.lines
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(!line.contains("\n"))
        #expect(!line.contains(id))
        #expect(!line.contains(phone))
        #expect(!line.contains("abc.def.ghi"))
        #expect(!line.contains("hunter2"))

        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "eldercare")
        #expect(
            object["msg"] as? String
                == "registered elder 110105********002X with contact *******5678, said \"hi\"\nsecond line\ttab \\ slash")
        #expect(object["elder.nationalId"] as? String == "110105********002X")
        #expect(object["contact"] as? String == "+86*******5678")
        #expect(object["authToken"] as? String == "[redacted]")
        #expect(object["count"] as? String == "3")
        #expect(object["request"] as? String == "r-1")
        #expect(object["meta.msg"] as? String == "clash")
        #expect(object["unicode"] as? String == "养老 ✓")
        let nested = try #require(object["nested"] as? String)
        #expect(nested.contains("[redacted]") && nested.contains("*******5678") && nested.contains("110105********002X"))
        let ts = try #require(object["ts"] as? String)
        #expect(ts.count == 24 && ts.hasSuffix("Z") && ts.dropFirst(10).first == "T")
        // Keys after the fixed four are sorted.
        #expect(line.hasPrefix("{\"ts\":\"\(ts)\",\"level\":\"info\",\"label\":\"eldercare\",\"msg\":"))
    }

    @Test("Control characters are escaped in JSON")
    func jsonControlCharacters() throws {
        let collector = LineCollector()
        let log = logger(.json, collector: collector)
        let message = "bell\u{07} nul\u{00} esc\u{1B} del\u{7F} quote\" backslash\\ cr\r"
        log.warning("\(message)")
        let line = try #require(collector.lines.first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == message)
        #expect(object["level"] as? String == "warning")
    }

    @Test("Text lines: time, level, label, message, sorted metadata")
    func textLines() throws {
        let collector = LineCollector()
        let log = logger(.text, collector: collector)
        log.notice(
            "elder \(id) called from \(phone)\nforged line",
            metadata: ["b": "2", "a": "1", "password": "hunter2", "note": "two words", "empty": ""])
        let line = try #require(collector.lines.first)
        let parts = line.split(separator: " ", maxSplits: 1)
        #expect(parts.count == 2)
        let ts = String(parts[0])
        #expect(ts.count == 24 && ts.hasSuffix("Z"))
        #expect(
            parts[1]
                == #"notice eldercare: elder 110105********002X called from *******5678\nforged line a=1 b=2 empty="" note="two words" password=[redacted]"#
        )
    }

    @Test("A record's own metadata wins over the logger's, each key written once")
    func metadataPrecedence() throws {
        let collector = LineCollector()
        var log = logger(.text, collector: collector)
        log[metadataKey: "request"] = "r-1"
        log[metadataKey: "status"] = "old"
        log.info("done", metadata: ["status": "200", "ms": "1.25"])
        let line = try #require(collector.lines.first)
        #expect(line.hasSuffix("info eldercare: done ms=1.25 request=r-1 status=200"))
    }

    @Test("The handler drops records below its level")
    func levelFiltering() {
        let collector = LineCollector()
        let log = logger(.text, level: .warning, collector: collector)
        log.info("quiet")
        log.debug("quieter")
        log.error("loud")
        #expect(collector.lines.count == 1)
        #expect(collector.lines.first?.contains(" error eldercare: loud") == true)
    }

    @Test("Errors attached to a record are redacted too")
    func errorsAreRedacted() throws {
        struct Failure: Error, CustomStringConvertible { var description: String }
        let collector = LineCollector()
        let log = logger(.json, collector: collector)
        log.error("lookup failed", error: Failure(description: "no elder with id 11010519491231002X"))
        let line = try #require(collector.lines.first)
        #expect(!line.contains(id))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["error.message"] as? String == "no elder with id 110105********002X")
    }

    @Test(
        "Timestamps are ISO 8601 UTC with milliseconds",
        arguments: [
            (1_795_399_880.123, "2026-11-23T02:11:20.123Z"),
            (0, "1970-01-01T00:00:00.000Z"),
            (-0.001, "1969-12-31T23:59:59.999Z"),
            (951_825_600, "2000-02-29T12:00:00.000Z"),
            (1_709_251_199.9994, "2024-02-29T23:59:59.999Z"),
        ])
    func timestamps(seconds: Double, expected: String) {
        #expect(LogLine.timestamp(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("Log levels map onto swift-log's")
    func levels() {
        for level in LogLevel.allCases { #expect(level.loggerLevel.rawValue == level.rawValue) }
        #expect(LogLevel.allCases.count == Logger.Level.allCases.count)
    }
}
