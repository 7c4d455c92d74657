// swift-tools-version:6.0
import PackageDescription

// Layers (each imports only the ones below it):
//   Core (pure safety logic) -> Drivers -> Platform / Simulation -> Daemon -> venueguard
let package = Package(
    name: "VenueGuard",
    products: [
        .executable(name: "venueguard", targets: ["venueguard"]),
        .executable(name: "venueguard-companion", targets: ["venueguard-companion"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/onevcat/Rainbow", from: "4.2.0"),
        // Already in the graph through Hummingbird; used directly to stop the companion's web
        // server gracefully (cancelling it can trap in swift-nio, apple/swift-nio#3481).
        // 2.13.0: a shutdown asked for just before run() starts no longer leaves it unserved (#248).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 1: pure safety logic. Standard library plus RealModule for exp/atan/pow,
        // which the Linux standard library does not provide.
        .target(
            name: "VenueGuardCore",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        // Layer 2: chip and line protocols, written against small protocols.
        .target(
            name: "VenueGuardDrivers",
            dependencies: ["VenueGuardCore"]
        ),
        // Layer 3: the Linux backends behind the driver protocols; C only through thin system-library targets.
        .systemLibrary(name: "CGPIOD", pkgConfig: "libgpiod", providers: [.apt(["libgpiod-dev"])]),
        .systemLibrary(name: "CI2C", providers: [.apt(["libi2c-dev"])]),  // libi2c ships no .pc file
        .target(name: "VenueGuardLinuxI2C", dependencies: ["VenueGuardDrivers", "CI2C"]),
        .target(name: "VenueGuardLinuxGPIO", dependencies: ["VenueGuardDrivers", "CGPIOD"]),
        .target(name: "VenueGuardLinuxSysfs", dependencies: ["VenueGuardDrivers"]),
        .target(name: "VenueGuardLinuxSerial", dependencies: ["VenueGuardDrivers"]),
        .systemLibrary(name: "CLinuxTime"),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
        .target(name: "VenueGuardMosquitto", dependencies: ["CMosquitto"]),
        .target(name: "VenueGuardOutbox", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "VenueGuardLinuxSystem", dependencies: ["VenueGuardDrivers", "CLinuxTime"]),
        // Beside Platform: scenario-driven simulated hardware.
        .target(
            name: "VenueGuardSimulation",
            dependencies: ["VenueGuardCore", "VenueGuardDrivers"]
        ),
        // Beside Core: pure parsers and judgements for the official documents (MoE heat alerts and
        // WBGT CSVs, JMA Atom feed, warning XML and JSON). No network, no clock reads, no C.
        .target(name: "VenueGuardFeeds", dependencies: ["VenueGuardCore"]),
        // Layer 4: configuration files (site, regional profiles, scenarios).
        .target(
            name: "VenueGuardConfiguration",
            dependencies: ["VenueGuardCore", "VenueGuardDrivers", "VenueGuardSimulation", "Yams"]
        ),
        // Layer 4: MQTT topics, payloads, Home Assistant discovery, commands, store and forward.
        .target(
            name: "VenueGuardTelemetry",
            dependencies: ["VenueGuardCore", "VenueGuardConfiguration", "VenueGuardMosquitto", "VenueGuardOutbox",
                           .product(name: "Logging", package: "swift-log")]
        ),
        // Layer 4: wiring, scheduling, runners.
        .target(
            name: "VenueGuardDaemon",
            dependencies: ["VenueGuardCore", "VenueGuardDrivers", "VenueGuardSimulation", "VenueGuardConfiguration",
                           "VenueGuardLinuxI2C", "VenueGuardLinuxGPIO", "VenueGuardLinuxSysfs", "VenueGuardLinuxSystem",
                           "VenueGuardLinuxSerial",
                           "VenueGuardTelemetry", .product(name: "Logging", package: "swift-log"),
                           .product(name: "Rainbow", package: "Rainbow")]
        ),
        .executableTarget(
            name: "venueguard",
            dependencies: [
                "VenueGuardDaemon",
                "VenueGuardConfiguration",
                "VenueGuardSimulation",
                "VenueGuardLinuxSystem",
                "VenueGuardCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Layer 5: the companion service, its own process and unit: everything that talks to the
        // network beyond MQTT. It hands the safety daemon only validated inputs over a local socket.
        .target(
            name: "VenueGuardCompanion",
            dependencies: ["VenueGuardFeeds", "VenueGuardConfiguration", "VenueGuardCore", "VenueGuardMosquitto", "VenueGuardLinuxSystem",
                           .product(name: "AsyncHTTPClient", package: "async-http-client"),
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                           .product(name: "Metrics", package: "swift-metrics"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "venueguard-companion",
            dependencies: ["VenueGuardCompanion", "VenueGuardConfiguration", "VenueGuardLinuxSystem",
                           .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        // The in-process half of `make bench` (IRQ-to-buzzer latency).
        .executableTarget(name: "venueguard-bench",
                          dependencies: ["VenueGuardDaemon", "VenueGuardConfiguration", "VenueGuardSimulation", "VenueGuardDrivers",
                                         "VenueGuardCore", .product(name: "Logging", package: "swift-log")]),
        // The serial line fuzz target (`make fuzz`); built normally it replays inputs.
        .executableTarget(name: "venueguard-fuzz-serial", dependencies: ["VenueGuardDrivers", "VenueGuardCore"]),
        // Test support: a real mosquitto broker on loopback, shared by the test targets (no product uses it).
        .target(name: "VenueGuardTestSupport"),
        .testTarget(name: "VenueGuardCoreTests", dependencies: ["VenueGuardCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VenueGuardFeedsTests", dependencies: ["VenueGuardFeeds"], resources: [.copy("Fixtures")]),
        .testTarget(name: "VenueGuardDriversTests", dependencies: ["VenueGuardDrivers", "VenueGuardSimulation"]),
        .testTarget(name: "VenueGuardSimulationTests", dependencies: ["VenueGuardSimulation"]),
        .testTarget(name: "VenueGuardTelemetryTests",
                    dependencies: ["VenueGuardTelemetry", "VenueGuardMosquitto", "VenueGuardOutbox", "VenueGuardDaemon",
                                   "VenueGuardConfiguration", "VenueGuardSimulation", "VenueGuardCore", "VenueGuardTestSupport",
                                   .product(name: "Logging", package: "swift-log")],
                    exclude: ["render_templates.py"]),
        .testTarget(name: "VenueGuardPlatformTests",
                    dependencies: ["VenueGuardLinuxSysfs", "VenueGuardLinuxI2C", "VenueGuardLinuxGPIO", "VenueGuardLinuxSystem",
                                   "VenueGuardLinuxSerial",
                                   "VenueGuardDrivers", "VenueGuardDaemon", "VenueGuardConfiguration", "VenueGuardSimulation",
                                   .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "VenueGuardConfigurationTests", dependencies: ["VenueGuardConfiguration"]),
        .testTarget(name: "VenueGuardCompanionTests",
                    dependencies: ["VenueGuardCompanion", "VenueGuardFeeds", "VenueGuardConfiguration", "VenueGuardDaemon",
                                   "VenueGuardCore", "VenueGuardTestSupport", "VenueGuardMosquitto", .product(name: "Logging", package: "swift-log")],
                    exclude: ["feed_server.py", "browser_driver.py", "notify_server.py"]),
        .testTarget(
            name: "VenueGuardDaemonTests",
            dependencies: ["VenueGuardDaemon", "VenueGuardConfiguration", "VenueGuardLinuxSystem", "VenueGuardSimulation", "venueguard",
                           .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
