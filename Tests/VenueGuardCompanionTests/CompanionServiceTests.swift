import Foundation
import Glibc
import Logging
import Synchronization
import Testing
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardFeeds
@testable import VenueGuardCompanion

/// The companion against a local HTTP server serving recorded documents (the feeds' fixtures,
/// Tests/VenueGuardFeedsTests/Fixtures) and faults, handing its inputs to the daemon's real
/// channel (`CompanionChannel`) on a Unix socket.
@Suite(.timeLimit(.minutes(2)))
struct CompanionServiceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VenueGuardFeedsTests/Fixtures")

    /// A local feed server over a temporary tree laid out like the official sites.
    final class FeedServer: @unchecked Sendable {
        let root: URL
        var process: Process?
        let port: Int

        private init(root: URL, port: Int) {
            self.root = root
            self.port = port
        }

        /// Starts Debian's python3 (not a version manager's shim, which would stand between the
        /// test and the server's pid) and waits, bounded, for the port it writes.
        static func start() async throws -> FeedServer {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("vg-feeds-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            let portFile = root.appendingPathComponent("port")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env")
            process.arguments = (process.executableURL?.path == "/usr/bin/env" ? ["python3"] : [])
                + [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("feed_server.py").path, root.path, portFile.path]
            try process.run()
            for _ in 0..<500 {
                if let text = try? String(contentsOf: portFile, encoding: .utf8), text.hasSuffix("\n"), let port = Int(text.dropLast()) {
                    let server = FeedServer(root: root, port: port)
                    server.process = process
                    return server
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            process.terminate()
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the feed server did not start"])
        }

        /// SIGKILL, without waiting on a thread of the cooperative pool.
        func kill() {
            if let process, process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        }

        /// SIGKILL, then waits (polling, within 10 s) until the process has ended.
        func killAndWait() async throws {
            kill()
            let deadline = ContinuousClock.now + .seconds(10)
            while process?.isRunning == true {
                guard ContinuousClock.now < deadline else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "the feed server did not end"]) }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        deinit {
            kill()
            try? FileManager.default.removeItem(at: root)
        }

        var base: String { "http://127.0.0.1:\(port)/" }

        /// Puts fixture `name` at `path` (with `replacing` applied to its text).
        func serve(_ name: String, at path: String, replacing: [(String, String)] = []) throws {
            let target = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            var data = try Data(contentsOf: CompanionServiceTests.fixtures.appendingPathComponent(name))
            if !replacing.isEmpty {
                var text = String(decoding: data, as: UTF8.self)
                for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
                data = Data(text.utf8)
            }
            try? FileManager.default.removeItem(at: target)
            try data.write(to: target)
        }

        func remove(_ path: String) { try? FileManager.default.removeItem(at: root.appendingPathComponent(path)) }

        /// Every request so far: (path, If-Modified-Since or "-").
        var requests: [(path: String, ifModifiedSince: String)] {
            let text = (try? String(contentsOf: root.appendingPathComponent("requests.log"), encoding: .utf8)) ?? ""
            return text.split(separator: "\n").map {
                let parts = $0.split(separator: " ", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "-")
            }
        }
    }

    /// A settable clock: JST wall time and a monotonic reading that moves with it.
    final class TestClock: Sendable {
        private let state: Mutex<Timestamp>
        init(_ jst: String, synchronized: Bool = true) {
            state = Mutex(Self.stamp(jst, mono: 1000, synchronized: synchronized))
        }
        static func stamp(_ jst: String, mono: Double, synchronized: Bool) -> Timestamp {
            let p = jst.split(whereSeparator: { "- :".contains($0) }).map { Int($0)! }
            let wall = WallClockTime(year: p[0], month: p[1], day: p[2], hour: p[3], minute: p[4], utcOffsetSeconds: 9 * 3600)
            return Timestamp(monotonic: MonotonicInstant(seconds: mono), wall: wall, wallClockSynchronized: synchronized)
        }
        var now: Timestamp { state.withLock { $0 } }
        func advance(seconds: Double) {
            state.withLock { $0 = Timestamp(monotonic: $0.monotonic + .seconds(seconds), wall: $0.wall.adding(seconds: seconds),
                                             wallClockSynchronized: $0.wallClockSynchronized) }
        }
    }

    /// The daemon's end: the real channel, collecting the inputs it accepts.
    final class DaemonEnd: Sendable {
        final class Inputs: Sendable {
            let list = Mutex<[VenueInput]>([])
        }
        let channel: CompanionChannel
        let inputs = Inputs()
        init(directory: URL, clock: TestClock) throws {
            let inputs = self.inputs
            channel = try CompanionChannel(path: directory.appendingPathComponent("companion.sock").path, logger: Logger(label: "test"),
                                           now: { clock.now }) { new in inputs.list.withLock { $0 += new } }
        }
        var received: [VenueInput] { inputs.list.withLock { $0 } }
        func wait(until condition: ([VenueInput]) -> Bool) async -> Bool {
            for _ in 0..<200 {
                if condition(received) { return true }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return condition(received)
        }
    }

    static let official = OfficialFeedsConfiguration(heatAlertArea: "130000", thunderMunicipality: "1310100", wbgtPoint: "44132")

    static func service(_ server: FeedServer, daemon: DaemonEnd, clock: TestClock, stateFile: String? = nil,
                        official: OfficialFeedsConfiguration = official, timeout: Duration = .seconds(5)) -> (CompanionService, FeedHTTPClient) {
        let http = FeedHTTPClient(timeout: timeout)
        let endpoints = CompanionService.Endpoints(environmentBase: server.base, jmaFeed: server.base + "developer/xml/feed/extra.xml",
                                                   jmaLongFeed: server.base + "developer/xml/feed/extra_l.xml")
        let service = CompanionService(official: official, endpoints: endpoints, http: http, channel: DaemonChannelClient(path: daemon.channel.path),
                                       stateFile: stateFile, logger: Logger(label: "test"), clock: { clock.now })
        return (service, http)
    }

    /// The official layout on the local server: the 17:00 alert file, the long and short feeds
    /// with links to the local documents, the warning documents and the forecast.
    static func serveDay(_ server: FeedServer) throws {
        try server.serve("alert_20260807_14.csv", at: "alert/dl/2026/alert_20260807_14.csv")
        let links = [("https://www.data.jma.go.jp/", server.base)]
        try server.serve("extra.xml", at: "developer/xml/feed/extra_l.xml", replacing: links)
        try server.serve("extra.xml", at: "developer/xml/feed/extra.xml", replacing: links)
        try server.serve("VPWW61_130000_issued.xml", at: "developer/xml/data/20260807051231_0_VPWW61_130000.xml")
        try server.serve("VPWW54_130000_continued.xml", at: "developer/xml/data/20260807051229_0_VPWW54_130000.xml")
        try server.serve("VPWW61_130000_continued.xml", at: "developer/xml/data/20260807074022_0_VPWW61_130000.xml")
        try server.serve("VPWW61_140000_issued.xml", at: "developer/xml/data/20260807053000_0_VPWW61_140000.xml")
        try server.serve("yohou_44132.csv", at: "prev15WG/dl/yohou_44132.csv")
        try server.serve("wbgt_44132_202608.csv", at: "est15WG/dl/wbgt_44132_202608.csv")
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vg-companion-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("The day's alert, the advisory in force and the forecast reach the daemon's channel as validated inputs")
    func fetchesAndHandsOn() async throws {
        let server = try await FeedServer.start()
        try Self.serveDay(server)
        let directory = try Self.directory()
        // The feed fixture was written at 16:41.
        let clock = TestClock("2026-08-07 16:45")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let stateFile = directory.appendingPathComponent("state.json").path
        let (service, http) = Self.service(server, daemon: daemon, clock: clock, stateFile: stateFile)
        await service.pollOnce()

        let endOfDay = WallClockTime(year: 2026, month: 8, day: 8, utcOffsetSeconds: 9 * 3600)
        #expect(await daemon.wait { $0.contains(.heatAlert(.alert, until: endOfDay, origin: .official)) }, "\(daemon.received)")
        #expect(await daemon.wait { inputs in inputs.contains { if case .thunderAdvisory(true, _, .official) = $0 { true } else { false } } })
        // What is known about each source, and the forecast, reach it too.
        #expect(await daemon.wait { inputs in
            [OfficialSource.heatAlerts, .thunderAdvisory, .forecast].allSatisfy { source in
                inputs.contains { if case .officialFeed(source, .known) = $0 { true } else { false } }
            }
        }, "\(daemon.received)")
        #expect(await daemon.wait { inputs in
            inputs.contains { if case let .officialForecast(f) = $0 { f.point == "44132" && f.today.maximum != nil } else { false } }
        })
        // The latest hours of the official estimate, never one ahead of the clock (16:45).
        #expect(await daemon.wait { inputs in inputs.contains { if case .officialEstimate = $0 { true } else { false } } })
        let estimateHours = daemon.received.compactMap { if case let .officialEstimate(hour, _) = $0 { hour } else { nil } }
        let clockNow = WallClockTime(year: 2026, month: 8, day: 7, hour: 16, minute: 45, utcOffsetSeconds: 9 * 3600)
        #expect(!estimateHours.isEmpty && estimateHours.count <= CompanionService.estimateHoursSent && estimateHours.allSatisfy { $0 <= clockNow },
                "\(estimateHours)")
        #expect(daemon.channel.counts.rejected == 0)
        let heat = await service.heatStatus()
        #expect(heat.alert == .alert && heat.tomorrow == .specialAlert && heat.availability.isKnown)
        #expect(await service.thunderStatus().inForce)
        #expect(await service.notCheckedLastPoll.isEmpty)  // in season: every configured feed was asked
        let forecast = try #require(await service.forecastSummary())
        #expect(forecast.point == "44132" && forecast.today.maximum != nil)

        // What the state file says, with the sources named.
        let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stateFile))) as? [String: Any])
        let heatState = try #require(state["heat_alerts"] as? [String: Any])
        #expect(heatState["alert"] as? String == "alert" && heatState["source"] as? String == "出典：環境省熱中症予防情報サイト")
        #expect((state["thunder_advisory"] as? [String: Any])?["in_force"] as? Bool == true)

        // Another office's document is never downloaded; each document once.
        let paths = server.requests.map(\.path)
        #expect(!paths.contains { $0.contains("VPWW61_140000") })
        #expect(paths.filter { $0.hasSuffix("alert_20260807_14.csv") }.count == 1)

        // The long feed first; a minute later the short one; a minute after that the short one
        // with the Last-Modified it gave (If-Modified-Since: 304). Nothing fetched twice.
        #expect(server.requests.contains { $0.path.hasSuffix("/feed/extra_l.xml") && $0.ifModifiedSince == "-" })
        clock.advance(seconds: 60)
        await service.pollOnce()
        #expect(server.requests.contains { $0.path.hasSuffix("/feed/extra.xml") && $0.ifModifiedSince == "-" })
        clock.advance(seconds: 60)
        await service.pollOnce()
        let second = server.requests
        #expect(second.filter { $0.path.hasSuffix("/feed/extra.xml") }.last?.ifModifiedSince != "-", "\(second)")
        #expect(await service.thunderStatus().availability.isKnown)
        for document in Set(second.map(\.path)) where document.contains("/xml/data/") || document.contains("/alert/dl/") {
            #expect(second.filter { $0.path == document }.count == 1, "\(document) fetched more than once")
        }
        await http.shutdown()
    }

    @Test("Out of season the Ministry is not asked, and the poll lists the heat-alert and forecast codes it did not check")
    func outOfSeasonNotChecked() async throws {
        let server = try await FeedServer.start()
        try Self.serveDay(server)
        let directory = try Self.directory()
        let clock = TestClock("2026-11-30 10:00")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let (service, http) = Self.service(server, daemon: daemon, clock: clock)
        await service.pollOnce()
        let lines = await service.notCheckedLastPoll
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("heat alerts for area 130000: not asked, out of season") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("WBGT forecast for point 44132: not asked, out of season") }, "\(lines)")
        #expect(!server.requests.contains { $0.path.contains("/alert/dl/") || $0.path.contains("WG/dl/") }, "\(server.requests)")
        await http.shutdown()
    }

    @Test("A dead feed is never 'no alert': the known alert holds to the end of its day and the state says 'not known since'")
    func deadFeedHolds() async throws {
        let server = try await FeedServer.start()
        try Self.serveDay(server)
        let directory = try Self.directory()
        let clock = TestClock("2026-08-07 05:10")
        try server.serve("alert_20260807_05.csv", at: "alert/dl/2026/alert_20260807_05.csv")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let stateFile = directory.appendingPathComponent("state.json").path
        let official = OfficialFeedsConfiguration(heatAlertArea: "130000", pollInterval: .seconds(600))
        let (service, http) = Self.service(server, daemon: daemon, clock: clock, stateFile: stateFile, official: official)
        await service.pollOnce()
        #expect(await service.heatStatus().alert == .alert)

        // The server dies (the port closes): the 10:00 issuance cannot be fetched.
        try await server.killAndWait()
        clock.advance(seconds: 5 * 3600)  // 10:10
        let before = daemon.received.count
        await service.pollOnce()
        let heat = await service.heatStatus()
        #expect(heat.alert == .alert, "a feed that cannot be read lifted the alert")
        #expect(!heat.availability.isKnown)
        #expect(await daemon.wait { $0.count > before && $0.contains(.heatAlert(.alert, until: WallClockTime(year: 2026, month: 8, day: 8, utcOffsetSeconds: 9 * 3600), origin: .official)) })
        let fiveTen = WallClockTime(year: 2026, month: 8, day: 7, hour: 5, minute: 10, utcOffsetSeconds: 9 * 3600)
        #expect(await daemon.wait { $0.last == .officialFeed(.heatAlerts, .notKnown(since: fiveTen)) }, "\(daemon.received.suffix(3))")
        let state = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stateFile))) as? [String: Any])
        let text = try #require((state["heat_alerts"] as? [String: Any])?["text_en"] as? String)
        #expect(text.contains("not known since"), "\(text)")
        #expect(((state["heat_alerts"] as? [String: Any])?["text_ja"] as? String)?.contains("不明") == true)
        await http.shutdown()
    }

    @Test("The feed dies mid-day: through the real channel into the engine, the alert's floor holds and 'not known since' appears within one poll interval")
    func feedDiesMidDayInTheEngine() async throws {
        let server = try await FeedServer.start()
        try Self.serveDay(server)
        try server.serve("alert_20260807_05.csv", at: "alert/dl/2026/alert_20260807_05.csv")
        let directory = try Self.directory()
        let clock = TestClock("2026-08-07 05:10")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let official = OfficialFeedsConfiguration(heatAlertArea: "130000", pollInterval: .seconds(600))
        let (service, http) = Self.service(server, daemon: daemon, clock: clock, official: official)
        var model = VenueModel(site: SiteDescriptor(id: "club", name: "Club"),
                               areas: [AreaDescriptor(id: "yard", name: "Yard", exposure: .outdoor, sensors: ["wbgt"])],
                               sensors: [SensorDescriptor(id: "wbgt", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60))])
        model.officialSources = official.sources
        var engine = VenueEngine(model: model)
        var taken = 0
        /// One engine tick at the test clock with a cool WBGT reading and every input the channel took so far.
        func tick() -> VenueStatus {
            let now = clock.now
            engine.apply(.sensor(SensorReport(sensor: "wbgt", at: now.monotonic, sample: .values([.wbgt: 20]))))
            for input in daemon.received.dropFirst(taken) { engine.apply(input) }
            taken = daemon.received.count
            return engine.evaluate(at: now)
        }
        _ = tick()
        await service.pollOnce()
        #expect(await daemon.wait { $0.contains(.officialFeed(.heatAlerts, .known(asOf: clock.now.wall))) })
        var status = tick()
        #expect(status.heatAlert == .alert && status.area("yard")?.status == .stop, "\(status.reasons)")
        #expect(!status.reasons.contains { $0.contains("not known") })

        // The server dies after the 05:00 issuance was read. Nothing new is due before the 10:00
        // one, so until then the alerts are known; from 10:00 the daemon must say "not known"
        // within one poll interval (10 minutes), rounds running once a minute.
        try await server.killAndWait()
        clock.advance(seconds: 4 * 3600 + 49 * 60)  // 09:59
        var minutesToNotKnown: Int?
        for minute in 0...10 {
            clock.advance(seconds: 60)
            await service.pollOnce()
            let sent = await service.counters.inputsSent
            #expect(await daemon.wait { _ in daemon.channel.counts.accepted >= sent })
            status = tick()
            if minutesToNotKnown == nil, status.reasons.contains(where: { $0.hasPrefix("heat alerts: not known") }) { minutesToNotKnown = minute }
            #expect(status.heatAlert == .alert && status.area("yard")?.status == .stop, "the dead feed lowered the level at 10:0\(minute)")
        }
        #expect(minutesToNotKnown.map { $0 <= 10 } == true, "not known after \(String(describing: minutesToNotKnown)) minutes")
        #expect(status.reasons.contains("heat alerts: not known since 05:10: the last official state holds until its end"), "\(status.reasons)")
        #expect(status.heatAlert == .alert && status.area("yard")?.status == .stop, "the dead feed lowered the level")
        #expect(status.official.first?.availability == .notKnown(since: WallClockTime(year: 2026, month: 8, day: 7, hour: 5, minute: 10, utcOffsetSeconds: 9 * 3600)))
        await http.shutdown()
    }

    @Test("Faults: 5xx, 404 everywhere, garbage, a slow reply, a document for another day are feed faults, never an alert lifted or invented",
          arguments: ["status/500/", "status/404/", "garbage/", "slow/", "another-issuance"])
    func faults(_ kind: String) async throws {
        let server = try await FeedServer.start()
        let directory = try Self.directory()
        let clock = TestClock("2026-08-07 10:50")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let official = OfficialFeedsConfiguration(heatAlertArea: "130000")
        let http = FeedHTTPClient(timeout: .seconds(2))
        var base = server.base
        if kind == "another-issuance" {
            try server.serve("alert_stale_20260801_05_served_for_20260807_10.csv", at: "alert/dl/2026/alert_20260807_10.csv")
        } else {
            base += kind
        }
        let service = CompanionService(official: official, endpoints: .init(environmentBase: base, jmaFeed: base, jmaLongFeed: base), http: http,
                                       channel: DaemonChannelClient(path: daemon.channel.path), stateFile: nil, logger: Logger(label: "test"),
                                       clock: { clock.now })
        let started = ContinuousClock.now
        await service.pollOnce()
        #expect(ContinuousClock.now - started < .seconds(15), "a slow server held the poll")
        let heat = await service.heatStatus()
        #expect(heat.alert == .none)
        // 404 for every issuance is "not published yet"; past the grace of the 10:00 file it is not known either.
        #expect(!heat.availability.isKnown, "\(kind): \(heat.availability)")
        // Only the report that heat alerts are not known was sent (counted where it is sent):
        // no alert, set or lifted.
        let counters = await service.counters
        #expect(counters.inputsSent == 1 && counters.inputsUnsent == 0, "\(counters)")
        #expect(await daemon.wait { $0.count == 1 })
        #expect(daemon.received == [.officialFeed(.heatAlerts, .notKnown(since: nil))], "\(daemon.received)")
        if kind == "status/500/" || kind == "slow/" { #expect(counters.fetchFailures >= 1) }
        if kind == "garbage/" || kind == "another-issuance" { #expect(counters.feedFaults >= 1) }
        await http.shutdown()
    }

    /// A `forecast` report with one field changed.
    static func forecastRow(point: String = "44132", date: String = "2026-08-07", max: String = "31.2", level: String = "\"stop\"",
                            times: String = "\"09:00\",\"24:00\"", extra: String = "") -> String {
        let today = #"{"date":"\#(date)","max_wbgt":\#(max),"level":\#(level),"at_or_above":{"caution":[\#(times)]\#(extra)}}"#
        let tomorrow = #"{"date":"2026-08-08","max_wbgt":null,"level":null,"at_or_above":{}}"#
        return #"forecast\#n{"point":"\#(point)","generated":"2026-08-07T17:00:00+09:00","today":\#(today),"tomorrow":\#(tomorrow)}"#
    }

    /// Datagrams and whether the daemon takes them.
    static let channelRows: [(String, Bool)] = [
        ("alert\n{\"heat_alert\":\"special-alert\",\"until\":\"2026-08-08T00:00:00+09:00\"}", true),
        ("ack\n{\"by\":\"companion\"}", false),
        ("alert\n{\"heat_alert\":\"none\"}", false),
        ("alert\n{\"heat_alert\":\"alert\"}", false),
        ("alert\n{\"thunder_advisory\":false}", true),
        ("alert\n{\"thunder_advisory\":true,\"until\":\"2026-08-07T23:00:00+09:00\"}", true),
        ("ping\n{}", false),
        ("alert\n{\"heat_alert\":\"hot\"}", false),
        ("alert\n{\"heat_alert\":\"alert\",\"heat_alert\":\"none\"}", false),
        ("alert\n{\"heat_alert\":\"alert\",\"until\":\"2026-08-01T00:00:00+09:00\"}", false),
        ("alert {\"heat_alert\":\"alert\"}", false),
        ("alert\n" + String(repeating: " ", count: 2000) + "{}", false),
        ("shutdown\n{}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"known\",\"as_of\":\"2026-08-07T20:40:00+09:00\"}", true),
        ("feed\n{\"source\":\"thunder_advisory\",\"state\":\"not-known\",\"since\":\"2026-08-07T19:00:00+09:00\"}", true),
        ("feed\n{\"source\":\"forecast\",\"state\":\"not-known\"}", true),
        ("feed\n{\"source\":\"forecast\",\"state\":\"out-of-season\"}", true),
        ("feed\n{\"source\":\"earthquake\",\"state\":\"known\",\"as_of\":\"2026-08-07T20:40:00+09:00\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"known\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"known\",\"as_of\":\"2026-08-08T20:40:00+09:00\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"not-known\",\"since\":\"2026-07-01T00:00:00+09:00\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"known\",\"as_of\":\"2026-08-07T20:40:00+09:00\",\"alert\":\"none\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"state\":\"fine\"}", false),
        ("feed\n{\"source\":\"heat_alerts\",\"source\":\"forecast\",\"state\":\"out-of-season\"}", false),
        ("feed\n[1,2]", false),
        (forecastRow(), true),
        (forecastRow(max: "99"), false),
        (forecastRow(max: "true"), false),
        (forecastRow(max: "\"31\""), false),
        (forecastRow(date: "2026-02-30"), false),
        (forecastRow(times: Array(repeating: "\"09:00\"", count: 9).joined(separator: ",")), false),
        (forecastRow(times: "\"25:00\""), false),
        (forecastRow(level: "\"hot\""), false),
        (forecastRow(point: "4413"), false),
        (forecastRow(extra: ",\"safe\":[\"09:00\"]"), false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":27.5}", true),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":27}", true),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:30:00+09:00\",\"wbgt\":27.5}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":true}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":\"27\"}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":99}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-04T20:00:00+09:00\",\"wbgt\":27.5}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T22:00:00+09:00\",\"wbgt\":27.5}", false),
        ("estimate\n{\"point\":\"44132\",\"hour\":\"2026-08-07T20:00:00+09:00\",\"wbgt\":27.5,\"note\":\"x\"}", false),
    ]

    @Test("The daemon's channel takes exactly what MQTT's commands take and refuses the rest", arguments: channelRows)
    func channelValidates(_ row: (String, Bool)) async throws {
        let directory = try Self.directory()
        let clock = TestClock("2026-08-07 20:45")
        let daemon = try DaemonEnd(directory: directory, clock: clock)
        let parts = row.0.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let client = DaemonChannelClient(path: daemon.channel.path)
        if parts.count == 2 {
            try client.send(name: String(parts[0]), json: String(parts[1]))
        } else {
            try client.send(name: row.0, json: "")
        }
        #expect(await daemon.wait { _ in daemon.channel.counts.accepted + daemon.channel.counts.rejected == 1 })
        #expect(daemon.channel.counts.accepted == (row.1 ? 1 : 0), "\(row.0.prefix(80))")
        if row.1 { #expect(await daemon.wait { $0.count == 1 }) } else { #expect(daemon.received.isEmpty) }
    }
}
