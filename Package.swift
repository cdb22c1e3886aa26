// swift-tools-version: 6.2
//
// The eldercare platform backend. Module map and the rules that hold it together:
// Docs/architecture.md. Dependencies point down: CareModel ← CareStore ← services ← CareAPI ← eldercare.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "eldercare",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eldercare", targets: ["eldercare"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own dependency; the device path's channel handler names its HTTP part types.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // GRDB is pinned exactly: Linux support is community-maintained (see Docs/architecture.md).
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // Domain values and rules, pure Swift.
        .target(name: "CareModel", swiftSettings: swiftSettings),

        // The one configuration reader: file, environment and flags, validated into typed settings.
        .target(
            name: "CareConfig",
            dependencies: [
                "CareModel",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // The shared store core (the pool and its writer, the shared tables) and the registry store.
        // GRDB is imported only by store code: here, and in each service's Store/ folder (internal).
        .target(
            name: "CareStore",
            dependencies: [
                "CareModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the intake's hot statements (Statement+direct.swift).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // HMAC-SHA256 for device signatures, shared by the server and the device simulator.
        .target(
            name: "DeviceSigning",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // Alarm intake: signed device events, dedupe, triage, group commit, device supervision.
        .target(
            name: "Emergency",
            dependencies: [
                "CareModel", "CareStore", "DeviceSigning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // libcurl, the system library (apt: libcurl4-openssl-dev), with typed shims for its variadic calls.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // An async HTTP client on one curl multi handle; the only module that imports CCurl.
        .target(name: "CurlHTTP", dependencies: ["CCurl"], swiftSettings: swiftSettings),

        // The outbox worker: channels (webhook, SMS gateway, push), retries, dead letters, escalation chains.
        .target(
            name: "Notifications",
            dependencies: [
                "CareModel", "CareStore", "CurlHTTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The health archive: every elder's FHIR R4 records, versions and tombstones, who may see them, audited reads.
        .target(
            name: "HealthArchive",
            dependencies: [
                "CareModel", "CareStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),

        // Home-service bookings: providers, certified workers, availability, race-proof bookings, verified visits.
        .target(
            name: "Bookings",
            dependencies: [
                "CareModel", "CareStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Service billing: tariffs, entitlements, the payer split, the ledger, payments, periods and statements.
        .target(
            name: "Billing",
            dependencies: [
                "CareModel", "CareStore", "DeviceSigning",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // Oversight for the civil-affairs bureau: the plan's indicators, inspections and grading, the statistics return.
        .target(
            name: "Oversight",
            dependencies: [
                "CareModel", "CareStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The terminal operator console: a pure core (state, keys, reducer, render to lines) and a thin terminal driver.
        .target(name: "OperatorConsole", dependencies: ["CareModel", "CurlHTTP"], swiftSettings: swiftSettings),

        // For tests: one loopback HTTP/1.1 server on plain sockets (a real peer for the HTTP client, a
        // stand-in for webhooks, the SMS gateway and the API). Foundation only, like HummingbirdTesting for Hummingbird.
        .target(name: "CareTesting", swiftSettings: swiftSettings),

        // A reproducible synthetic city in Yulin's real districts, for demos and benchmarks.
        .target(name: "SyntheticCity", dependencies: ["CareModel"], swiftSettings: swiftSettings),

        // The HTTP API; the only module that imports Hummingbird.
        .target(
            name: "CareAPI",
            dependencies: [
                "CareModel", "CareStore", "CareConfig", "Emergency", "Notifications", "HealthArchive", "Bookings", "Billing",
                "Oversight",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // The one executable: serve, migrate, seed, token, backup, demo.
        .executableTarget(
            name: "eldercare",
            dependencies: [
                "CareModel", "CareConfig", "CareStore", "CareAPI", "Emergency", "HealthArchive", "Bookings", "Billing", "SyntheticCity",
                "OperatorConsole", "CurlHTTP", "Oversight",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Load generator for registry reads (Docs/performance.md). The device simulator joins it in Simulators/.
        .executableTarget(name: "registry-load", path: "Simulators/RegistryLoad", swiftSettings: swiftSettings),
        // Simulated elders' devices: signed events, scenarios, and the intake load generator.
        .executableTarget(
            name: "device-sim",
            dependencies: [
                "CareModel", "DeviceSigning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            path: "Simulators/DeviceSimulator",
            swiftSettings: swiftSettings
        ),

        // Load for home-service bookings: availability at a constant rate, creates as fast as they go.
        .executableTarget(
            name: "booking-load",
            dependencies: ["CareModel", "CurlHTTP", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Simulators/BookingLoad",
            swiftSettings: swiftSettings
        ),

        // Simulated agencies keeping their own SQLite copies of the archives in step (Docs/sync-protocol.md).
        .systemLibrary(name: "AgencySQLite", path: "Simulators/AgencySQLite"),
        .executableTarget(
            name: "agency-sim",
            dependencies: ["CareModel", "CurlHTTP", "AgencySQLite", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Simulators/AgencySimulator",
            swiftSettings: swiftSettings
        ),

        .testTarget(name: "CareModelTests", dependencies: ["CareModel"], swiftSettings: swiftSettings),
        .testTarget(name: "CareConfigTests", dependencies: ["CareConfig", "CareModel"], swiftSettings: swiftSettings),
        .testTarget(name: "CareStoreTests", dependencies: ["CareStore", "CareModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "EmergencyTests",
            dependencies: ["Emergency", "CareStore", "CareModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeviceSigningTests", dependencies: ["DeviceSigning", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "CareTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "NotificationsTests",
            dependencies: [
                "Notifications", "Emergency", "CareStore", "CareModel", "CurlHTTP", "CareTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OperatorConsoleTests", dependencies: ["OperatorConsole", "CareModel", "CareTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "HealthArchiveTests",
            dependencies: ["HealthArchive", "Emergency", "CareStore", "CareModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SyntheticCityTests", dependencies: ["SyntheticCity", "CareModel"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CareAPITests",
            dependencies: [
                "CareAPI", "CareStore", "CareConfig", "CareModel", "Emergency", "Notifications",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // A database as the single-file schema left it, for the upgrade test.
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // Starts the real `eldercare` binary on a loopback port and drives it over HTTP.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "CareModel", "CareStore", "Emergency", "CurlHTTP", "CareTesting", "Billing",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BookingsTests",
            dependencies: ["Bookings", "CareStore", "CareModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "BillingTests",
            dependencies: ["Billing", "CareStore", "CareModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OversightTests",
            dependencies: ["Oversight", "Bookings", "CareStore", "CareModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CareTestingTests", dependencies: ["CareTesting"], swiftSettings: swiftSettings),
    ]
)
