import Foundation
import Synchronization

@testable import CareConfig

/// The package root, found from this file so tests do not depend on the working directory.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // CareConfigTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

let shippedConfigPath = packageRoot.appendingPathComponent("Config/eldercare.json").path

/// Writes `contents` to a fresh temporary file and returns its path; `remove` deletes it.
struct TemporaryFile {
    let path: String

    init(_ contents: String, name: String = "eldercare.json") throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("careconfig-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        path = url.path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent)
    }
}

/// Collects log lines from any thread.
final class LineCollector: Sendable {
    private let storage = Mutex<[String]>([])

    var lines: [String] { storage.withLock { $0 } }

    @Sendable func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }
}

extension SettingKey {
    /// What this setting holds once `text` is accepted for it: the number, the text as given, or
    /// the choice's name in lower case (choices are read whatever their case).
    func held(given text: String) -> Raw? {
        switch kind {
        case .integer: Int(text).map(Raw.int)
        case .text: .string(text)
        case .choice: .string(text.lowercased())
        }
    }
}
