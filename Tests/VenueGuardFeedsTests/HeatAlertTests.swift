import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardFeeds

struct HeatAlertCSVTests {
    @Test("Each issuance parses: report time, target dates, Tokyo's flags", arguments: [
        ("alert_20260806_17.csv", "2026-08-06 17:00", HeatAlertFlag.alert, HeatAlertFlag.alert),
        ("alert_20260807_05.csv", "2026-08-07 05:00", .alert, .outsideIssuingHours),
        ("alert_20260807_10.csv", "2026-08-07 10:00", .alert, .specialAlertJudged),
        ("alert_20260807_14.csv", "2026-08-07 14:00", .alert, .specialAlert),
        ("alert_20260807_17.csv", "2026-08-07 17:00", .alert, .specialAlert),
        ("alert_20260807_05_shift_jis.csv", "2026-08-07 05:00", .alert, .outsideIssuingHours),
        ("alert_20260807_05_bom.csv", "2026-08-07 05:00", .alert, .outsideIssuingHours),
    ])
    func issuances(_ row: (String, String, HeatAlertFlag, HeatAlertFlag)) throws {
        let csv = try HeatAlertCSV.parse(try fixture(row.0))
        #expect(csv.reportTime == jst(row.1))
        #expect(csv.targetDate1 == jst(row.1).date)
        #expect(csv.targetDate2 == jst(row.1).date.adding(days: 1))
        #expect(csv.areas.count == 58)
        let tokyo = try #require(csv.area(code: "130000"))
        #expect(tokyo.name == "東京都")
        #expect(tokyo.prefectureCode == "13")
        #expect(tokyo.targetDate1Flag == row.2)
        #expect(tokyo.targetDate2Flag == row.3)
        #expect(tokyo.extraColumns["日最高WBGT（17:00）"]?.hasPrefix("東京:") == true)
        #expect(csv.status == "通常")
        #expect(csv.createTime.map { $0 < csv.reportTime } == true)
    }

    @Test("Shift_JIS and a BOM are detected and read the same as plain UTF-8")
    func encodings() throws {
        let utf8 = try HeatAlertCSV.parse(try fixture("alert_20260807_05.csv"))
        let sjis = try HeatAlertCSV.parse(try fixture("alert_20260807_05_shift_jis.csv"))
        let bom = try HeatAlertCSV.parse(try fixture("alert_20260807_05_bom.csv"))
        #expect(utf8.encoding == .utf8)
        #expect(sjis.encoding == .shiftJIS)
        #expect(bom.encoding == .utf8)
        #expect(sjis.areas.map(\.name) == utf8.areas.map(\.name))
        #expect(sjis.areas.map(\.targetDate1Flag) == utf8.areas.map(\.targetDate1Flag))
        #expect(bom.metadata["Title"] == "熱中症特別警戒情報・熱中症警戒情報")
    }

    @Test("Garbage, HTML, oversized and bad fields are faults naming the line", arguments: [
        ("garbage.bin", FeedFault.Kind.notText, nil as Int?),
        ("alert_html_error_page.csv", .malformed, 1),
        ("alert_oversized.csv", .tooLarge, nil),
        ("alert_20260807_05_bad_flag.csv", .outOfRange, 43),
    ])
    func faultyFixtures(_ row: (String, FeedFault.Kind, Int?)) throws {
        let data = try fixture(row.0)
        expectFault(row.1, line: row.2) { () throws(FeedFault) in _ = try HeatAlertCSV.parse(data) }
    }

    static let header = "府県予報区,都府県・振興局表示番号,都府県・振興局表示番号サブ,府県予報区等コード,都道府県名,都道府県コード,TargetDate1フラグ,TargetDate2フラグ"
    static let meta = "ReportDate,2026/08/07\nReportTime,05:00:00\nTargetDate1,2026/08/07\nTargetDate2,2026/08/08\n"

    @Test("Strict layout checks", arguments: [
        (meta + "東京都,44,0,130000,東京,13,1,9\n", FeedFault.Kind.malformed, 5 as Int?),  // no header: the line is not key,value
        (meta + header + "\n", .malformed, nil),  // no area lines
        (meta + header + "\n東京都,44,0,13000,東京,13,1,9\n", .malformed, 6),  // 5-digit code
        (meta + header + "\n東京都,44,0,130000,東京,13,1,9\n東京都,44,0,130000,東京,13,1,9\n", .malformed, 7),  // duplicate
        (meta + header + "\n東京都,44,0,130000,東京,48,1,9\n", .outOfRange, 6),  // prefecture 48
        (meta + header + "\n東京都,44,0,130000,東京,13,1\n", .malformed, 6),  // too few fields
        ("ReportDate,2026/13/07\nReportTime,05:00:00\nTargetDate1,2026/08/07\nTargetDate2,2026/08/08\n" + header + "\n東京都,44,0,130000,東京,13,1,9\n", .outOfRange, 1),
        ("ReportDate,2026/08/07\nReportTime,25:00:00\nTargetDate1,2026/08/07\nTargetDate2,2026/08/08\n" + header + "\n東京都,44,0,130000,東京,13,1,9\n", .outOfRange, 2),
        ("ReportDate,2026/08/07\nReportTime,05:00:00\nTargetDate1,2026/08/07\nTargetDate2,2026/08/09\n" + header + "\n東京都,44,0,130000,東京,13,1,9\n", .outOfRange, 4),
        ("ReportDate,2026/08/07\nReportDate,2026/08/07\n" + header + "\n東京都,44,0,130000,東京,13,1,9\n", .malformed, 2),  // repeated key
        ("ReportTime,05:00:00\nTargetDate1,2026/08/07\nTargetDate2,2026/08/08\n" + header + "\n東京都,44,0,130000,東京,13,1,9\n", .malformed, nil),  // no ReportDate
        ("府県予報区,都府県・振興局表示番号,府県予報区等コード\n", .malformed, 1),  // header without flag columns
        (meta + header + "\n\"東京都\",44,0,130000,東京,13,1,9\n", .malformed, 6),  // quotes
    ])
    func strictLayout(_ row: (String, FeedFault.Kind, Int?)) {
        let data = Data(row.0.utf8)
        expectFault(row.1, line: row.2) { () throws(FeedFault) in _ = try HeatAlertCSV.parse(data) }
    }

    @Test("Too many area lines are refused")
    func boundedRows() {
        var text = Self.meta + Self.header + "\n"
        for i in 0..<(HeatAlertCSV.maximumAreas + 1) { text += "地域,1,0,\(100000 + i),x,13,0,0\n" }
        let data = Data(text.utf8)
        expectFault(.malformed) { () throws(FeedFault) in _ = try HeatAlertCSV.parse(data) }
    }
}

struct HeatAlertIssuanceTests {
    @Test("Which files to try at a given JST time", arguments: [
        ("2026-08-07 04:59", ["alert_20260806_17.csv"]),
        ("2026-08-07 05:00", ["alert_20260807_05.csv", "alert_20260806_17.csv"]),
        ("2026-08-07 05:10", ["alert_20260807_05.csv", "alert_20260806_17.csv"]),
        ("2026-08-07 09:59", ["alert_20260807_05.csv", "alert_20260806_17.csv"]),
        ("2026-08-07 14:30", ["alert_20260807_14.csv", "alert_20260807_10.csv", "alert_20260807_05.csv", "alert_20260806_17.csv"]),
        ("2026-08-07 17:05", ["alert_20260807_17.csv", "alert_20260807_14.csv", "alert_20260807_10.csv", "alert_20260807_05.csv", "alert_20260806_17.csv"]),
        ("2026-08-08 00:10", ["alert_20260807_17.csv"]),
        ("2026-09-01 00:30", ["alert_20260831_17.csv"]),
        ("2027-01-01 03:00", ["alert_20261231_17.csv"]),
    ])
    func candidates(_ row: (String, [String])) {
        #expect(HeatAlertIssuance.candidates(at: jst(row.0)).map(\.fileName) == row.1)
        #expect(HeatAlertIssuance.newest(atOrBefore: jst(row.0)).fileName == row.1[0])
    }

    @Test("URL, path, next/previous and file-name round trip")
    func naming() throws {
        let i = try #require(HeatAlertIssuance(date: JSTDate(year: 2026, month: 8, day: 7)!, hour: 5))
        #expect(i.url == "https://www.wbgt.env.go.jp/alert/dl/2026/alert_20260807_05.csv")
        #expect(i.next.fileName == "alert_20260807_10.csv")
        #expect(i.previous.fileName == "alert_20260806_17.csv")
        #expect(i.previous.next == i)
        #expect(HeatAlertIssuance(fileName: "alert_20260807_05.csv") == i)
        #expect(HeatAlertIssuance(fileName: "alert_20260807_06.csv") == nil)
        #expect(HeatAlertIssuance(fileName: "alert_20260230_05.csv") == nil)
        #expect(HeatAlertIssuance(date: i.date, hour: 12) == nil)
    }

    @Test("Season: 22 April to 21 October", arguments: [
        ("2026-04-21", false), ("2026-04-22", true), ("2026-08-07", true), ("2026-10-21", true), ("2026-10-22", false),
    ])
    func season(_ row: (String, Bool)) {
        #expect(HeatAlertSeason.standard.contains(jst(row.0 + " 12:00").date) == row.1)
    }
}

struct HeatAlertJudgementTests {
    func judge(_ file: String, _ requested: String, area: String = "130000", now: String,
               policy: HeatAlertPolicy = .standard) throws(FeedFault) -> HeatAlertJudgement {
        let csv: HeatAlertCSV
        do { csv = try HeatAlertCSV.parse(try fixture(file)) } catch let fault as FeedFault { throw fault } catch {
            fatalError("fixture \(file): \(error)")
        }
        return try HeatAlertJudgement.judge(csv, requested: HeatAlertIssuance(fileName: requested)!, areaCode: area,
                                            now: jst(now), policy: policy)
    }

    @Test("Alert, special alert (judged and announced), none, outside issuing hours", arguments: [
        ("alert_20260806_17.csv", "130000", "2026-08-06 17:05", HeatAlert.alert as HeatAlert?, HeatAlert.alert as HeatAlert?),
        ("alert_20260807_05.csv", "130000", "2026-08-07 05:10", .alert, nil),  // 9: no information about tomorrow
        ("alert_20260807_10.csv", "130000", "2026-08-07 10:20", .alert, .specialAlert),  // 2 counts as special
        ("alert_20260807_14.csv", "130000", "2026-08-07 14:05", .alert, .specialAlert),
        ("alert_20260807_17.csv", "270000", "2026-08-07 17:05", HeatAlert.none, .alert),
        ("alert_20260807_05.csv", "140000", "2026-08-07 05:10", HeatAlert.none, nil),
    ])
    func flags(_ row: (String, String, String, HeatAlert?, HeatAlert?)) throws {
        let issuance = String(row.0.prefix(21))
        let j = try judge(row.0, issuance, area: row.1, now: row.2)
        #expect(j.day1.alert == row.3)
        #expect(j.day2.alert == row.4)
        #expect(j.day1.date == j.issuance.date)
        #expect(!j.clockBehindDocument)
    }

    @Test("Flag 2 can be set to count as an ordinary alert until announced")
    func judgedPolicy() throws {
        var policy = HeatAlertPolicy.standard
        policy.specialAlertJudgedCounts = .alert
        let j = try judge("alert_20260807_10.csv", "alert_20260807_10.csv", now: "2026-08-07 10:20", policy: policy)
        #expect(j.day2.flag == .specialAlertJudged)
        #expect(j.day2.alert == .alert)
    }

    @Test("Feed faults: another issuance, another date, missing area, training, stale", arguments: [
        ("alert_stale_20260801_05_served_for_20260807_10.csv", "alert_20260807_10.csv", "130000", "2026-08-07 10:20", FeedFault.Kind.wrongIssuance),
        ("alert_20260807_05.csv", "alert_20260807_10.csv", "130000", "2026-08-07 10:20", .wrongIssuance),
        ("alert_20260807_05_without_130000.csv", "alert_20260807_05.csv", "130000", "2026-08-07 05:10", .wrongArea),
        ("alert_20260807_05.csv", "alert_20260807_05.csv", "999999", "2026-08-07 05:10", .wrongArea),
        ("alert_20260807_05.csv", "alert_20260807_05.csv", "13000", "2026-08-07 05:10", .wrongArea),
        ("alert_20260807_05_training.csv", "alert_20260807_05.csv", "130000", "2026-08-07 05:10", .notNormal),
        ("alert_20260807_05.csv", "alert_20260807_05.csv", "130000", "2026-08-07 17:50", .stale),
        ("alert_20260807_05.csv", "alert_20260807_05.csv", "130000", "2026-08-07 10:46", .stale),
        ("alert_20260806_17.csv", "alert_20260806_17.csv", "130000", "2026-08-07 05:46", .stale),
        ("alert_20260806_17.csv", "alert_20260806_17.csv", "130000", "2026-08-09 12:00", .stale),
    ])
    func faults(_ row: (String, String, String, String, FeedFault.Kind)) {
        expectFault(row.4) { () throws(FeedFault) in _ = try judge(row.0, row.1, area: row.2, now: row.3) }
    }

    @Test("Within the publication grace the previous issuance is still current", arguments: [
        ("alert_20260807_05.csv", "2026-08-07 10:44"),
        ("alert_20260806_17.csv", "2026-08-07 05:44"),
        ("alert_20260806_17.csv", "2026-08-07 00:10"),  // across midnight
        ("alert_20260807_17.csv", "2026-08-08 04:59"),
    ])
    func grace(_ row: (String, String)) throws {
        _ = try judge(row.0, String(row.0.prefix(21)), now: row.1)
    }

    @Test("A clock behind the document (1970) cannot judge freshness: used, flagged, not stale")
    func clockBehind() throws {
        let j = try judge("alert_20260807_05.csv", "alert_20260807_05.csv", now: "2026-01-01 00:00")
        #expect(j.clockBehindDocument)
        #expect(j.day1.alert == .alert)
        let csv = try HeatAlertCSV.parse(try fixture("alert_20260807_05.csv"))
        let epoch = JSTDateTime(WallClockTime(secondsSince1970: 0))
        #expect(epoch.date == JSTDate(year: 2000, month: 1, day: 1))
        let k = try HeatAlertJudgement.judge(csv, requested: HeatAlertIssuance(fileName: "alert_20260807_05.csv")!,
                                             areaCode: "130000", now: epoch)
        #expect(k.clockBehindDocument)
    }
}
