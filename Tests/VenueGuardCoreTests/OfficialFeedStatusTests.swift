import Testing
@testable import VenueGuardCore

/// What the daemon shows of the official sources: the companion's word, its silence, the events.
struct OfficialFeedStatusTests {
    typealias T = VenueEngineTests

    static func model() -> VenueModel {
        var model = T.model()
        model.officialSources = [.heatAlerts, .thunderAdvisory, .forecast]
        return model
    }

    /// `HH:MM` JST on the tests' day (13:00 at second 0).
    static func jst(_ hour: Int, _ minute: Int) -> WallClockTime {
        WallClockTime(year: 2024, month: 8, day: 1, hour: hour, minute: minute, utcOffsetSeconds: 9 * 3600)
    }

    static func feed(_ status: VenueStatus, _ source: OfficialSource) -> OfficialFeedStatus? {
        status.official.first { $0.source == source }
    }

    @Test("Each reported state reads as it should in both languages, with the site's local time", arguments: [
        (OfficialAvailability.known(asOf: jst(14, 5)), false, "heat alerts: known as of 14:05", "熱中症警戒アラート: 14:05時点で取得済み"),
        (.notKnown(since: jst(9, 0)), false, "heat alerts: not known since 09:00", "熱中症警戒アラート: 09:00から不明"),
        (.notKnown(since: nil), false, "heat alerts: not known", "熱中症警戒アラート: 不明(未取得)"),
        (.notKnown(since: jst(9, 0)), true, "heat alerts: not known since 09:00 (the companion service is silent)",
         "熱中症警戒アラート: 09:00から不明(連携サービス停止)"),
        (.outOfSeason, false, "heat alerts: out of season", "熱中症警戒アラート: 提供期間外"),
    ])
    func texts(_ row: (OfficialAvailability, Bool, String, String)) {
        let feed = OfficialFeedStatus(source: .heatAlerts, availability: row.0, companionSilent: row.1)
        #expect(feed.englishText(utcOffsetSeconds: 9 * 3600) == row.2)
        #expect(feed.japaneseText(utcOffsetSeconds: 9 * 3600) == row.3)
    }

    @Test("Before the companion's first word the sources are pending (no reason, no event); after the grace they are not known")
    func pendingThenSilent() {
        var engine = VenueEngine(model: Self.model())
        T.feedAll(&engine, 0)
        let first = engine.evaluate(at: T.at(0))
        #expect(first.official.map(\.source) == [.heatAlerts, .thunderAdvisory, .forecast])
        #expect(first.official.allSatisfy { $0.awaitingCompanion && !$0.availability.isKnown })
        #expect(!first.reasons.contains { $0.contains("not known") })
        _ = engine.drainEvents()
        T.feedAll(&engine, 170)
        let waiting = engine.evaluate(at: T.at(170))
        #expect(waiting.official.allSatisfy { $0.awaitingCompanion })
        T.feedAll(&engine, 181)
        let late = engine.evaluate(at: T.at(181))
        #expect(late.official.allSatisfy { $0.companionSilent && !$0.awaitingCompanion })
        #expect(late.reasons.contains("heat alerts: not known (the companion service is silent): the last official state holds until its end"),
                "\(late.reasons)")
        let events = engine.drainEvents().filter { $0.type == "official-feed-changed" }
        #expect(events.count == 3)
    }

    @Test("A source known, then not known since its last good time, then known again: one event each way, the reason only while not known")
    func transitions() {
        var engine = VenueEngine(model: Self.model())
        T.feedAll(&engine, 0)
        _ = engine.evaluate(at: T.at(0))
        engine.apply(.officialFeed(.heatAlerts, .known(asOf: Self.jst(13, 0))))
        engine.apply(.officialFeed(.thunderAdvisory, .known(asOf: Self.jst(13, 0))))
        engine.apply(.officialFeed(.forecast, .outOfSeason))
        T.feedAll(&engine, 10)
        let known = engine.evaluate(at: T.at(10))
        #expect(known.official.allSatisfy { $0.availability.isKnown })
        #expect(engine.drainEvents().filter { $0.type == "official-feed-changed" }.isEmpty, "good news at the first word is no event")

        engine.apply(.officialFeed(.heatAlerts, .notKnown(since: Self.jst(13, 0))))
        T.feedAll(&engine, 60)
        let lost = engine.evaluate(at: T.at(60))
        #expect(lost.reasons.contains("heat alerts: not known since 13:00: the last official state holds until its end"))
        let events = engine.drainEvents().filter { $0.type == "official-feed-changed" }
        #expect(events.count == 1 && events.first?.summary == "heat alerts: not known since 13:00")

        engine.apply(.officialFeed(.heatAlerts, .known(asOf: Self.jst(13, 2))))
        T.feedAll(&engine, 120)
        let back = engine.evaluate(at: T.at(120))
        #expect(!back.reasons.contains { $0.contains("not known") })
        #expect(engine.drainEvents().filter { $0.type == "official-feed-changed" }.count == 1)
    }

    @Test("The companion falling silent makes a known source not known since its last word, and a held alert stays")
    func silenceHoldsTheAlert() {
        var engine = VenueEngine(model: Self.model())
        T.feedAll(&engine, 0, yard: 22)
        _ = engine.evaluate(at: T.at(0))
        engine.apply(.heatAlert(.alert, until: Self.jst(23, 59), origin: .official))
        engine.apply(.officialFeed(.heatAlerts, .known(asOf: Self.jst(13, 0))))
        var status = engine.evaluate(at: T.at(0))
        // The alert's floor: outdoor activity stops (the guide's consequence).
        #expect(status.area("yard")?.status == .stop)
        for second in stride(from: 10.0, through: 600, by: 10) {
            T.feedAll(&engine, second, yard: 22)
            status = engine.evaluate(at: T.at(second))
        }
        let heat = Self.feed(status, .heatAlerts)
        #expect(heat?.companionSilent == true && heat?.availability == .notKnown(since: Self.jst(13, 0)))
        #expect(status.heatAlert == .alert && status.area("yard")?.status == .stop, "silence lowered a level")
    }

    @Test("A forecast is shown while it is handed in again, and dropped three hours after the last time")
    func forecastLifetime() {
        var engine = VenueEngine(model: Self.model())
        let day = OfficialForecast.Day(date: "2024-08-01", maximum: 31.2, level: .stop, atOrAbove: [.caution: ["09:00", "12:00"]])
        let forecast = OfficialForecast(point: "44132", generated: Self.jst(5, 0), today: day, tomorrow: day)
        engine.apply(.officialForecast(forecast))
        #expect(engine.evaluate(at: T.at(0)).forecast == forecast)
        #expect(engine.evaluate(at: T.at(3 * 3600 - 1)).forecast == forecast)
        #expect(engine.evaluate(at: T.at(3 * 3600 + 1)).forecast == nil)
    }

    @Test("A site without official sources shows none and never waits for a companion")
    func noSources() {
        var engine = VenueEngine(model: T.model())
        T.feedAll(&engine, 0)
        #expect(engine.evaluate(at: T.at(0)).official.isEmpty)
        T.feedAll(&engine, 600)
        #expect(engine.evaluate(at: T.at(600)).official.isEmpty)
    }

    @Test("The safety memory brings an official alert back as official: a manual clear cannot lift it")
    func memoryKeepsOrigin() throws {
        var engine = VenueEngine(model: Self.model())
        engine.apply(.heatAlert(.specialAlert, until: Self.jst(23, 59), origin: .official))
        _ = engine.evaluate(at: T.at(0))
        let memory = engine.memory(at: T.at(1))
        #expect(memory.heatAlertOfficial == true)
        var restarted = VenueEngine(model: Self.model())
        restarted.restore(memory, at: T.at(2))
        restarted.apply(.heatAlert(.none, until: nil))  // a manual clear
        #expect(restarted.evaluate(at: T.at(3)).heatAlert == .specialAlert)
        // A manual alert stays manual: a manual clear lifts it.
        var manual = VenueEngine(model: Self.model())
        manual.apply(.heatAlert(.alert, until: Self.jst(23, 59)))
        _ = manual.evaluate(at: T.at(0))
        #expect(manual.memory(at: T.at(1)).heatAlertOfficial == nil)
    }
}
