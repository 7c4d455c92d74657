import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardFeeds

/// Successive documents, faults and clocks merged by `HeatAlertState`.
struct HeatAlertStateTests {
    /// Judges fixture `file` (its own issuance) for `area` at `wall` and records it at monotonic `mono`.
    func read(_ state: inout HeatAlertState, _ file: String, area: String = "130000", at wall: String, mono: Double,
              synchronized: Bool = true) throws {
        let csv = try HeatAlertCSV.parse(try fixture(file))
        let j = try HeatAlertJudgement.judge(csv, requested: HeatAlertIssuance(fileName: String(file.prefix(21)))!,
                                             areaCode: area, now: jst(wall))
        state.record(j, at: stamp(wall, mono: mono, synchronized: synchronized))
    }

    /// Seconds between two JST times.
    func seconds(_ from: String, _ to: String) -> Double {
        jst(to).wallClockTime.secondsSince1970 - jst(from).wallClockTime.secondsSince1970
    }

    @Test("Clock tests: which alert applies at 04:59, 05:10, 17:05 and across midnight")
    func clockTable() throws {
        var s = HeatAlertState()
        let t0 = "2026-08-06 17:05"
        try read(&s, "alert_20260806_17.csv", at: t0, mono: 0)
        let rows: [(String, HeatAlert, String?)] = [
            ("2026-08-06 17:05", .alert, "2026-08-07 00:00"),  // the 6th's own alert
            ("2026-08-06 23:59", .alert, "2026-08-07 00:00"),
            ("2026-08-07 00:00", .alert, "2026-08-08 00:00"),  // the 7th's, issued the day before
            ("2026-08-07 04:59", .alert, "2026-08-08 00:00"),
        ]
        for (wall, alert, until) in rows {
            let st = s.status(at: stamp(wall, mono: seconds(t0, wall)))
            #expect(st.alert == alert, "\(wall)")
            #expect(st.until == until.map { jst($0).wallClockTime }, "\(wall)")
            #expect(st.availability.isKnown, "\(wall): \(st.availability)")
        }
        try read(&s, "alert_20260807_05.csv", at: "2026-08-07 05:10", mono: seconds(t0, "2026-08-07 05:10"))
        let at0510 = s.status(at: stamp("2026-08-07 05:10", mono: seconds(t0, "2026-08-07 05:10")))
        #expect(at0510.alert == .alert)
        #expect(at0510.tomorrow == nil)  // 9: nothing known about the 8th yet
        #expect(at0510.availability == .known(asOf: jst("2026-08-07 05:10")))
        try read(&s, "alert_20260807_17.csv", at: "2026-08-07 17:05", mono: seconds(t0, "2026-08-07 17:05"))
        let at1705 = s.status(at: stamp("2026-08-07 17:05", mono: seconds(t0, "2026-08-07 17:05")))
        #expect(at1705.alert == .alert)
        #expect(at1705.tomorrow == .specialAlert)
        let late = s.status(at: stamp("2026-08-07 23:59:59", mono: seconds(t0, "2026-08-07 23:59:59")))
        #expect(late.alert == .alert)
        let midnight = s.status(at: stamp("2026-08-08 00:00:30", mono: seconds(t0, "2026-08-08 00:00:30")))
        #expect(midnight.alert == .specialAlert)
        #expect(midnight.date == JSTDate(year: 2026, month: 8, day: 8))
        #expect(midnight.until == jst("2026-08-09 00:00").wallClockTime)
        #expect(midnight.announced)
    }

    @Test("A later document saying 0 does not lift an alert already issued for the day")
    func neverLifted() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260806_17.csv", area: "140000", at: "2026-08-06 17:05", mono: 0)
        try read(&s, "alert_20260807_05.csv", area: "140000", at: "2026-08-07 05:10", mono: seconds("2026-08-06 17:05", "2026-08-07 05:10"))
        try read(&s, "alert_20260807_10.csv", area: "140000", at: "2026-08-07 10:05", mono: seconds("2026-08-06 17:05", "2026-08-07 10:05"))
        let st = s.status(at: stamp("2026-08-07 12:00", mono: seconds("2026-08-06 17:05", "2026-08-07 12:00")))
        #expect(st.alert == .alert)
        #expect(st.until == jst("2026-08-08 00:00").wallClockTime)
        #expect(st.availability.isKnown)
    }

    @Test("Special alert judged (flag 2) applies as special, marked not yet announced; 3 then announces it")
    func judgedThenAnnounced() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_10.csv", at: "2026-08-07 10:05", mono: 0)
        let next = s.status(at: stamp("2026-08-08 08:00", mono: seconds("2026-08-07 10:05", "2026-08-08 08:00")))
        #expect(next.alert == .specialAlert)
        #expect(!next.announced)
        try read(&s, "alert_20260807_14.csv", at: "2026-08-07 14:05", mono: seconds("2026-08-07 10:05", "2026-08-07 14:05"))
        let after = s.status(at: stamp("2026-08-08 08:00", mono: seconds("2026-08-07 10:05", "2026-08-08 08:00")))
        #expect(after.announced)
    }

    @Test("The feed dies mid-day: the alert holds to 23:59 and 'not known since' appears at once")
    func feedDies() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_05.csv", at: "2026-08-07 05:10", mono: 0)
        try read(&s, "alert_20260807_10.csv", at: "2026-08-07 10:05", mono: seconds("2026-08-07 05:10", "2026-08-07 10:05"))
        let fault = FeedFault(.notText, .heatAlertCSV, "HTTP 503")
        s.recordFault(fault, at: stamp("2026-08-07 14:05", mono: seconds("2026-08-07 05:10", "2026-08-07 14:05")))
        let st = s.status(at: stamp("2026-08-07 14:06", mono: seconds("2026-08-07 05:10", "2026-08-07 14:06")))
        #expect(st.alert == .alert)
        #expect(st.availability == .notKnown(since: jst("2026-08-07 10:05"), reason: fault.description))
        #expect(st.availability.englishText(source: "heat alerts") == "heat alerts: not known since 10:05 (heat alert CSV: HTTP 503)")
        #expect(st.availability.japaneseText(source: "熱中症アラート") == "熱中症アラート: 10:05から不明")
        let evening = s.status(at: stamp("2026-08-07 23:59", mono: seconds("2026-08-07 05:10", "2026-08-07 23:59")))
        #expect(evening.alert == .alert)
        let tomorrow = s.status(at: stamp("2026-08-08 09:00", mono: seconds("2026-08-07 05:10", "2026-08-08 09:00")))
        #expect(tomorrow.alert == .specialAlert)  // learned from the 10:00 flag 2 before the feed died
        #expect(!tomorrow.availability.isKnown)
    }

    @Test("Without any fault reported, a document no longer current turns 'not known' after the grace")
    func silentStaleness() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_10.csv", at: "2026-08-07 10:05", mono: 0)
        #expect(s.status(at: stamp("2026-08-07 14:44", mono: seconds("2026-08-07 10:05", "2026-08-07 14:44"))).availability.isKnown)
        let st = s.status(at: stamp("2026-08-07 14:46", mono: seconds("2026-08-07 10:05", "2026-08-07 14:46")))
        guard case let .notKnown(since, reason) = st.availability else {
            Issue.record("expected not known, got \(st.availability)")
            return
        }
        #expect(since == jst("2026-08-07 10:05"))
        #expect(reason.contains("2026-08-07 14:00"))
        #expect(st.alert == .alert)
    }

    @Test("A wrong wall clock never ends an alert early", arguments: [
        (WallClockTime(secondsSince1970: 0), true),  // 1970, claiming to be synchronised
        (WallClockTime(secondsSince1970: 0), false),
        (WallClockTime(year: 2031, month: 1, day: 1), true),  // jumped far ahead
        (WallClockTime(year: 2026, month: 8, day: 9, hour: 12), true),  // a day and a half ahead
    ])
    func wrongClock(_ row: (WallClockTime, Bool)) throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_05.csv", at: "2026-08-07 05:10", mono: 0)
        // Ten minutes later the clock reads nonsense.
        let st = s.status(at: stamp(wall: row.0, mono: 600, synchronized: row.1))
        #expect(st.alert == .alert)
        // Still in force at 23:59 by the monotonic clock…
        let late = s.status(at: stamp(wall: row.0, mono: seconds("2026-08-07 05:10", "2026-08-07 23:59"), synchronized: row.1))
        #expect(late.alert == .alert)
        // …and ended once the monotonic clock proves the day is over, counted from the file's creation (04:30:02).
        let over = s.status(at: stamp(wall: row.0, mono: seconds("2026-08-07 04:30:02", "2026-08-08 00:00:00") + 1, synchronized: row.1))
        #expect(over.alert == .none)
    }

    @Test("An unsynchronised clock applies tomorrow's alert early rather than late (safe side)")
    func unsynchronisedTomorrow() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_17.csv", at: "2026-08-07 17:05", mono: 0)
        #expect(s.status(at: stamp("2026-08-07 17:05", mono: 10)).alert == .alert)
        #expect(s.status(at: stamp("2026-08-07 17:05", mono: 10, synchronized: false)).alert == .specialAlert)
        // A clock behind by a day but "synchronised": tomorrow's starts by the monotonic proof.
        let behind = s.status(at: stamp("2026-08-06 12:00", mono: seconds("2026-08-07 16:30:02", "2026-08-08 00:00:10")))
        #expect(behind.alert == .specialAlert)
    }

    @Test("Nothing read yet: not known (never 'no alert'); out of season: normal")
    func initial() {
        let s = HeatAlertState()
        let st = s.status(at: stamp("2026-08-07 12:00", mono: 0))
        #expect(st.alert == .none)
        #expect(st.availability == .notKnown(since: nil, reason: "no heat alert document read yet"))
        #expect(s.status(at: stamp("2026-11-20 12:00", mono: 0)).availability == .outOfSeason)
        #expect(FeedAvailability.outOfSeason.englishText(source: "heat alerts") == "heat alerts: out of season")
    }

    @Test("An older document read after a newer one does not roll the newest issuance back")
    func olderDocument() throws {
        var s = HeatAlertState()
        try read(&s, "alert_20260807_10.csv", at: "2026-08-07 10:05", mono: 0)
        let csv = try HeatAlertCSV.parse(try fixture("alert_20260807_05.csv"))
        let j = try HeatAlertJudgement.judge(csv, requested: HeatAlertIssuance(fileName: "alert_20260807_05.csv")!,
                                             areaCode: "130000", now: jst("2026-08-07 10:06"))
        s.record(j, at: stamp("2026-08-07 10:06", mono: 60))
        let st = s.status(at: stamp("2026-08-07 10:07", mono: 120))
        #expect(st.newestIssuance == HeatAlertIssuance(fileName: "alert_20260807_10.csv"))
        #expect(st.availability == .known(asOf: jst("2026-08-07 10:05")))
    }
}
