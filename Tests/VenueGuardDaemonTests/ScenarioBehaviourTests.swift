import Foundation
import Testing
import VenueGuardConfiguration
@testable import VenueGuardDaemon

/// The shipped scenarios run through the whole pipeline and do what the club guide says.
struct ScenarioBehaviourTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    struct Line {
        var t: Double
        var status: [String: String]
        var overall: String
        var lightning: String
        var leds: [String: String]
        var buzzer: String
        var reasons: [String]
        var methods: [String: String?]
    }

    static func simulate(_ scenario: String, config: String = "Config/demo.yaml") async throws -> (raw: [String], lines: [Line]) {
        let configuration = try ConfigurationLoader.load(path: root + "/" + config)
        let loaded = try ScenarioLoader.load(path: root + "/Config/scenarios/" + scenario, configuration: configuration)
        var raw: [String] = []
        await SimulationRunner.run(configuration: configuration, scenario: loaded) { raw.append($0) }
        let lines = try raw.map { text -> Line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            let areas = object["areas"] as! [String: [String: Any]]
            return Line(t: object["t"] as! Double, status: object["status"] as! [String: String], overall: object["overall"] as! String,
                        lightning: object["lightning"] as! String, leds: object["leds"] as! [String: String],
                        buzzer: object["buzzer"] as! String, reasons: object["reasons"] as! [String],
                        methods: areas.mapValues { $0["wbgt_method"] as? String })
        }
        return (raw, lines)
    }

    /// The sequence of values with consecutive repeats removed.
    static func runs<T: Equatable>(_ values: [T]) -> [T] {
        values.reduce(into: []) { if $0.last != $1 { $0.append($1) } }
    }

    @Test("Every line has the documented fields with the documented machine names")
    func fields() async throws {
        let (raw, _) = try await Self.simulate("demo-afternoon.yaml")
        #expect(!raw.isEmpty)
        for text in raw {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            for key in ["t", "status", "heat_level", "wbgt", "wbgt_method", "lightning", "reasons", "leds", "buzzer"] {
                #expect(object[key] != nil, "missing \(key)")
            }
            #expect(["safe", "caution", "warning", "severe", "stop", "unknown"].contains(object["heat_level"] as! String))
            #expect(["clear", "watch", "danger", "unknown"].contains(object["lightning"] as! String))
        }
    }

    @Test("simulate is deterministic: the same input gives the same bytes")
    func deterministic() async throws {
        let first = try await Self.simulate("demo-afternoon.yaml").raw
        let second = try await Self.simulate("demo-afternoon.yaml").raw
        #expect(first == second)
    }

    @Test("Hot afternoon: the hall crosses every level up and back down, with the dwell")
    func hotAfternoon() async throws {
        let (_, lines) = try await Self.simulate("hot-afternoon.yaml")
        let hall = Self.runs(lines.map { $0.status["hall"]! })
        #expect(hall == ["safe", "caution", "warning", "severe", "stop", "severe", "warning", "caution", "safe"], "\(hall)")
        // The stop alarm sounded.
        #expect(lines.contains { $0.buzzer == "heat-alarm" })
        // Steps down come at least 10 minutes after the rise ended: no line in which stop
        // turns to severe within 10 minutes of the last stop-level value (t = 270 min).
        let firstSevereAfterStop = lines.first { $0.t > 240 * 60 && $0.status["hall"] == "severe" }!
        #expect(firstSevereAfterStop.t >= 270 * 60 + 600)
    }

    @Test("Thunderstorm: clear → watch → danger → watch → clear, 30 minutes after the last near strike")
    func thunderstorm() async throws {
        let (_, lines) = try await Self.simulate("thunderstorm.yaml")
        #expect(Self.runs(lines.map(\.lightning)) == ["clear", "watch", "danger", "watch", "clear"])
        let dangerStart = lines.first { $0.lightning == "danger" }!.t
        let dangerEnd = lines.first { $0.t > dangerStart && $0.lightning == "watch" }!.t
        let clear = lines.last { $0.lightning == "clear" }!.t
        #expect(dangerStart == 33 * 60)           // the 10 km strike
        #expect(dangerEnd == (61 + 30) * 60)      // 30 minutes after the 8 km strike at 61 min
        #expect(clear == 130 * 60)                // 30 minutes after the 37 km strike at 100 min
        // Outdoors stops while the advisory or danger holds; indoors does not.
        #expect(lines.filter { $0.lightning == "danger" }.allSatisfy { $0.status["yard"] == "stop" && $0.status["hall"] != "stop" })
        #expect(lines.contains { $0.buzzer == "lightning-alarm" })
        #expect(lines.first { $0.t >= 55 * 60 }!.buzzer == "off")  // acknowledged
    }

    @Test("Sensor faults: each makes its area unknown, names the sensor, and recovers by itself")
    func sensorFaults() async throws {
        let (_, lines) = try await Self.simulate("sensor-unplugged.yaml")
        func line(at minutes: Double) -> Line { lines.last { $0.t <= minutes * 60 }! }
        #expect(line(at: 29).status["hall"] != "unknown")
        let unplugged = line(at: 31)
        #expect(unplugged.status["hall"] == "unknown")
        #expect(unplugged.overall == "unknown")
        #expect(unplugged.leds["yellow"] == "blink-fast" && unplugged.leds["green"] == "off")
        // An unplugged I2C chip does not acknowledge its address.
        #expect(unplugged.reasons.contains("hall: sensor hall-climate faulted: no response"))
        #expect(line(at: 51).status["hall"] != "unknown")
        // The globe's CRC errors degrade the hall to the indoor chart, not to unknown.
        #expect(line(at: 72).methods["hall"] == "indoor-chart")
        #expect(line(at: 72).reasons.contains("hall: sensor hall-globe faulted: CRC mismatch"))
        // The stuck BME280 is caught after 15 minutes of identical data, and recovers.
        #expect(line(at: 114).status["yard"] != "unknown")  // 14 minutes of identical data is not yet stuck
        #expect(line(at: 116).status["yard"] == "unknown")
        #expect(line(at: 116).reasons.contains { $0.hasPrefix("yard: sensor yard-climate faulted: stuck value") })
        #expect(line(at: 141).status["yard"] != "unknown")
        // The lightning detector's outage makes lightning unknown (blue flash), then clear again.
        #expect(line(at: 151).lightning == "unknown")
        #expect(line(at: 161).lightning == "clear")
        // The hung SHT31 stays silent after its fault ends, until the supervisor cycles its power.
        #expect(line(at: 165.4).status["hall"] == "unknown")
        #expect(line(at: 167).status["hall"] != "unknown")
    }

    @Test("Heat alert day: indoors at least severe, outdoors stop; the special alert stops everything")
    func heatAlertDay() async throws {
        let (_, lines) = try await Self.simulate("heat-alert-day.yaml")
        let first = lines.first!
        #expect(first.status == ["hall": "severe", "yard": "stop"])
        #expect(first.reasons.contains { $0.contains("熱中症警戒アラート") })
        let special = lines.first { $0.t >= 240 * 60 }!
        #expect(special.status == ["hall": "stop", "yard": "stop"])
    }

    @Test("Windy schoolyard: the wind drops in full sun and the Liljegren WBGT rises from warning to stop; a lux estimate stands in for the pyranometer")
    func windySchoolyard() async throws {
        let (raw, lines) = try await Self.simulate("windy-schoolyard.yaml", config: "Config/schoolyard.yaml")
        func line(at minutes: Double) -> Line { lines.last { $0.t <= minutes * 60 }! }
        func object(at minutes: Double) throws -> [String: Any] {
            let index = lines.lastIndex { $0.t <= minutes * 60 }!
            return try #require(try JSONSerialization.jsonObject(with: Data(raw[index].utf8)) as? [String: Any])
        }
        // The anemometer counts for 10 s before its first mean: until then the field is awaited, never guessed.
        #expect(lines.first!.status["field"] == "unknown")
        #expect(lines.first!.reasons.contains { $0.contains("waiting for the first reading from field-wind") })
        #expect(Self.runs(lines.map { $0.status["field"]! }) == ["unknown", "warning", "severe", "stop"])
        #expect(lines.allSatisfy { $0.methods["field"]! == nil || $0.methods["field"]! == "liljegren" })
        // Breezy: warning with the measured wind; calm: stop, about 4 °C higher on the same air and sun.
        let breezy = try object(at: 40)
        let calm = try object(at: 90)
        let breezyWBGT = try #require(breezy["wbgt"] as? Double), calmWBGT = try #require(calm["wbgt"] as? Double)
        #expect(breezy["heat_level"] as? String == "warning" && calm["heat_level"] as? String == "stop")
        #expect(calmWBGT - breezyWBGT > 3.5, "\(breezyWBGT) → \(calmWBGT)")
        #expect(line(at: 44).status["field"] == "warning")  // nothing changes before the wind does
        let inputs = { (o: [String: Any]) in (o["areas"] as! [String: [String: Any]])["field"]!["inputs"] as! [String: String] }
        #expect(inputs(breezy)["wind_speed"] == "sensor field-wind")
        #expect(inputs(breezy)["solar_radiation"] == "sensor field-pyranometer")
        // The pyranometer unplugged: the BH1750 stands in, and everything says it is a lux estimate.
        let unplugged = try object(at: 110)
        #expect(inputs(unplugged)["solar_radiation"] == "sensor field-light (lux-estimate)")
        #expect(line(at: 110).reasons.contains { $0.contains("solar radiation from a lux estimate") })
        #expect(line(at: 110).reasons.contains("field: sensor field-pyranometer faulted: no response"))
        #expect(inputs(try object(at: 125))["solar_radiation"] == "sensor field-pyranometer")
    }
}
