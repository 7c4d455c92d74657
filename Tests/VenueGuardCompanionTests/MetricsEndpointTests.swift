import Foundation
import Logging
import Synchronization
import Testing
import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardTelemetry

/// `GET /metrics` served by the companion (Hummingbird) on loopback, scraped over HTTP and
/// parsed by a Prometheus text-format parser (the Prometheus project's Python client).
@Suite(.timeLimit(.minutes(2)))
struct MetricsEndpointTests {
    /// A daemon state file as the daemon writes it, for a venue with a faulted board and an
    /// official source not known.
    static func daemonState(written: WallClockTime, running: Bool = true) -> [UInt8] {
        var model = VenueModel(site: SiteDescriptor(id: "club", name: "Club"),
                               areas: [AreaDescriptor(id: "yard", name: "Yard", exposure: .outdoor, sensors: ["meter", "board"])],
                               sensors: [SensorDescriptor(id: "meter", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60)),
                                         SensorDescriptor(id: "board", kind: "serial", quantities: [.airTemperature], samplingPeriod: .seconds(1),
                                                          trust: .advisory)])
        model.officialSources = [.heatAlerts]
        var engine = VenueEngine(model: model)
        engine.apply(.sensor(SensorReport(sensor: "meter", at: .origin, sample: .values([.wbgt: 29.4]))))
        engine.apply(.sensor(SensorReport(sensor: "board", at: .origin, sample: .fault(.crcMismatch))))
        engine.apply(.officialFeed(.heatAlerts, .notKnown(since: written.adding(seconds: -600))))
        let status = engine.evaluate(at: Timestamp(monotonic: .origin, wall: written))
        return DaemonStateDocument.encode(status: status, payloads: TelemetryPayloads(site: "club", utcOffsetSeconds: 9 * 3600),
                                          mqtt: .init(broker: "127.0.0.1:1883", connected: true, backlog: 3, dropped: 7, lastError: nil),
                                          pid: 1, configuration: "/etc/venueguard/venueguard.yaml", running: running, stoppedBecause: nil,
                                          written: written)
    }

    /// Parses Prometheus text with `prometheus_client.parser`: (name, labels, value) per sample.
    static func parse(_ text: String) throws -> [(name: String, labels: [String: String], value: Double)] {
        let script = """
            import json, math, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = []
            for family in text_string_to_metric_families(sys.stdin.read()):
                for s in family.samples:
                    out.append([s.name, s.labels, None if math.isnan(s.value) else s.value])
            json.dump(out, sys.stdout)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let python = try #require(["python3", "/usr/bin/python3"].first { candidate in
            let check = Process()
            check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            check.arguments = [candidate, "-c", "import prometheus_client"]
            check.standardError = FileHandle(forWritingAtPath: "/dev/null")
            guard (try? check.run()) != nil else { return false }
            check.waitUntilExit()
            return check.terminationStatus == 0
        }, "python3 with prometheus_client is missing (make setup installs python3-prometheus-client)")
        process.arguments = [python, "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the parser refused the text: \(problem)")
        let rows = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        return rows.map { ($0[0] as! String, $0[1] as! [String: String], ($0[2] as? NSNumber)?.doubleValue ?? .nan) }
    }

    @Test("Scraped over HTTP and parsed: levels, WBGT, sensor health and fault counters, backlog, feed freshness, the daemon up")
    func scrape() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-metrics-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stateFile = directory.appendingPathComponent("state.json").path
        let now = WallClockTime(secondsSince1970: Date().timeIntervalSince1970.rounded(.down))  // down: never ahead of the real time, so an age of 600 s never reads 599.6
        try Data(Self.daemonState(written: now)).write(to: URL(fileURLWithPath: stateFile))
        let feeds = FeedHTTPClient()
        let http = FeedHTTPClient(timeout: .seconds(10))
        let companion = CompanionService(official: OfficialFeedsConfiguration(heatAlertArea: "130000"), http: feeds,
                                         channel: DaemonChannelClient(path: directory.appendingPathComponent("none.sock").path),
                                         stateFile: nil, logger: Logger(label: "test"),
                                         clock: { Timestamp(monotonic: .origin, wall: now) })
        let server = CompanionHTTPServer(configuration: CompanionConfiguration(listen: "127.0.0.1", port: 0), daemonStateFile: stateFile,
                                         companion: companion, logger: Logger(label: "test"))
        let port = Mutex(0)
        let serving = Task { try await server.run { bound in port.withLock { $0 = bound } } }
        let deadline = ContinuousClock.now + .seconds(20)
        while port.withLock({ $0 }) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        await Self.check(port: port.withLock { $0 }, stateFile: stateFile, now: now, http: http)
        serving.cancel()
        _ = await serving.result
        await http.shutdown()
        await feeds.shutdown()
    }

    static func check(port bound: Int, stateFile: String, now: WallClockTime, http: FeedHTTPClient) async {
        guard bound > 0 else {
            Issue.record("the server did not start")
            return
        }
        guard case let .document(body, _) = await http.get("http://127.0.0.1:\(bound)/metrics") else {
            Issue.record("no /metrics")
            return
        }
        guard let samples = try? Self.parse(String(decoding: body, as: UTF8.self)) else {
            Issue.record("not parsed")
            return
        }
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value("venueguard_daemon_up") == 1)
        #expect(value("venueguard_area_heat_level", ["area": "yard"]) == 3, "severe: WBGT 29.4")
        #expect(value("venueguard_area_status", ["area": "yard", "status": "severe"]) == 1)
        #expect(value("venueguard_area_status", ["area": "yard", "status": "safe"]) == 0)
        #expect(value("venueguard_wbgt_celsius", ["area": "yard"]).map { abs($0 - 29.4) < 0.01 } == true)
        #expect(value("venueguard_sensor_ok", ["sensor": "board"]) == 0 && value("venueguard_sensor_ok", ["sensor": "meter"]) == 1)
        #expect(value("venueguard_sensor_quality", ["sensor": "board", "quality": "faulted"]) == 1)
        #expect(value("venueguard_sensor_rejected_total", ["sensor": "board", "reason": "crc"]) == 1, "\(samples.filter { $0.name.hasPrefix("venueguard_sensor_rejected") })")
        #expect(value("venueguard_mqtt_backlog_messages") == 3 && value("venueguard_mqtt_dropped_messages_total") == 7)
        #expect(value("venueguard_official_known", ["source": "heat_alerts"]) == 0)
        #expect(value("venueguard_official_age_seconds", ["source": "heat_alerts"]).map { $0 >= 600 && $0 < 700 } == true)
        #expect(value("venueguard_last_strike_kilometres")?.isNaN == true, "no strike: NaN, not 0")
        // The official heat alerts are not known and no alert is held: "unknown", never "none".
        #expect(value("venueguard_heat_alert", ["alert": "unknown"]) == 1 && value("venueguard_heat_alert", ["alert": "none"]) == 0)

        // The daemon stopped and its file is old: not up.
        try? Data(Self.daemonState(written: now.adding(seconds: -120), running: false)).write(to: URL(fileURLWithPath: stateFile))
        guard case let .document(again, _) = await http.get("http://127.0.0.1:\(bound)/metrics") else {
            Issue.record("no /metrics the second time")
            return
        }
        let later = (try? Self.parse(String(decoding: again, as: UTF8.self))) ?? []
        #expect(later.first { $0.name == "venueguard_daemon_up" }?.value == 0)
        // Its last levels are not shown as if they were current.
        #expect(later.first { $0.name == "venueguard_area_heat_level" }?.value.isNaN == true)
        #expect(later.first { $0.name == "venueguard_wbgt_celsius" }?.value.isNaN == true)
        // Anything but GET /metrics is not served.
        if case .document = await http.get("http://127.0.0.1:\(bound)/state.json") { Issue.record("served a path it should not") }
    }

    @Test("The companion's parts are counted: notifications per channel, refused regional messages, unreadable records lines, failing record writes")
    func partsCounted() async throws {
        let folder = try DailyRecorderTests.folder()
        let now = Date().timeIntervalSince1970.rounded(.down)
        let recorder = DailyRecorder(directory: folder + "/records", keepDays: 30, utcOffsetSeconds: 9 * 3600, flushInterval: 0,
                                     logger: Logger(label: "test"))
        // Today's file holds a line the recorder did not write: counted when read back.
        let today = recorder.localMinute(now).date
        try FileManager.default.createDirectory(atPath: folder + "/records/yard", withIntermediateDirectories: true)
        try (RecordRow.header + "\nrubbish\n").write(toFile: "\(folder)/records/yard/\(today).csv", atomically: true, encoding: .utf8)
        let (snapshot, freshness) = try DailyRecorderTests.snapshot(yard: 22, at: now)
        await recorder.record(snapshot, freshness: freshness, at: now)
        // Notifications to a port nobody listens on: tried, to be retried, none delivered (the
        // HTTP client tries to connect again until its timeout, so a short one).
        let http = FeedHTTPClient(timeout: .seconds(2))
        let outbox = NotificationOutbox(configuration: NotificationTests.configuration(),
                                        channels: [.webhook(url: "http://127.0.0.1:9/hook", token: nil), .slack(url: "http://127.0.0.1:9/slack")],
                                        file: nil, siteID: "club", siteName: "Club", http: http, logger: Logger(label: "test"))
        await outbox.observe(NotificationTests.live("severe"), at: now)
        await outbox.deliver(at: now)
        let site = CompanionSiteConfiguration(siteID: "club", siteName: "Club", utcOffsetSeconds: 9 * 3600, official: nil,
                                              companion: CompanionConfiguration(listen: "127.0.0.1", port: 0), emergency: PageFixtures.plan)
        let page = VenuePage(site: site, daemonStateFile: folder + "/state.json", recorder: recorder, notifications: outbox)
        let regional = RegionalView(broker: .init(host: "127.0.0.1", port: 9), password: nil, logger: Logger(label: "test"))
        let server = CompanionHTTPServer(configuration: site.companion, daemonStateFile: folder + "/state.json", companion: nil, page: page,
                                         regional: regional, logger: Logger(label: "test"))
        let port = Mutex(0)
        let serving = Task { try await server.run { bound in port.withLock { $0 = bound } } }
        let deadline = ContinuousClock.now + .seconds(20)
        while port.withLock({ $0 }) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let bound = port.withLock { $0 }
        func scrape() async throws -> [(name: String, labels: [String: String], value: Double)] {
            guard case let .document(body, _) = await http.get("http://127.0.0.1:\(bound)/metrics") else { throw CancellationError() }
            return try Self.parse(String(decoding: body, as: UTF8.self))
        }
        let first = try await scrape()
        func value(_ samples: [(name: String, labels: [String: String], value: Double)], _ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value(first, "venueguard_records_unreadable_lines_total") == 1)
        #expect(value(first, "venueguard_records_rows_written_total") == 2, "the first minute of the yard and the hall")
        #expect(value(first, "venueguard_records_write_failing") == 0)
        #expect(value(first, "venueguard_notifications_retried_total", ["channel": "webhook"]) == 1)
        #expect(value(first, "venueguard_notifications_delivered_total", ["channel": "webhook"]) == 0)
        #expect(value(first, "venueguard_notifications_delivered_total", ["channel": "slack"]) == 0, "a configured channel shows from the start")
        #expect(value(first, "venueguard_notifications_failed_total", ["channel": "slack"]) == 0)
        #expect(value(first, "venueguard_regional_refused_messages_total") == 0)
        // The yard's folder becomes a file: its next row cannot be appended (the hall's can).
        try FileManager.default.removeItem(atPath: folder + "/records/yard")
        try "not a folder".write(toFile: folder + "/records/yard", atomically: true, encoding: .utf8)
        let (later, laterFreshness) = try DailyRecorderTests.snapshot(yard: 23, at: now + 60)
        await recorder.record(later, freshness: laterFreshness, at: now + 60)
        let second = try await scrape()
        #expect(value(second, "venueguard_records_write_failing") == 1)
        #expect(value(second, "venueguard_records_rows_written_total") == 3, "the hall's second row only")
        serving.cancel()
        _ = await serving.result
        await http.shutdown()
    }
}
