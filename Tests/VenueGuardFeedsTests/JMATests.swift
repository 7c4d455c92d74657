import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardFeeds

struct JMAAtomFeedTests {
    @Test("extra.xml: entries with id, title, updated, link, author; data-type and office codes from the file name")
    func parse() throws {
        let feed = try JMAAtomFeed.parse(try fixture("extra.xml"))
        #expect(feed.updated == JSTDateTime.parseISO8601("2026-08-07T07:41:02Z"))
        #expect(feed.entries.count == 7)
        let e = feed.entries[0]
        #expect(e.title == "気象警報・注意報（Ｒ０６）（その他注意報）")
        #expect(e.author == "気象庁予報部")
        #expect(e.link == "https://www.data.jma.go.jp/developer/xml/data/20260807051231_0_VPWW61_130000.xml")
        #expect(e.key == e.link)
        #expect(e.dataTypeCode == "VPWW61")
        #expect(e.areaCode == "130000")
        #expect(e.updated == JSTDateTime.parseISO8601("2026-08-07T05:12:31Z"))
        #expect(e.content?.hasPrefix("【東京都その他の注意報】") == true)
    }

    struct Selection: Sendable {
        var kinds: Set<JMAAtomFeed.WarningKind>
        var offices: Set<String>
        var authors: Set<String> = []
        var stamps: [String]
    }

    @Test("Selecting the advisory documents that can concern the venue", arguments: [
        Selection(kinds: [.vpww61], offices: ["130000"], stamps: ["20260807074022", "20260807051231"]),
        Selection(kinds: [.vpww61, .vpww54], offices: ["130000"], stamps: ["20260807074022", "20260807051231", "20260807051229"]),
        Selection(kinds: [.vpww61], offices: ["140000"], stamps: ["20260807053000"]),
        Selection(kinds: [.vpww61], offices: [], authors: ["横浜地方気象台"], stamps: ["20260807053000"]),
        Selection(kinds: [.vpww61], offices: ["270000"], stamps: []),
    ])
    func selection(_ row: Selection) throws {
        let feed = try JMAAtomFeed.parse(try fixture("extra.xml"))
        let picked = feed.warningEntries(kinds: row.kinds, officeCodes: row.offices, authors: row.authors)
        let stamps: [String] = picked.map { entry in
            let name = entry.link.split(separator: "/").last.map(String.init) ?? ""
            return String(name.prefix(14))
        }
        #expect(stamps == row.stamps)
    }

    @Test("The feed itself must be current (it is rewritten every minute)")
    func current() throws {
        let feed = try JMAAtomFeed.parse(try fixture("extra.xml"))
        try feed.checkCurrent(now: JSTDateTime.parseISO8601("2026-08-07T07:45:00Z")!)
        try feed.checkCurrent(now: WallClockTime(secondsSince1970: 0))  // clock behind: accepted
        expectFault(.stale) { () throws(FeedFault) in try feed.checkCurrent(now: JSTDateTime.parseISO8601("2026-08-07T08:00:00Z")!) }
    }

    @Test("Not Atom, garbage, HTML and entity expansion are refused", arguments: [
        ("extra_not_atom.xml", FeedFault.Kind.malformed),
        ("garbage.bin", .notText),
        ("alert_html_error_page.csv", .malformed),
        ("xml_entity_bomb.xml", .malformed),
        ("VPWW61_130000_issued.xml", .malformed),  // a Report is not a feed
    ])
    func refused(_ row: (String, FeedFault.Kind)) throws {
        let data = try fixture(row.0)
        expectFault(row.1) { () throws(FeedFault) in _ = try JMAAtomFeed.parse(data) }
    }
}

struct JMAWarningDocumentTests {
    @Test("VPWW61 and VPWW54: issued, continued, lifted, none, correction for 千代田区 (1310100)", arguments: [
        ("VPWW61_130000_issued.xml", ThunderAdvisoryStatus.issued, "発表", "2026-08-07T14:12:00+09:00", "VPWW61", false),
        ("VPWW61_130000_continued.xml", .continued, "継続", "2026-08-07T16:40:00+09:00", "VPWW61", false),
        ("VPWW61_130000_lifted.xml", .lifted, "解除", "2026-08-07T21:05:00+09:00", "VPWW61", false),
        ("VPWW61_130000_none.xml", ThunderAdvisoryStatus.none, "発表警報・注意報はなし", "2026-08-08T05:00:00+09:00", "VPWW61", false),
        ("VPWW61_130000_correction.xml", .lifted, "解除", "2026-08-07T14:12:00+09:00", "VPWW61", true),
        ("VPWW54_130000_continued.xml", .continued, "継続", "2026-08-07T16:40:00+09:00", "VPWW54", false),
    ])
    func states(_ row: (String, ThunderAdvisoryStatus, String, String, String, Bool)) throws {
        let doc = try JMAWarningDocument.parse(try fixture(row.0))
        let r = try doc.thunderAdvisory(municipality: "1310100")
        #expect(r.status == row.1)
        #expect(r.statusText == row.2)
        #expect(r.reportTime == JSTDateTime.parseISO8601(row.3))
        #expect(r.source == row.4)
        #expect(r.isCorrection == row.5)
        #expect(r.status.inForce == (row.1 == .issued || row.1 == .continued))
    }

    @Test("Control and Head are read; the Headline summary is not mistaken for the body")
    func structure() throws {
        let doc = try JMAWarningDocument.parse(try fixture("VPWW61_130000_none.xml"))
        #expect(doc.controlStatus == .normal)
        #expect(doc.controlTitle == "気象警報・注意報（Ｒ０６）（その他注意報）")
        #expect(doc.controlDateTime == JSTDateTime.parseISO8601("2026-08-07T20:00:09Z"))
        #expect(doc.publishingOffice == "気象庁")
        #expect(doc.headTitle == "東京都気象警報・注意報")
        #expect(doc.infoType == "発表")
        #expect(doc.warnings.keys.sorted().count == 4)
        #expect(doc.warnings[JMAWarningDocument.municipalityWarningType]?.map(\.areaCode) == ["1310100", "1310200", "1320100"])
    }

    @Test("Training, cancellation, another office, no namespaces, entity expansion and bad codes are faults", arguments: [
        ("VPWW61_130000_training.xml", "1310100", FeedFault.Kind.notNormal),
        ("VPWW61_130000_cancel.xml", "1310100", .notNormal),
        ("VPWW61_140000_issued.xml", "1310100", .wrongArea),
        ("VPWW61_130000_issued.xml", "131010", .wrongArea),
        ("VPWW61_130000_issued.xml", "1410000", .wrongArea),
        ("VPWW61_no_namespace.xml", "1310100", .malformed),
        ("xml_entity_bomb.xml", "1310100", .malformed),
        ("garbage.bin", "1310100", .notText),
        ("extra.xml", "1310100", .malformed),
    ])
    func faults(_ row: (String, String, FeedFault.Kind)) throws {
        let data = try fixture(row.0)
        expectFault(row.2) { () throws(FeedFault) in _ = try JMAWarningDocument.parse(data).thunderAdvisory(municipality: row.1) }
    }

    @Test("Truncated XML is malformed and names a line")
    func truncated() throws {
        let data = try fixture("VPWW61_130000_issued.xml").prefix(1500)
        let fault = expectFault(.malformed) { () throws(FeedFault) in _ = try JMAWarningDocument.parse(Data(data)) }
        #expect(fault?.line != nil)
    }
}

struct JMAWarningJSONTests {
    let now = JSTDateTime.parseISO8601("2026-08-07T17:00:00+09:00")!

    @Test("r8 JSON: elements merged, municipality matched, 発表警報・注意報はなし understood", arguments: [
        ("r8_130000.json", "1310100", ThunderAdvisoryStatus.continued, "2026-08-07T16:40:00+09:00"),
        ("r8_130000.json", "1310200", .continued, "2026-08-07T16:40:00+09:00"),
        ("r8_130000.json", "1364100", ThunderAdvisoryStatus.none, "2026-08-07T16:40:00+09:00"),
        ("r8_130000_lifted.json", "1310100", .lifted, "2026-08-07T21:05:00+09:00"),
    ])
    func states(_ row: (String, String, ThunderAdvisoryStatus, String)) throws {
        let json = try JMAWarningJSON.parse(try fixture(row.0))
        let r = try json.thunderAdvisory(municipality: row.1, now: now)
        #expect(r.status == row.2)
        #expect(r.reportTime == JSTDateTime.parseISO8601(row.3))
        #expect(r.source == "r8 JSON")
    }

    @Test("The frozen pre-2026 file is rejected as stale, even when it answers 200 with valid JSON", arguments: [
        ("r8_130000_stale.json", FeedFault.Kind.stale),
        ("warning_130000_frozen_pre2026.json", .malformed),  // the old object shape
        ("garbage.bin", .notText),
        ("extra.xml", .malformed),
    ])
    func rejected(_ row: (String, FeedFault.Kind)) throws {
        let data = try fixture(row.0)
        let now = self.now
        expectFault(row.1) { () throws(FeedFault) in _ = try JMAWarningJSON.parse(data).thunderAdvisory(municipality: "1310100", now: now) }
    }

    @Test("Freshness and area: too old is stale, a clock behind is accepted, an unlisted municipality is a fault")
    func freshness() throws {
        let json = try JMAWarningJSON.parse(try fixture("r8_130000.json"))
        expectFault(.stale) { () throws(FeedFault) in
            _ = try json.thunderAdvisory(municipality: "1310100", now: JSTDateTime.parseISO8601("2026-08-11T00:00:00+09:00")!)
        }
        #expect(try json.thunderAdvisory(municipality: "1310100", now: WallClockTime(secondsSince1970: 0)).status == .continued)
        // Only in the VPWW58 (wind) element: the thunder state for it is not in this file.
        expectFault(.wrongArea) { () throws(FeedFault) in _ = try json.thunderAdvisory(municipality: "1336100", now: now) }
    }
}

struct ThunderAdvisoryStateTests {
    func report(_ file: String) throws -> ThunderAdvisoryReport {
        try JMAWarningDocument.parse(try fixture(file)).thunderAdvisory(municipality: "1310100")
    }

    @Test("Issued, continued, a re-delivered older document, lifted, none")
    func sequence() throws {
        var s = ThunderAdvisoryState()
        let steps: [(String, String, Bool, Bool)] = [
            ("VPWW61_130000_issued.xml", "2026-08-07 14:13", true, true),
            ("VPWW61_130000_continued.xml", "2026-08-07 16:41", true, true),
            ("VPWW61_130000_issued.xml", "2026-08-07 16:45", false, true),  // older: ignored
            ("VPWW61_130000_lifted.xml", "2026-08-07 21:06", true, false),
            ("VPWW61_130000_continued.xml", "2026-08-07 21:07", false, false),  // late, older: never overrides the lift
            ("VPWW61_130000_none.xml", "2026-08-08 05:01", true, false),
        ]
        var mono = 0.0
        for (file, wall, accepted, inForce) in steps {
            mono += 60
            let accepted1 = s.record(try report(file), at: stamp(wall, mono: mono))
            #expect(accepted1 == accepted, "\(file)")
            let now = s.status(at: stamp(wall, mono: mono))
            #expect(now.inForce == inForce, "\(file)")
            #expect(now.availability.isKnown)
        }
    }

    @Test("A fault keeps the advisory in force and says 'not known since'")
    func faultHolds() throws {
        var s = ThunderAdvisoryState()
        s.record(try report("VPWW61_130000_issued.xml"), at: stamp("2026-08-07 14:13", mono: 0))
        let fault = FeedFault(.stale, .jmaAtomFeed, "the feed was updated at 14:20")
        s.recordFault(fault, at: stamp("2026-08-07 14:40", mono: 1620))
        let now = s.status(at: stamp("2026-08-07 14:41", mono: 1680))
        #expect(now.inForce)
        #expect(now.availability == .notKnown(since: jst("2026-08-07 14:13"), reason: fault.description))
        #expect(now.availability.japaneseText(source: "雷注意報") == "雷注意報: 14:13から不明")
        s.recordConfirmation(at: stamp("2026-08-07 14:42", mono: 1740))
        #expect(s.status(at: stamp("2026-08-07 14:42", mono: 1740)).availability == .known(asOf: jst("2026-08-07 14:42")))
    }

    @Test("Silence alone turns the source 'not known' after the maximum silence")
    func silence() throws {
        var s = ThunderAdvisoryState()
        #expect(s.status(at: stamp("2026-08-07 14:00", mono: 0)).availability == .notKnown(since: nil, reason: "no thunder advisory document read yet"))
        s.record(try report("VPWW61_130000_continued.xml"), at: stamp("2026-08-07 16:41", mono: 0))
        #expect(s.status(at: stamp("2026-08-07 16:50", mono: 540)).availability.isKnown)
        let late = s.status(at: stamp("2026-08-07 16:52", mono: 660))
        #expect(!late.availability.isKnown)
        #expect(late.inForce)
    }

    @Test("A correction at the same report time replaces; two channels disagreeing keep it in force")
    func sameTime() throws {
        var s = ThunderAdvisoryState()
        s.record(try report("VPWW61_130000_issued.xml"), at: stamp("2026-08-07 14:13", mono: 0))
        let accepted2 = s.record(try report("VPWW61_130000_correction.xml"), at: stamp("2026-08-07 14:21", mono: 480))
        #expect(accepted2)
        #expect(!s.status(at: stamp("2026-08-07 14:21", mono: 480)).inForce)

        var t = ThunderAdvisoryState()
        let json = try JMAWarningJSON.parse(try fixture("r8_130000.json")).thunderAdvisory(municipality: "1310100", now: jst("2026-08-07 17:00").wallClockTime)
        t.record(json, at: stamp("2026-08-07 16:45", mono: 0))
        var contrary = json
        contrary.status = .none
        let accepted3 = t.record(contrary, at: stamp("2026-08-07 16:46", mono: 60))
        #expect(!accepted3)
        #expect(t.status(at: stamp("2026-08-07 16:46", mono: 60)).inForce)
        // The XML lift, newer, ends it; the older JSON read again does not bring it back.
        let accepted4 = t.record(try report("VPWW61_130000_lifted.xml"), at: stamp("2026-08-07 21:06", mono: 600))
        #expect(accepted4)
        let accepted5 = t.record(json, at: stamp("2026-08-07 21:07", mono: 660))
        #expect(!accepted5)
        #expect(!t.status(at: stamp("2026-08-07 21:07", mono: 660)).inForce)
    }
}
