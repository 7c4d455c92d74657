import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardFeeds

struct WBGTForecastCSVTests {
    @Test("The forecast parses: 3-hourly times, hour 24 is the next day's 00, tenths with spaces, blanks")
    func parse() throws {
        let csv = try WBGTForecastCSV.parse(try fixture("yohou_44132.csv"))
        #expect(csv.times.count == 18)
        #expect(csv.times[0] == jst("2026-08-07 21:00"))
        #expect(csv.times[1] == jst("2026-08-08 00:00"))
        #expect(csv.times.last == jst("2026-08-10 00:00"))
        let p = try #require(csv.points.first)
        #expect(p.point == "44132")
        #expect(p.generated == jst("2026-08-07 20:25"))
        #expect(p.values[0] == 27.2)
        #expect(p.values[16] == nil)
    }

    @Test("Morning planning: today's and tomorrow's maxima and the times at or above each level", arguments: [
        ("2026-08-08 06:00", 32.5, "2026-08-08 15:00", HeatLevel.stop, 2, 30.9, HeatLevel.severe),
        ("2026-08-07 21:30", 27.2, "2026-08-07 21:00", .warning, 0, 32.5, .stop),
    ])
    func summary(_ row: (String, Double, String, HeatLevel, Int, Double, HeatLevel)) throws {
        let csv = try WBGTForecastCSV.parse(try fixture("yohou_44132.csv"))
        let s = try csv.summary(point: "44132", now: jst(row.0))
        #expect(s.today.maximum == row.1)
        #expect(s.today.maximumAt == jst(row.2))
        #expect(s.today.level == row.3)
        #expect(s.today.timesAtOrAbove[.stop]?.count ?? 0 == row.4)
        #expect(s.tomorrow.maximum == row.5)
        #expect(s.tomorrow.level == row.6)
        #expect(!s.clockBehindDocument)
    }

    @Test("Times at or above each level on the 8th (21/25/28/31 °C)")
    func levels() throws {
        let s = try WBGTForecastCSV.parse(try fixture("yohou_44132.csv")).summary(point: "44132", now: jst("2026-08-08 06:00"))
        #expect(s.today.slots == 8)
        #expect(s.today.missing == 0)
        #expect(s.today.timesAtOrAbove[.caution]?.count == 8)
        #expect(s.today.timesAtOrAbove[.warning]?.count == 8)
        #expect(s.today.timesAtOrAbove[.severe]?.map(\.hour) == [9, 12, 15, 18])
        #expect(s.today.timesAtOrAbove[.stop]?.map(\.hour) == [12, 15])
        #expect(s.tomorrow.missing == 1)  // 21:00 blank; 24:00 is the 10th
    }

    @Test("A prefecture file with several points: the configured one is chosen; a missing one is a fault")
    func points() throws {
        let csv = try WBGTForecastCSV.parse(try fixture("yohou_13.csv"))
        #expect(csv.points.map(\.point) == ["44132", "44112"])
        #expect(try csv.summary(point: "44112", now: jst("2026-08-08 06:00")).today.maximum == 33.3)
        expectFault(.wrongPoint) { () throws(FeedFault) in _ = try csv.summary(point: "62078", now: jst("2026-08-08 06:00")) }
    }

    @Test("Freshness: a forecast generated more than a day ago is stale; a clock behind it is flagged")
    func freshness() throws {
        let stale = try WBGTForecastCSV.parse(try fixture("yohou_44132_stale.csv"))
        expectFault(.stale, line: 2) { () throws(FeedFault) in _ = try stale.summary(point: "44132", now: jst("2026-08-08 06:00")) }
        let csv = try WBGTForecastCSV.parse(try fixture("yohou_44132.csv"))
        let behind = try csv.summary(point: "44132", now: jst("2026-01-01 00:00"))
        #expect(behind.clockBehindDocument)
        #expect(behind.today.date == JSTDate(year: 2026, month: 8, day: 7))
        expectFault(.stale) { () throws(FeedFault) in _ = try csv.summary(point: "44132", now: jst("2026-08-09 06:00"), maximumAge: .seconds(3600)) }
    }

    @Test("Malformed forecasts are refused with the line", arguments: [
        (",,2026080721,2026080724\n44132,2026/08/07 20:25, 272, 999\n", FeedFault.Kind.outOfRange, 2 as Int?),
        (",,2026080721,2026080724\n44132,2026/08/07 20:25, 272\n", .malformed, 2),
        (",,2026080724,2026080721\n44132,2026/08/07 20:25, 272, 262\n", .malformed, 1),
        (",,2026080727\n44132,2026/08/07 20:25, 272\n", .outOfRange, 1),
        ("44132,2026/08/07 20:25, 272\n", .malformed, 1),
        (",,2026080721\n4413,2026/08/07 20:25, 272\n", .malformed, 2),
        (",,2026080721\n44132,yesterday, 272\n", .outOfRange, 2),
        (",,2026080721\n44132,2026/08/07 20:25, 2x2\n", .outOfRange, 2),
        (",,2026080721\n", .malformed, nil),
    ])
    func malformed(_ row: (String, FeedFault.Kind, Int?)) {
        let data = Data(row.0.utf8)
        expectFault(row.1, line: row.2) { () throws(FeedFault) in _ = try WBGTForecastCSV.parse(data) }
    }

    @Test("Garbage and HTML are not forecasts")
    func garbage() throws {
        let bin = try fixture("garbage.bin")
        let html = try fixture("alert_html_error_page.csv")
        expectFault(.notText) { () throws(FeedFault) in _ = try WBGTForecastCSV.parse(bin) }
        expectFault(.malformed, line: 1) { () throws(FeedFault) in _ = try WBGTForecastCSV.parse(html) }
    }
}

struct WBGTEstimateCSVTests {
    @Test("The estimate parses: 24:00 is the next day's 00:00, blanks for hours not yet reached")
    func parse() throws {
        let csv = try WBGTEstimateCSV.parse(try fixture("wbgt_44132_202608.csv"), point: "44132")
        #expect(csv.point == "44132")
        #expect(csv.samples.count == 8 * 24)
        #expect(csv.samples[0].time == jst("2026-08-01 01:00"))
        #expect(csv.samples[23].time == jst("2026-08-02 00:00"))
        #expect(csv.value(at: jst("2026-08-01 01:40")) == 22.4)
        #expect(csv.value(at: jst("2026-08-08 09:00")) != nil)
        #expect(csv.value(at: jst("2026-08-08 10:00")) == nil)
        #expect(csv.samples.last?.time == jst("2026-08-09 00:00"))
    }

    @Test("Wrong point and malformed estimates are faults", arguments: [
        ("Date,Time,44132\n2026/8/1,1:00,25.0\n", "62078" as String?, FeedFault.Kind.wrongPoint, 1 as Int?),
        ("Date,Time\n2026/8/1,1:00,25.0\n", nil, .malformed, 1),
        ("Date,Time,44132\n2026/8/1,1:30,25.0\n", nil, .outOfRange, 2),
        ("Date,Time,44132\n2026/8/1,2:00,25.0\n2026/8/1,1:00,25.0\n", nil, .malformed, 3),
        ("Date,Time,44132\n2026/8/1,1:00,85.0\n", nil, .outOfRange, 2),
        ("Date,Time,44132\n2026/8/1,1:00,nan\n", nil, .outOfRange, 2),
        ("Date,Time,44132\n2026/8/1,1:00,25.0,1\n", nil, .malformed, 2),
        ("Date,Time,44132\n", nil, .malformed, nil),
    ])
    func faults(_ row: (String, String?, FeedFault.Kind, Int?)) {
        let data = Data(row.0.utf8)
        expectFault(row.2, line: row.3) { () throws(FeedFault) in _ = try WBGTEstimateCSV.parse(data, point: row.1) }
    }
}
