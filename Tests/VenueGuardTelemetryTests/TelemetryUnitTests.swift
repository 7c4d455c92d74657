import Foundation
import Testing
import VenueGuardConfiguration
import VenueGuardCore
@testable import VenueGuardOutbox
@testable import VenueGuardTelemetry

struct CommandParserTests {
    static let now = Timestamp(monotonic: .origin, wall: WallClockTime(year: 2024, month: 8, day: 1, hour: 4), wallClockSynchronized: true)

    @Test("Valid commands", arguments: [
        ("ack", "", CommandParser.Command.acknowledge(by: nil)),
        ("ack", #"{"by":"Sato"}"#, .acknowledge(by: "Sato")),
        ("ping", #"{"id":"x1"}"#, .ping(id: "x1")),
        ("alert", #"{"heat_alert":"alert","until":"2024-08-01T23:59:00+09:00"}"#,
         .heatAlert(.alert, until: WallClockTime(year: 2024, month: 8, day: 1, hour: 14, minute: 59))),
        ("alert", #"{"heat_alert":"none"}"#, .heatAlert(.none, until: nil)),
        ("alert", #"{"thunder_advisory":false}"#, .thunderAdvisory(false, until: nil)),
    ])
    func valid(_ row: (String, String, CommandParser.Command)) {
        #expect(CommandParser.parse(name: row.0, payload: Array(row.1.utf8), now: Self.now) == .success(row.2))
    }

    @Test("Malformed commands are rejected with a reason", arguments: [
        ("ack", "not json", "not a JSON object"),
        ("ack", "[1,2]", "not a JSON object"),
        ("ack", #"{"by":"x","extra":1}"#, "unknown field(s): extra"),
        ("ack", #"{"by":7}"#, "wrong type"),
        ("ack", #"{"by":""}"#, "printable"),
        ("alert", #"{"heat_alert":"alert"}"#, "needs 'until'"),
        ("alert", #"{"heat_alert":"hot","until":"2024-08-01T23:00:00+09:00"}"#, "none, alert or special-alert"),
        ("alert", #"{"heat_alert":"alert","until":"2024-07-01T00:00:00+09:00"}"#, "in the past"),
        ("alert", #"{"heat_alert":"alert","until":"2024-08-05T00:00:00+09:00"}"#, "48 hours"),
        ("alert", #"{"heat_alert":"alert","until":"tomorrow"}"#, "ISO 8601"),
        ("alert", #"{"thunder_advisory":1,"until":"2024-08-01T23:00:00+09:00"}"#, "wrong type"),
        ("alert", #"{"heat_alert":"none","thunder_advisory":true}"#, "exactly one"),
        ("alert", "{}", "exactly one"),
        ("reboot", "{}", "unknown command"),
        // Two equal keys: JSONSerialization would silently keep the second.
        ("ack", #"{"by":"mentor","by":"attacker"}"#, "key 'by' appears twice"),
        ("ack", #"{"by":"a","\u0062y":"b"}"#, "key 'by' appears twice"),
        ("ping", #"{"id":"1","id":"2"}"#, "appears twice"),
        // Control, format and bidirectional characters never reach a log line.
        ("ack", "{\"by\":\"Sato\u{202E}evil\"}", "no control, format or bidirectional"),
        ("ack", #"{"by":"Sato\u202Eevil"}"#, "no control, format or bidirectional"),
        ("ack", #"{"by":"a\u0007b"}"#, "no control, format or bidirectional"),
        ("ack", #"{"by":"zero\u200Bwidth"}"#, "no control, format or bidirectional"),
    ])
    func malformed(_ row: (String, String, String)) {
        guard case let .failure(rejection) = CommandParser.parse(name: row.0, payload: Array(row.1.utf8), now: Self.now) else {
            Issue.record("accepted \(row.1)"); return
        }
        #expect(rejection.reason.contains(row.2), "\(rejection.reason)")
    }

    @Test("Keys inside nested values and strings are not confused with top-level keys")
    func nestedKeys() {
        #expect(JSONKeys.firstDuplicateTopLevelKey(Array(#"{"a":{"a":1},"b":"a\",\"a"}"#.utf8)) == nil)
        #expect(JSONKeys.firstDuplicateTopLevelKey(Array(#"{"a":[{"b":1},{"b":2}],"a":1}"#.utf8)) == "a")
    }

    @Test("Japanese names are fine")
    func japaneseName() {
        #expect(CommandParser.parse(name: "ack", payload: Array(#"{"by":"佐藤先生"}"#.utf8), now: Self.now) == .success(.acknowledge(by: "佐藤先生")))
    }

    @Test("Oversized payloads are rejected")
    func oversized() {
        let payload = Array(("{\"by\":\"" + String(repeating: "a", count: 2000) + "\"}").utf8)
        #expect((try? CommandParser.parse(name: "ack", payload: payload, now: Self.now).get()) == nil)
    }
}

struct TopicTests {
    @Test("History topics never coincide with retained topics", arguments: [
        ("venueguard/x/sensors/hall-climate", "venueguard/x/history/hall-climate"),
        ("venueguard/x/state", "venueguard/x/history/state"),
        ("venueguard/x/events", "venueguard/x/history/events"),
    ])
    func history(_ row: (String, String)) {
        #expect(TopicScheme(prefix: "venueguard/x").history(of: row.0) == row.1)
    }
}

struct OutboxTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-outbox-\(UUID().uuidString).sqlite").path
    }

    static func drafts(_ count: Int) -> [Outbox.Draft] {
        (0..<count).map { i in Outbox.Draft(topic: "t/\(i)", historyTopic: "h/\(i)", retain: false) { seq in Array("{\"seq\":\(seq)}".utf8) } }
    }

    @Test("Sequence numbers increase across reopening, even after every message was acknowledged")
    func sequence() throws {
        let path = Self.temporaryPath()
        var outbox: Outbox? = try Outbox(path: path)
        let first = try outbox!.append(Self.drafts(3))
        #expect(first.map(\.seq) == [1, 2, 3])
        #expect(first[1].payload == Array("{\"seq\":2}".utf8))
        try outbox!.acknowledge([1, 2, 3])
        #expect(try outbox!.count() == 0)
        outbox = nil
        // A restart continues above the whole reserved block (one mark write per block).
        let reopened = try Outbox(path: path, reservationBlock: 100)
        #expect(try reopened.append(Self.drafts(1)).map(\.seq) == [10_001])
        #expect(reopened.opening.firstSeq == 10_001 && reopened.opening.lastStoredSeq == 3)
    }

    @Test("Pending messages come oldest first; acknowledged ones leave")
    func pending() throws {
        let outbox = try Outbox(path: Self.temporaryPath())
        _ = try outbox.append(Self.drafts(5))
        try outbox.acknowledge([2, 4])
        #expect(try outbox.pending().map(\.seq) == [1, 3, 5])
        #expect(try outbox.pending(after: 3, limit: 10).map(\.seq) == [5])
    }

    @Test("The age bound drops the oldest first and counts what it dropped, across restarts")
    func ageBound() throws {
        let path = Self.temporaryPath()
        let outbox = try Outbox(path: path, maxAge: .seconds(3600))
        _ = try outbox.append(Self.drafts(3), now: 1000)
        _ = try outbox.append(Self.drafts(2), now: 5000)
        #expect(try outbox.prune(now: 5000) == 3)
        #expect(try outbox.pending().map(\.seq) == [4, 5])
        #expect(try Outbox(path: path).droppedTotal() == 3)
    }

    @Test("The size bound drops the oldest until the data fits")
    func sizeBound() throws {
        let outbox = try Outbox(path: Self.temporaryPath(), maxBytes: 200_000)
        let big = (0..<400).map { _ in Outbox.Draft(topic: "t", historyTopic: "h", retain: false) { _ in [UInt8](repeating: 65, count: 1000) } }
        _ = try outbox.append(big)
        let dropped = try outbox.prune()
        #expect(dropped > 0)
        let left = try outbox.pending(limit: 1000)
        #expect(left.last?.seq == 400)      // the newest are kept
        #expect(left.first!.seq == Int64(dropped) + 1)
    }

    @Test("A garbage file is moved aside and reported; numbering goes on above what the mark reserved")
    func damaged() throws {
        let path = Self.temporaryPath()
        var first: Outbox? = try Outbox(path: path, reservationBlock: 50)
        _ = try first!.append(Self.drafts(7))
        first = nil
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: path))
        let outbox = try Outbox(path: path, reservationBlock: 50)
        let aside = try #require(outbox.opening.setAside)
        #expect(aside.path.hasPrefix(path + ".damaged-"))
        #expect(FileManager.default.fileExists(atPath: aside.path))
        #expect(try outbox.append(Self.drafts(1)).map(\.seq) == [51])   // never 1 again
    }

    @Test("A damaged page: the readable rows are carried into the fresh outbox, with their numbers")
    func damagedPage() throws {
        let path = Self.temporaryPath()
        var first: Outbox? = try Outbox(path: path)
        let big = (0..<300).map { i in Outbox.Draft(topic: "t/\(i)", historyTopic: "h", retain: false) { _ in [UInt8](repeating: 65, count: 900) } }
        _ = try first!.append(big)
        first!.checkpoint()
        first = nil
        // Scribble over one page in the middle of the table.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: 40 * 4096)
        handle.write(Data(repeating: 0xEE, count: 4096))
        try handle.close()
        let outbox = try Outbox(path: path)
        #expect(outbox.opening.setAside != nil)
        let kept = try outbox.pending(limit: 1000).map(\.seq)
        #expect(kept.count == outbox.opening.salvaged)
        #expect(kept.count >= 250 && kept.count < 300, "\(kept.count)")
        #expect(kept == kept.sorted() && kept.allSatisfy { (1...300).contains($0) })
        #expect(outbox.nextSeq() > 300)
    }

    @Test("An outbox deleted while running is noticed and re-created with what was pending; numbers go on")
    func deletedWhileRunning() throws {
        let path = Self.temporaryPath()
        let outbox = try Outbox(path: path)
        _ = try outbox.append(Self.drafts(4))
        #expect(outbox.isStillOnDisk)
        try FileManager.default.removeItem(atPath: path)
        #expect(!outbox.isStillOnDisk)
        _ = outbox.reopen(damaged: false)
        #expect(outbox.isStillOnDisk)
        #expect(try outbox.pending().map(\.seq) == [1, 2, 3, 4])
        #expect(try outbox.append(Self.drafts(1)).map(\.seq) == [5])
        // The next start does not go back either, even with the file gone.
        try FileManager.default.removeItem(atPath: path)
        #expect(try Outbox(path: path).nextSeq() == 10_001)
    }

    @Test("A path where no database can live gives an outbox in memory: MQTT carries on")
    func unusable() throws {
        let notADirectory = Self.temporaryPath()
        try Data("a file".utf8).write(to: URL(fileURLWithPath: notADirectory))
        let outbox = try Outbox(path: notADirectory + "/outbox.sqlite")   // its "directory" is a file
        #expect(outbox.opening.inMemoryBecause != nil)
        #expect(try outbox.append(Self.drafts(2)).map(\.seq).count == 2)
    }

    @Test("The sequence mark survives a torn write of one slot and refuses garbage")
    func markSlots() throws {
        let path = Self.temporaryPath() + ".seq"
        let mark = SequenceMark(path: path)
        try mark.reserve(upTo: 100)
        try mark.reserve(upTo: 200)
        // Tear the newer slot: the older one still stands.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let newer = SequenceMark.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(32))) == 200 ? 0 : 32
        try handle.seek(toOffset: UInt64(newer + 5))
        handle.write(Data("9".utf8))
        try handle.close()
        #expect(SequenceMark(path: path).reserved == 100)
        #expect(SequenceMark.decode(Array("garbage".utf8)) == nil)
    }
}

struct PayloadTests {
    @Test("Every payload kind validates against its JSON Schema (state, sensor, every event type)")
    func schemas() throws {
        let payloads = TelemetryPayloads(site: "test-club", utcOffsetSeconds: 9 * 3600)
        var model = VenueModel(
            site: SiteDescriptor(id: "test-club", name: "Test", location: GeoLocation(latitude: 35, longitude: 135)),
            areas: [AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["s"])],
            sensors: [SensorDescriptor(id: "s", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity], samplingPeriod: .seconds(10))])
        model.officialSources = [.heatAlerts, .thunderAdvisory, .forecast]
        var engine = VenueEngine(model: model)
        engine.apply(.sensor(SensorReport(sensor: "s", at: .origin, sample: .values([.airTemperature: 30, .relativeHumidity: 60]))))
        let fourAM = WallClockTime(year: 2024, month: 8, day: 1, hour: 4)
        engine.apply(.officialFeed(.heatAlerts, .known(asOf: fourAM)))
        engine.apply(.officialFeed(.thunderAdvisory, .notKnown(since: fourAM)))
        engine.apply(.officialFeed(.forecast, .outOfSeason))
        let day = OfficialForecast.Day(date: "2024-08-01", maximum: 31.2, level: .stop, atOrAbove: [.caution: ["09:00", "24:00"], .stop: ["15:00"]])
        let forecast = OfficialForecast(point: "44132", generated: fourAM, today: day,
                                        tomorrow: OfficialForecast.Day(date: "2024-08-02", maximum: nil, level: nil, atOrAbove: [:]))
        engine.apply(.officialForecast(forecast))
        engine.apply(.strike(LightningStrike(distance: .kilometres(8), energy: 100, at: .origin, source: "as3935")))
        let at = Timestamp(monotonic: .origin, wall: WallClockTime(year: 2024, month: 8, day: 1, hour: 4))
        let status = engine.evaluate(at: at)
        var items: [(schema: String, payload: String)] = [
            ("state", String(decoding: payloads.state(status, seq: 1, backlog: 0, dropped: 0), as: UTF8.self)),
            ("sensor", String(decoding: payloads.sensor(status.sensors[0], at: at, seq: 2), as: UTF8.self)),
            ("forecast", String(decoding: payloads.forecast(try #require(status.forecast), at: at, seq: 3), as: UTF8.self)),
        ]
        let state = String(decoding: payloads.state(status, seq: 1, backlog: 0, dropped: 0), as: UTF8.self)
        #expect(state.contains(#""official":{"heat_alerts":{"state":"known","as_of":"2024-08-01T13:00:00+09:00","companion_silent":false,"text_en":"heat alerts: known as of 13:00","#), "\(state)")
        #expect(state.contains(#""thunder_advisory":{"state":"not-known","since":"2024-08-01T13:00:00+09:00""#))
        let events: [VenueEvent.Kind] = [
            .statusChanged(area: "hall", from: nil, to: .warning), .lightningChanged(from: .clear, to: .danger),
            .strike(LightningStrike(distance: .overhead, at: .origin)), .strike(LightningStrike(distance: .outOfRange, energy: 5, at: .origin)),
            .sensorFaulted("s", .crcMismatch), .sensorStale("s"), .sensorRecovered("s"), .acknowledged(source: "button", silenced: true),
            .heatAlertChanged(from: .none, to: .alert), .thunderAdvisoryChanged(true),
            .officialFeedChanged(OfficialFeedStatus(source: .heatAlerts, availability: .notKnown(since: fourAM)), utcOffsetSeconds: 9 * 3600),
            .officialFeedChanged(OfficialFeedStatus(source: .forecast, availability: .notKnown(since: nil), companionSilent: true), utcOffsetSeconds: 9 * 3600),
            .estimateDisagreement(area: "hall", ForecastDisagreement.Diagnostic(meanDifference: -4.2, duration: .seconds(7200), hour: fourAM, pairs: 1)),
            .estimateDisagreement(area: "hall", nil),
        ]
        for (i, kind) in events.enumerated() {
            items.append(("event", String(decoding: payloads.event(VenueEvent(at: .origin, kind: kind), at: at, seq: Int64(10 + i)), as: UTF8.self)))
        }
        items.append(("event", String(decoding: payloads.notice(type: "command-rejected", summary: "x", at: at, seq: 99) { o in
            o.field("topic", "t")
            o.field("reason", "r")
        }, as: UTF8.self)))
        #expect(try SchemaValidator.validate(items) == "")
    }

    @Test("A lux estimate is marked as such in the sensor payload and in the state's WBGT inputs")
    func luxEstimateProvenance() throws {
        let payloads = TelemetryPayloads(site: "test-club", utcOffsetSeconds: 9 * 3600)
        var engine = VenueEngine(model: VenueModel(
            site: SiteDescriptor(id: "test-club", name: "Test", location: GeoLocation(latitude: 35.68, longitude: 139.77)),
            areas: [AreaDescriptor(id: "field", name: "Field", exposure: .outdoor, sensors: ["climate", "wind", "light"])],
            sensors: [SensorDescriptor(id: "climate", kind: "bme280", quantities: [.airTemperature, .relativeHumidity, .pressure], samplingPeriod: .seconds(10)),
                      SensorDescriptor(id: "wind", kind: "anemometer", quantities: [.windSpeed, .windGust], samplingPeriod: .seconds(10)),
                      SensorDescriptor(id: "light", kind: "bh1750", quantities: [.solarRadiation], samplingPeriod: .seconds(10))]))
        engine.apply(.sensor(SensorReport(sensor: "climate", at: .origin, sample: .values([.airTemperature: 30, .relativeHumidity: 55, .pressure: 1008]))))
        engine.apply(.sensor(SensorReport(sensor: "wind", at: .origin, sample: .values([.windSpeed: 1.2, .windGust: 2.5]))))
        engine.apply(.sensor(SensorReport(sensor: "light", at: .origin, sample: .values([.solarRadiation: 700], origin: .luxEstimate))))
        let at = Timestamp(monotonic: .origin, wall: WallClockTime(year: 2024, month: 8, day: 1, hour: 3))
        let status = engine.evaluate(at: at)
        let state = try JSONSerialization.jsonObject(with: Data(payloads.state(status, seq: 1, backlog: 0, dropped: 0))) as! [String: Any]
        let field = (state["areas"] as! [String: [String: Any]])["field"]!
        #expect(field["wbgt_method"] as? String == "liljegren")
        let inputs = field["inputs"] as! [String: [String: Any]]
        #expect(inputs["solar_radiation"]?["source"] as? String == "lux-estimate")
        #expect(inputs["wind_speed"]?["source"] as? String == "sensor")
        let light = status.sensors.first { $0.descriptor.id == "light" }!
        let sensor = try JSONSerialization.jsonObject(with: Data(payloads.sensor(light, at: at, seq: 2))) as! [String: Any]
        #expect((sensor["values"] as! [String: [String: Any]])["solar_radiation"]?["source"] as? String == "lux-estimate")
        let wind = status.sensors.first { $0.descriptor.id == "wind" }!
        let windPayload = String(decoding: payloads.sensor(wind, at: at, seq: 3), as: UTF8.self)
        #expect(windPayload.contains("\"wind_gust\""))
        #expect(try SchemaValidator.validate([("state", String(decoding: payloads.state(status, seq: 1, backlog: 0, dropped: 0), as: UTF8.self)),
                                              ("sensor", String(decoding: payloads.sensor(light, at: at, seq: 2), as: UTF8.self)),
                                              ("sensor", windPayload)]) == "")
    }
}

struct JSONWriterTests {
    @Test("Strings are escaped, numbers rounded once to 0.01 without an exponent, keys kept in order")
    func writes() throws {
        let text = "quote \" back \\ tab\t nl\n bell\u{07} 日本"
        let bytes = JSONWriter.object { o in
            o.field("b", text)
            o.field("a", 24.351)
            o.field("n", -0.004)
            o.field("m", -12.5)
            o.field("big", 123456789.999)
            o.field("nan", Double.nan)
            o.field("i", Int64.min + 1)
            o.field("none", nil as String?)
            o.field("list", strings: ["x", "y"])
            o.field("counts", counts: ["z": 2, "a": 1])
        }
        let written = String(decoding: bytes, as: UTF8.self)
        #expect(written == #"{"b":"quote \" back \\ tab\t nl\n bell\u0007 日本","a":24.35,"n":0,"m":-12.5,"big":123456790,"nan":null,"i":-9223372036854775807,"none":null,"list":["x","y"],"counts":{"a":1,"z":2}}"#)
        // Foundation reads it back as the same values.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((object["a"] as? NSNumber)?.doubleValue == 24.35)
        #expect(object["b"] as? String == text)
    }

    @Test("Whole numbers at their limits, control characters and DEL, text around escapes", arguments: [
        (Int64.max, "9223372036854775807"), (0, "0"), (-1, "-1"), (10, "10"), (1_000_000_007, "1000000007"),
    ])
    func integers(_ row: (Int64, String)) {
        #expect(String(decoding: JSONWriter.object { $0.field("i", row.0) }, as: UTF8.self) == "{\"i\":\(row.1)}")
    }

    @Test("Escapes at the start, the end and side by side; a small (inline) string and a long one")
    func escapes() throws {
        for text in ["\u{1F}a\u{7F}", "\"\"", "a", String(repeating: "長い文字列 ", count: 100) + "\\"] {
            let bytes = JSONWriter.object { $0.field("t", text) }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            #expect(object["t"] as? String == text)
        }
        #expect(String(decoding: JSONWriter.object { $0.field("t", "\u{1F}a\u{7F}") }, as: UTF8.self) == #"{"t":"\u001fa\u007f"}"#)
    }

    @Test("Times: the site's offset, milliseconds only when not whole, any year", arguments: [
        (1_722_484_800.0, 9 * 3600, "2024-08-01T13:00:00+09:00"),
        (1_722_484_800.25, 9 * 3600, "2024-08-01T13:00:00.250+09:00"),
        (1_722_484_800.0075, 0, "2024-08-01T04:00:00.007+00:00"),
        (0.0, -(3 * 3600 + 30 * 60), "1969-12-31T20:30:00-03:30"),
        (253_402_300_799.0, 0, "9999-12-31T23:59:59+00:00"),
    ])
    func times(_ row: (Double, Int, String)) {
        let payloads = TelemetryPayloads(site: "x", utcOffsetSeconds: row.1)
        #expect(payloads.time(WallClockTime(secondsSince1970: row.0)) == row.2)
    }

    @Test("Fields added to a finished object, and to an empty one")
    func extend() {
        let base = JSONWriter.object { $0.field("a", 1) }
        #expect(String(decoding: JSONWriter.extend(base) { $0.field("b", true) }, as: UTF8.self) == #"{"a":1,"b":true}"#)
        #expect(String(decoding: JSONWriter.extend(Array("{}".utf8)) { $0.field("b", true) }, as: UTF8.self) == #"{"b":true}"#)
    }
}
