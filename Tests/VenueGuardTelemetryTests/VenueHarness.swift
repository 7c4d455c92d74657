import Foundation
import Logging
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardSimulation

/// A small simulated venue publishing to a test broker, run in this process.
final class VenueHarness: Sendable {
    static let scenario = """
        start: 2024-08-01T13:00:00+09:00
        duration: 1h
        samples:
          hall-climate:
            air_temperature: { 0m: 27, 30m: 33, 60m: 28 }
            humidity: { 0m: 60, 60m: 70 }
          hall-globe:
            globe_temperature: { 0m: 27.5, 30m: 34, 60m: 28.5 }
        events:
          - { at: 20m, fault: { sensor: hall-climate, kind: crc, until: 22m } }
          - { at: 40m, strike: { distance_km: 8 } }
        """

    /// A site file for `port`, with `mqtt` extra lines (indented two spaces).
    static func site(port: Int, outbox: String, mqtt extra: String = "", commitWindow: String? = nil) -> String {
        """
        site: { id: test-club, name: Test club, latitude: 35.0, longitude: 135.0 }
        areas:
          - { id: hall, exposure: indoor, sensors: [hall-climate, hall-globe] }
        sensors:
          - { id: hall-climate, kind: sht3x, bus: 1, address: 0x44, period: 10s }
          - { id: hall-globe, kind: ds18b20, role: globe, globe_diameter_mm: 150, period: 10s }
        mqtt:
          host: 127.0.0.1
          port: \(port)
        \(extra.contains("reconnect_min") ? "" : "  reconnect_min: 3s\n  reconnect_max: 3s")
          outbox: { path: \(outbox), replay_rate: 500\(commitWindow.map { ", commit_window: \($0)" } ?? "") }
        \(extra)
        """
    }

    let directory: URL
    let configuration: SiteConfiguration
    let scenario: Scenario
    let logLines = Locked<[String]>([])

    init(port: Int, mqtt extra: String = "", scenario text: String = VenueHarness.scenario, commitWindow: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-venue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sitePath = directory.appendingPathComponent("site.yaml").path
        try Self.site(port: port, outbox: directory.appendingPathComponent("outbox.sqlite").path, mqtt: extra, commitWindow: commitWindow)
            .write(toFile: sitePath, atomically: true, encoding: .utf8)
        configuration = try ConfigurationLoader.load(path: sitePath)
        scenario = try ScenarioLoader.parse(yaml: text, file: "scenario.yaml", configuration: configuration)
    }

    var sitePath: String { directory.appendingPathComponent("site.yaml").path }
    var outboxPath: String { directory.appendingPathComponent("outbox.sqlite").path }
    var log: [String] { logLines.withLock { $0 } }

    /// Runs the scenario at `speed` with publishing; `during` runs concurrently (to kill brokers…).
    func run(speed: Double, stop: StopRequest = StopRequest(), instanceID: String? = nil, unstoredLimit: Int = 5000,
             during: (@Sendable () async -> Void)? = nil,
             started: (@Sendable (TelemetryBridge) async -> Void)? = nil) async throws -> (TelemetryBridge, [String]) {
        let lines = logLines
        let logger = Logger(label: "venueguard") { label in
            JournalLogHandler(label: label, level: .info, priorityPrefix: false) { text in lines.withLock { $0.append(text) } }
        }
        let bridge = try TelemetryBridge(configuration: configuration, mqtt: configuration.mqtt!, logger: logger, instanceID: instanceID,
                                         unstoredLimit: unstoredLimit)
        // Whatever the test does with the running bridge goes on beside the venue.
        let watcher = started.map { work in Task { await work(bridge) } }
        let plain = Locked<[String]>([])
        let renderer = PlainSignalLog(utcOffsetSeconds: 9 * 3600, write: { text in plain.withLock { $0.append(text) } })
        let side = during.map { work in Task { await work() } }
        await LiveRunner(configuration: configuration, scenario: scenario, speed: speed, exitAtEnd: true)
            .run(renderer: renderer, stop: stop, onStatus: { bridge.submit($0, $1) }, commands: bridge.publisher.commands)
        await side?.value
        await watcher?.value
        return (bridge, plain.withLock { $0 })
    }

    /// Waits until `subscriber` has every sequence number `bridge` has handed out, the highest
    /// read again at each look (the publisher may still be numbering: queued evaluations, a
    /// reconnection's fresh values); returns that highest, or `nil` after `timeout`.
    static func delivered(_ bridge: TelemetryBridge, to subscriber: TestSubscriber, prefix: String,
                          timeout: Duration = .seconds(60)) async -> Int64? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            await bridge.flush()
            let highest = await bridge.publisher.currentStats().lastSeq
            let seqs = subscriber.seqs(prefix: prefix)
            if bridge.isIdle, (seqs.max() ?? 0) >= highest, MQTTIntegrationTests.complete(seqs).missing.isEmpty { return highest }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
