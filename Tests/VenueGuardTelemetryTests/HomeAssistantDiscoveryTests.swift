import Foundation
import Testing
import VenueGuardConfiguration
import VenueGuardCore
@testable import VenueGuardTelemetry

/// Home Assistant discovery as Home Assistant's current documentation expects it: checked key
/// by key, and every template rendered with Jinja2 against the payloads the box publishes.
struct HomeAssistantDiscoveryTests {
    static let topics = TopicScheme(prefix: "venueguard/test-club")

    static func model() -> VenueModel {
        var model = VenueModel(
            site: SiteDescriptor(id: "test-club", name: "Test club", location: GeoLocation(latitude: 35, longitude: 135)),
            areas: [AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["hall-climate"]),
                    AreaDescriptor(id: "yard", name: "Yard", exposure: .outdoor, sensors: ["yard-wind"])],
            sensors: [SensorDescriptor(id: "hall-climate", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity], samplingPeriod: .seconds(10)),
                      SensorDescriptor(id: "yard-wind", kind: "anemometer", quantities: [.windSpeed, .windGust], samplingPeriod: .seconds(10)),
                      SensorDescriptor(id: "kids-board", kind: "serial", quantities: [.airTemperature], samplingPeriod: .seconds(1), trust: .advisory)])
        model.officialSources = [.heatAlerts, .thunderAdvisory, .forecast]
        return model
    }

    static func configs(commands: Bool) throws -> [(topic: String, config: [String: Any])] {
        let discovery = HomeAssistantDiscovery(prefix: "homeassistant", topics: topics, model: model(), stateInterval: .seconds(60), commands: commands)
        return try discovery.messages().map { message in
            (message.topic, try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any]))
        }
    }

    @Test("Every config has what current Home Assistant asks and nothing it deprecated")
    func keys() throws {
        let configs = try Self.configs(commands: true)
        #expect(configs.count > 20)
        var entityIDs: Set<String> = []
        for (topic, config) in configs {
            let component = String(topic.split(separator: "/")[1])
            #expect(["sensor", "binary_sensor", "button", "select", "switch"].contains(component), "\(topic)")
            #expect(config["object_id"] == nil, "\(topic): object_id is deprecated (dropped in Home Assistant 2026.4)")
            let entityID = try #require(config["default_entity_id"] as? String, "\(topic)")
            #expect(entityID.hasPrefix("\(component).") && entityID.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" || $0 == "." }, "\(entityID)")
            #expect(entityIDs.insert(entityID).inserted, "\(entityID) twice")
            #expect((config["unique_id"] as? String)?.hasPrefix("venueguard_test-club_") == true)
            let name = try #require(config["name"] as? String)
            #expect(name.first?.isUppercase == true && !name.hasPrefix("VenueGuard"), "\(name): sentence case, without the device's name")
            let origin = try #require(config["origin"] as? [String: Any])
            #expect(origin["name"] as? String == "VenueGuard" && origin["sw_version"] != nil && origin["support_url"] != nil)
            let device = try #require(config["device"] as? [String: Any])
            if let via = device["via_device"] as? String {
                #expect(via == "venueguard_test-club" && device["suggested_area"] != nil)
            } else {
                #expect(device["sw_version"] as? String == HomeAssistantDiscovery.softwareVersion)
            }
            #expect(config["availability_mode"] as? String == "all" && (config["availability"] as? [Any])?.isEmpty == false)
            if let options = config["options"] as? [String] { #expect(!options.contains("unknown"), "\(topic): 'unknown' is Home Assistant's own state") }
        }
        let byID = Dictionary(uniqueKeysWithValues: configs.map { ($0.config["unique_id"] as! String, $0.config) })
        // Raw readings, faults and the advisory board are diagnostics; the area's WBGT and status are not.
        for id in ["hall-climate_air_temperature", "kids-board_air_temperature", "hall-climate_problem", "problem", "official_heat_alerts"] {
            #expect(byID["venueguard_test-club_\(id)"]?["entity_category"] as? String == "diagnostic", "\(id)")
        }
        for id in ["hall_wbgt", "hall_status", "hall_heat_level", "status"] {
            #expect(byID["venueguard_test-club_\(id)"]?["entity_category"] == nil, "\(id)")
        }
        // The heat level and the status are apart; the status carries the reasons.
        #expect((byID["venueguard_test-club_hall_heat_level"]?["value_template"] as? String)?.contains("heat_level") == true)
        #expect((byID["venueguard_test-club_hall_status"]?["json_attributes_template"] as? String)?.contains("reasons") == true)
        #expect(byID["venueguard_test-club_hall_wbgt"]?["suggested_display_precision"] as? Int == 1)
        // A reading follows its sensor's quality.
        let reading = try #require(byID["venueguard_test-club_yard-wind_wind_speed"]?["availability"] as? [[String: Any]])
        #expect(reading.contains { $0["topic"] as? String == "venueguard/test-club/sensors/yard-wind" && $0["value_template"] != nil })
        // Controls only when the box takes commands.
        #expect(try Self.configs(commands: false).allSatisfy { !["button", "select", "switch"].contains(String($0.topic.split(separator: "/")[1])) })
    }

    /// The payloads the box publishes: a state with official sources and a forecast, and sensors.
    static func payloads() throws -> (state: String, forecast: String, sensors: [String: String]) {
        let payloads = TelemetryPayloads(site: "test-club", utcOffsetSeconds: 9 * 3600)
        var engine = VenueEngine(model: model())
        let at = Timestamp(monotonic: .origin, wall: WallClockTime(year: 2026, month: 8, day: 7, hour: 5))
        engine.apply(.sensor(SensorReport(sensor: "hall-climate", at: .origin, sample: .values([.airTemperature: 30, .relativeHumidity: 60]))))
        engine.apply(.sensor(SensorReport(sensor: "yard-wind", at: .origin, sample: .alive)))  // counting: "values": {}
        engine.apply(.sensor(SensorReport(sensor: "kids-board", at: .origin, sample: .fault(.crcMismatch))))
        engine.apply(.officialFeed(.heatAlerts, .notKnown(since: at.wall)))
        engine.apply(.officialForecast(OfficialForecast(point: "44132", generated: at.wall,
                                                        today: .init(date: "2026-08-07", maximum: 31.2, level: .stop, atOrAbove: [.caution: ["09:00"]]),
                                                        tomorrow: .init(date: "2026-08-08", maximum: nil, level: nil, atOrAbove: [:]))))
        let status = engine.evaluate(at: at)
        let text = { (bytes: [UInt8]) in String(decoding: bytes, as: UTF8.self) }
        var sensors: [String: String] = [:]
        for sensor in status.sensors { sensors[sensor.descriptor.id.rawValue] = text(payloads.sensor(sensor, at: at, seq: 2)) }
        return (text(payloads.state(status, seq: 1, backlog: 0, dropped: 0)), text(payloads.forecast(try #require(status.forecast), at: at, seq: 3)), sensors)
    }

    /// A template Jinja2 could not render.
    struct RenderError: Error {}

    /// Renders `cases` (template, payload) with Jinja2 as Home Assistant would.
    static func render(_ cases: [(template: String, value: String)]) throws -> [Result<String, RenderError>] {
        let request: [String: Any] = ["zone_offset_hours": 9, "now": "2026-08-07T14:00:00",
                                      "cases": cases.map { ["template": $0.template, "value": $0.value] }]
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("render_templates.py").path
        let python = try #require(SchemaValidator.python(importing: "jinja2"), "python3 with jinja2 is missing (make setup installs python3-jinja2)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, script]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONSerialization.data(withJSONObject: request))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        return results.map { $0["out"].map { .success($0) } ?? .failure(RenderError()) }
    }

    @Test("Every template renders without error on the box's real payloads, also a sensor with no value yet and a faulted one")
    func templatesRender() throws {
        let (state, forecast, sensors) = try Self.payloads()
        #expect(sensors["yard-wind"]?.contains(#""values":{}"#) == true)
        var cases: [(template: String, value: String, what: String, options: [String]?)] = []
        for (topic, config) in try Self.configs(commands: true) {
            let stateTopic = config["state_topic"] as? String
            let payloadsForTopic: [String] = stateTopic.map { t in
                t.hasSuffix("/state") ? [state] : t.hasSuffix("/forecast") ? [forecast] : t.contains("/sensors/") ? [sensors[String(t.split(separator: "/").last!)]!] : []
            } ?? []
            for payload in payloadsForTopic {
                for key in ["value_template", "json_attributes_template"] {
                    if let template = config[key] as? String { cases.append((template, payload, "\(topic) \(key)", key == "value_template" ? config["options"] as? [String] : nil)) }
                }
            }
            for availability in (config["availability"] as? [[String: Any]]) ?? [] {
                if let template = availability["value_template"] as? String, let topic = availability["topic"] as? String {
                    cases.append((template, sensors[String(topic.split(separator: "/").last!)]!, "\(topic) availability", ["online", "offline"]))
                }
            }
        }
        #expect(cases.count > 40)
        let results = try Self.render(cases.map { ($0.template, $0.value) })
        var outputs: [String: String] = [:]
        for (row, result) in zip(cases, results) {
            guard case let .success(out) = result else {
                Issue.record("\(row.what): the template failed: \(row.template)")
                continue
            }
            outputs[row.what] = out
            if let options = row.options, out != "None" { #expect(options.contains(out), "\(row.what): '\(out)' is not one of \(options)") }
        }
        let base = "homeassistant/sensor/venueguard_test-club"
        #expect(outputs["\(base)/hall-climate_air_temperature/config value_template"] == "30.0" || outputs["\(base)/hall-climate_air_temperature/config value_template"] == "30")
        #expect(outputs["\(base)/yard-wind_wind_speed/config value_template"] == "None", "a payload without the value is 'unknown', not an error")
        #expect(outputs["venueguard/test-club/sensors/kids-board availability"] == "offline", "a faulted sensor's readings are unavailable at once")
        #expect(outputs["venueguard/test-club/sensors/hall-climate availability"] == "online")
        #expect(outputs["\(base)/official_heat_alerts/config value_template"] == "heat alerts: not known since 14:00")
        #expect(outputs["\(base)/forecast_today_max/config value_template"] == "31.2")
        #expect(outputs["homeassistant/binary_sensor/venueguard_test-club/kids-board_problem/config value_template"] == "ON")
    }

    @Test("The controls send exactly what the box accepts: every select option, the switch both ways, the button")
    func controlsAreAccepted() throws {
        let configs = try Self.configs(commands: true)
        func config(_ component: String) throws -> [String: Any] {
            try #require(configs.first { $0.topic.hasPrefix("homeassistant/\(component)/") }?.config)
        }
        let select = try config("select"), toggle = try config("switch"), button = try config("button")
        var sent: [(name: String, template: String, value: String)] = []
        for option in try #require(select["options"] as? [String]) { sent.append(("alert", select["command_template"] as! String, option)) }
        for value in ["ON", "OFF"] { sent.append(("alert", toggle["command_template"] as! String, value)) }
        let rendered = try Self.render(sent.map { ($0.template, $0.value) })
        var payloads: [(String, String)] = zip(sent, rendered).map { row, result in (row.name, (try? result.get()) ?? "render failed") }
        payloads.append(("ack", button["payload_press"] as! String))
        // The box's clock at 14:00 JST on the day the templates rendered.
        let now = Timestamp(monotonic: .origin, wall: WallClockTime(year: 2026, month: 8, day: 7, hour: 14, utcOffsetSeconds: 9 * 3600))
        for (name, payload) in payloads {
            let result = CommandParser.parse(name: name, payload: Array(payload.utf8), now: now)
            #expect((try? result.get()) != nil, "\(name) \(payload): \(result)")
        }
        #expect(select["command_topic"] as? String == "venueguard/test-club/cmd/alert" && select["retain"] as? Bool == false)
        #expect(toggle["command_topic"] as? String == "venueguard/test-club/cmd/alert" && button["command_topic"] as? String == "venueguard/test-club/cmd/ack")
    }
}
