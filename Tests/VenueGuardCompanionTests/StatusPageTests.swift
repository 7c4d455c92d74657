import Foundation
import Testing
@testable import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardTelemetry

/// Daemon state files made by the real engine and the daemon's own writer, for the page tests.
enum PageFixtures {
    static let model: VenueModel = VenueModel(
        site: SiteDescriptor(id: "club", name: "Minami club"),
        areas: [AreaDescriptor(id: "yard", name: "Schoolyard", exposure: .outdoor, sensors: ["meter"]),
                AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["hall-meter", "board"])],
        sensors: [SensorDescriptor(id: "meter", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60)),
                  SensorDescriptor(id: "hall-meter", kind: "wbgt-meter", quantities: [.wbgt], samplingPeriod: .seconds(60)),
                  SensorDescriptor(id: "board", kind: "serial", quantities: [.airTemperature], samplingPeriod: .seconds(1), trust: .advisory)])

    /// The state file of a running daemon: the yard at `yard` °C WBGT, the hall at `hall`,
    /// optionally a strike `strikeKm` away now and a faulted board; written at `written`.
    static func state(yard: Double?, hall: Double = 24, strikeKm: Double? = nil, boardFaulted: Bool = false, running: Bool = true,
                      written: WallClockTime, model: VenueModel = PageFixtures.model) -> [UInt8] {
        var engine = VenueEngine(model: model)
        if let yard { engine.apply(.sensor(SensorReport(sensor: "meter", at: .origin, sample: .values([.wbgt: yard])))) }
        engine.apply(.sensor(SensorReport(sensor: "hall-meter", at: .origin, sample: .values([.wbgt: hall]))))
        engine.apply(.sensor(SensorReport(sensor: "board", at: .origin, sample: boardFaulted ? .fault(.crcMismatch) : .values([.airTemperature: 27]))))
        if let strikeKm { engine.apply(.strike(LightningStrike(distance: .kilometres(strikeKm), at: .origin))) }
        let status = engine.evaluate(at: Timestamp(monotonic: .origin, wall: written))
        return DaemonStateDocument.encode(status: status, payloads: TelemetryPayloads(site: "club", utcOffsetSeconds: 9 * 3600), mqtt: nil,
                                          pid: 1, configuration: "/etc/venueguard/venueguard.yaml", running: running,
                                          stoppedBecause: running ? nil : "SIGTERM", written: written,
                                          siteFacts: DaemonStateDocument.siteFacts(model))
    }

    static var plan: EmergencyPlan {
        var plan = EmergencyPlan()
        plan.personInCharge = .init(name: "山田 花子", phone: "090-1234-5678")
        plan.adviceLine = "#7119"
        plan.aed = .init(place: "1F entrance", childPads: true)
        plan.coolRoom = "2F meeting room"
        plan.indoors = "the main hall"
        return plan
    }

    static func page(_ bytes: [UInt8]?, now: Double, language: PageLanguage = .ja, plan: EmergencyPlan? = PageFixtures.plan,
                     fetched: OfficialSourcesFetched = OfficialSourcesFetched(nil)) -> StatusPage {
        let read: Result<DaemonSnapshot, SnapshotProblem> = bytes.map { bytes in
            Result { try DaemonSnapshot.decode(Data(bytes)) }.mapError { .unreadable("\($0)") }
        } ?? .failure(.noFile("/run/venueguard/state.json"))
        return StatusPage(snapshot: try? read.get(), freshness: DaemonFreshness.judge(read, now: now), siteName: "Minami club",
                          utcOffsetSeconds: 9 * 3600, emergency: plan, forecast: nil, officialFetched: fetched, records: [], now: now,
                          language: language)
    }
}

/// The page's words, colours and lead, from real daemon state files.
struct StatusPageTests {
    static let now = WallClockTime(secondsSince1970: 1_785_000_000)

    @Test("Each level: the block's colour, the level's name and what to do, in both languages", arguments: [
        (20.0, "safe", "ほぼ安全", "almost safe"),
        (22.0, "caution", "注意", "caution"),
        (26.0, "warning", "警戒", "warning"),
        (29.4, "severe", "厳重警戒", "severe warning"),
        (32.0, "stop", "危険", "danger: stop exercise"),
    ])
    func levels(_ row: (Double, String, String, String)) throws {
        let bytes = PageFixtures.state(yard: row.0, hall: 18, written: Self.now)
        let ja = PageFixtures.page(bytes, now: Self.now.secondsSince1970 + 2).live()
        let en = PageFixtures.page(bytes, now: Self.now.secondsSince1970 + 2, language: .en).live()
        let level = try #require(HeatLevel(rawValue: row.1))
        #expect(ja.contains("<section class=\"status s-\(row.1)\">"), "\(ja.prefix(400))")
        #expect(ja.contains("<h1>\(row.2)"), "\(ja.prefix(400))")
        #expect(ja.contains(HTMLText.escape(level.japaneseGuidance)))
        #expect(en.contains("<h1>\(HTMLText.escape(row.3))</h1>"))
        #expect(en.contains(HTMLText.escape(level.guidance)))
        // The reason says the number and the threshold in plain words.
        #expect(ja.contains("Schoolyard:暑さ指数(WBGT) \(String(format: "%.1f", row.0)) °C"), "\(ja)")
        #expect(!ja.contains("needs air_temperature"))
        // Only a stop leads with the emergency action.
        #expect(ja.contains("class=\"emergency\"") == (row.1 == "stop"))
    }

    @Test("A daemon stopped, silent or missing is said loudly; its last levels are never shown as now", arguments: [
        ("stopped", "VenueGuardは停止しています"), ("stale", "VenueGuardが応答していません"), ("missing", "VenueGuardの状態がわかりません"),
    ])
    func down(_ row: (String, String)) {
        let bytes: [UInt8]? = switch row.0 {
        case "stopped": PageFixtures.state(yard: 20, running: false, written: Self.now)
        case "stale": PageFixtures.state(yard: 20, written: Self.now)
        default: nil
        }
        let now = Self.now.secondsSince1970 + (row.0 == "stale" ? 95 : 2)
        let live = PageFixtures.page(bytes, now: now).live()
        #expect(live.contains("s-down"))
        #expect(live.contains(row.1), "\(live)")
        #expect(!live.contains("s-safe") && !live.contains("ほぼ安全"), "a steady safe never shows for a daemon that is not running")
        // The time of the last update, not an age: an open page that is not re-sent stays true.
        if row.0 == "stale" { #expect(live.contains("02:20:00から状態が更新されていません"), "\(live)") }
    }

    @Test("Official heat alerts not known and none held: the page says not known, never none", arguments: [PageLanguage.ja, .en])
    func heatAlertsNotKnown(_ language: PageLanguage) {
        let bytes = MetricsEndpointTests.daemonState(written: Self.now)
        let html = PageFixtures.page(bytes, now: Self.now.secondsSince1970, language: language).live()
        let expected = language == .ja ? "熱中症アラート: 不明(公式情報を取得できていません)" : "Heat-stroke alert: NOT KNOWN (the official feed cannot be read)"
        #expect(html.contains(expected), "\(html)")
    }

    @Test("A state that says nothing of an official source the companion fetches: the page, /metrics say not known, never none",
          arguments: [(true, false), (false, true), (true, true), (false, false)])
    func fetchedSourceNotInState(_ fetched: (heat: Bool, thunder: Bool)) throws {
        // A daemon started without the official inputs (or never told them) writes no `official` entries.
        let bytes = PageFixtures.state(yard: 20, written: Self.now)
        #expect(try DaemonSnapshot.decode(Data(bytes)).state?.official?.heatAlerts == nil, "the fixture must say nothing of the sources")
        let sources = OfficialSourcesFetched(heatAlerts: fetched.heat, thunderAdvisory: fetched.thunder)
        let html = PageFixtures.page(bytes, now: Self.now.secondsSince1970, language: .en, fetched: sources).live()
        #expect(html.contains("Heat-stroke alert: \(fetched.heat ? "NOT KNOWN (the official feed cannot be read)" : "none")"), "\(html)")
        #expect(html.contains("Thunder advisory: \(fetched.thunder ? "NOT KNOWN (the official feed cannot be read)" : "none")"), "\(html)")

        let text = VenueMetrics(officialFetched: sources)
            .render(daemonState: Data(bytes), companion: CompanionService.Counters(), now: Self.now.secondsSince1970 + 1)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let said = lines.filter { $0.hasPrefix("venueguard_heat_alert{") || $0.hasPrefix("venueguard_thunder_advisory ") }.sorted()
        #expect(lines.contains("venueguard_heat_alert{alert=\"unknown\"} \(fetched.heat ? "1.0" : "0.0")"), "\(said)")
        #expect(lines.contains("venueguard_heat_alert{alert=\"none\"} \(fetched.heat ? "0.0" : "1.0")"), "\(said)")
        #expect(lines.contains("venueguard_thunder_advisory \(fetched.thunder ? "nan" : "0.0")"), "\(said)")
    }

    @Test("Only known or out-of-season is known: not-known, pending (waiting for the companion), anything else, or nothing said of a fetched source is not", arguments: [
        ("known", false), ("out-of-season", false), ("not-known", true), ("pending", true), ("something-new", true),
    ])
    func sourceStates(_ row: (state: String, notKnown: Bool)) {
        for fetched in [OfficialSourcesFetched(heatAlerts: true, thunderAdvisory: true), OfficialSourcesFetched(nil)] {
            #expect(fetched.heatAlertsNotKnown(daemonSays: row.state) == row.notKnown, "\(row.state)")
            #expect(fetched.thunderAdvisoryNotKnown(daemonSays: row.state) == row.notKnown, "\(row.state)")
        }
    }

    @Test("Heat stop and lightning danger lead with the action, the AED and the numbers")
    func emergencyLead() {
        let stop = PageFixtures.page(PageFixtures.state(yard: 32, written: Self.now), now: Self.now.secondsSince1970).live()
        #expect(stop.hasPrefix("<section class=\"emergency\""), "\(stop.prefix(200))")
        #expect(stop.contains("全員を涼しい部屋へ(2F meeting room)"))
        #expect(stop.contains("送迎を待っている子も含めて"))
        #expect(stop.contains("1F entrance") && stop.contains("小児用パッドあり") && stop.contains("<strong>119</strong>") && stop.contains("#7119"))
        #expect(!stop.contains("全員すぐ屋内へ"))

        let lightning = PageFixtures.page(PageFixtures.state(yard: 22, strikeKm: 6, written: Self.now), now: Self.now.secondsSince1970, language: .en).live()
        #expect(lightning.hasPrefix("<section class=\"emergency\""))
        #expect(lightning.contains("Everyone indoors now (the main hall)"))
        #expect(lightning.contains("a strike 6.0 km away"), "\(lightning)")
        #expect(lightning.contains("lamp l-blue p-blink-fast"))
        #expect(lightning.contains("lightning alarm sounding (repeats until acknowledged)"))

        // Without a plan the numbers are still there.
        let bare = PageFixtures.page(PageFixtures.state(yard: 32, written: Self.now), now: Self.now.secondsSince1970, plan: nil).live()
        #expect(bare.contains("<strong>119</strong>") && bare.contains("全員を涼しい部屋へ"))
    }

    @Test("Faulted and silent sensors are named in plain words; the daemon's lines stay as details")
    func sensorsInPlainWords() {
        let live = PageFixtures.page(PageFixtures.state(yard: nil, boardFaulted: true, written: Self.now), now: Self.now.secondsSince1970).live()
        #expect(live.contains("センサー board が故障と判定されています"), "\(live)")
        #expect(live.contains("Schoolyard:暑さ指数が求められません"))
        #expect(live.contains("<details><summary>技術的な詳細</summary>"))
    }

    @Test("Text from the files is escaped: no markup reaches the page")
    func escaped() {
        var model = PageFixtures.model
        model.areas[0].name = "<script>alert(1)</script>"
        model.site.name = "\"><img src=x>"
        let page = PageFixtures.page(PageFixtures.state(yard: 29, written: Self.now, model: model), now: Self.now.secondsSince1970)
        let html = page.page()
        #expect(!html.contains("<script>alert") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<img src=x>"))
    }

    @Test("The legend card comes from the lamps' own legend, in both languages, with the plan")
    func legendCard() {
        let card = LegendCard(size: .a5, siteName: "Minami club", wbgt: .standardWBGT, dryBulb: .standardDryBulb, allClearMinutes: 30,
                              emergency: PageFixtures.plan).html()
        for status in SafetyStatus.allCases {
            let lamps = SignalLegend.lamps(status: status, lightning: .clear)
            let row = card.components(separatedBy: "<tr class=\"s-\(status.rawValue)\">")[1].components(separatedBy: "</tr>")[0]
            for lamp in [Lamp.green, .yellow, .red] {
                #expect(row.contains("l-\(lamp.rawValue) p-\((lamps[lamp] ?? .off).rawValue)"), "\(status) \(lamp)")
            }
        }
        // Severe: yellow and red steady, green off, in that row.
        let severe = card.components(separatedBy: "<tr class=\"s-severe\">")[1].components(separatedBy: "</tr>")[0]
        #expect(severe.contains("l-green p-off") && severe.contains("l-yellow p-steady") && severe.contains("l-red p-steady"))
        #expect(severe.contains("28–31") && severe.contains("厳重警戒") && severe.contains("severe warning"))
        #expect(card.contains("legend-a5.css") && card.contains("1F entrance") && card.contains("#7119"))
        #expect(card.contains("All lamps dark, or yellow blinking fast"))
    }
}
