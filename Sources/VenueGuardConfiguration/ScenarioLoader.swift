import Foundation
import VenueGuardCore
import VenueGuardSimulation

/// Reads a scenario file (see the README's "Scenario format"), checking it against the site
/// configuration when one is given: unknown sensors and quantities a sensor does not provide
/// are errors with file and line.
public enum ScenarioLoader {
    static let rootKeys = ["name", "description", "start", "duration", "clock_synchronized", "samples", "events"]
    static let eventKinds = ["strike", "disturber", "noise", "fault", "recover", "heat_alert", "thunder_advisory", "acknowledge"]

    /// Loads the scenario at `path`.
    public static func load(path: String, configuration: SiteConfiguration? = nil) throws -> Scenario {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, line: nil, key: nil, message: "cannot read the scenario (\(ConfigurationLoader.reason(error)))")
        }
        return try parse(yaml: text, file: path, configuration: configuration)
    }

    /// Parses scenario text.
    public static func parse(yaml: String, file: String, configuration: SiteConfiguration? = nil) throws -> Scenario {
        let root = try ConfigValue.parse(yaml: yaml, file: file).mapping(allowed: rootKeys)
        let startNode = try root.required("start")
        guard let (start, offset) = ISO8601Time.parse(try startNode.string()) else {
            throw startNode.error("expected an existing date and time in ISO 8601 with offset, such as 2024-08-01T13:00:00+09:00")
        }
        let duration = try root.required("duration").duration(in: .seconds(1)...Bounds.scenario.upperBound)
        let sensors = configuration.map { Dictionary(uniqueKeysWithValues: $0.sensors.map { ($0.descriptor.id, $0.descriptor) }) }

        var samples: [SensorID: [Quantity: SampleSeries]] = [:]
        if let samplesNode = root["samples"] {
            for (key, keyLine, value) in try samplesNode.entries() {
                let id = SensorID(key)
                if let sensors, sensors[id] == nil {
                    throw ConfigError(file: file, line: keyLine, key: "samples.\(key)",
                                      message: "no sensor '\(key)' in \(configuration!.file) (defined: \(sensors.keys.map(\.rawValue).sorted().joined(separator: ", ")))")
                }
                var series: [Quantity: SampleSeries] = [:]
                for (quantityName, quantityLine, pointsNode) in try value.entries() {
                    guard let quantity = Quantity(rawValue: quantityName), quantity != .lightningDistance else {
                        throw ConfigError(file: file, line: quantityLine, key: "samples.\(key).\(quantityName)",
                                          message: "unknown quantity; use one of: \(Quantity.allCases.filter { $0 != .lightningDistance }.map(\.rawValue).joined(separator: ", "))")
                    }
                    if let provided = sensors?[id]?.quantities, !provided.contains(quantity) {
                        throw ConfigError(file: file, line: quantityLine, key: "samples.\(key).\(quantityName)",
                                          message: "sensor '\(key)' does not provide \(quantityName) (it provides: \(provided.map(\.rawValue).joined(separator: ", ")))")
                    }
                    var points: [(at: Duration, value: Double)] = []
                    for (timeText, timeLine, valueNode) in try pointsNode.entries() {
                        guard let at = DurationText.parse(timeText), Bounds.scenario.contains(at) else {
                            throw ConfigError(file: file, line: timeLine, key: valueNode.path, message: "'\(timeText)' is not a time offset such as 0m, 90s or 1h30m (at most 31 days)")
                        }
                        let v = try valueNode.double()
                        guard quantity.plausibleRange.contains(v) else {
                            // Impossible values belong in a fault (kind: implausible), not in the samples.
                            throw valueNode.error("\(quantity.label) \(NumberText.format(v)) is impossible; inject an 'implausible' fault instead")
                        }
                        points.append((at, v))
                    }
                    if points.isEmpty { throw pointsNode.error("give at least one time: value point") }
                    series[quantity] = SampleSeries(points: points)
                }
                samples[id] = series
            }
        }

        var events: [ScenarioEvent] = []
        for node in try root["events"]?.sequence() ?? [] {
            events.append(try parseEvent(node, sensors: sensors, file: file))
        }
        return Scenario(name: try root["name"]?.string() ?? (file as NSString).lastPathComponent,
                        description: try root["description"]?.string() ?? "", start: start, utcOffsetSeconds: offset,
                        duration: duration, clockSynchronized: try root["clock_synchronized"]?.bool() ?? true,
                        samples: samples, events: events)
    }

    static func parseEvent(_ node: ConfigValue, sensors: [SensorID: SensorDescriptor]?, file: String) throws -> ScenarioEvent {
        let mapping = try node.mapping(allowed: ["at"] + eventKinds)
        let at = try mapping.required("at").duration(in: Bounds.scenario)
        let present = eventKinds.filter { mapping[$0] != nil }
        guard present.count == 1, let kindName = present.first, let value = mapping[kindName] else {
            throw node.error("an event needs 'at' and exactly one of: \(eventKinds.joined(separator: ", "))")
        }
        func sensorID(_ node: ConfigValue) throws -> SensorID {
            let id = SensorID(try node.string())
            if let sensors, sensors[id] == nil { throw node.error("no sensor '\(id)' in the configuration") }
            return id
        }
        switch kindName {
        case "strike":
            let m = try value.mapping(allowed: ["distance_km", "distance", "energy"])
            let distance: LightningStrike.Distance
            if let km = m["distance_km"] {
                let v = try km.double()
                guard (0...63).contains(v) else { throw km.error("distance must be 0–63 km (use distance: out-of-range beyond)") }
                distance = .kilometres(v)
            } else if let word = m["distance"] {
                distance = try word.choice([("overhead", LightningStrike.Distance.overhead), ("out-of-range", .outOfRange)])
            } else {
                throw value.error("a strike needs distance_km, or distance: overhead / out-of-range")
            }
            return ScenarioEvent(at: at, .strike(distance, energy: try m["energy"]?.int()))
        case "disturber", "noise":
            // How many interrupts the detector raises at that instant (each serviced by the driver).
            let count = try value.int()
            guard (1...100).contains(count) else { throw value.error("give how many interrupts, 1–100") }
            return ScenarioEvent(at: at, kindName == "noise" ? .noise(count) : .disturbers(count))
        case "fault":
            let m = try value.mapping(allowed: ["sensor", "kind", "until"])
            let kind = try m.required("kind").choice(ScenarioFault.Kind.allCases.map { ($0.rawValue, $0) })
            let until = try m["until"]?.duration(in: Bounds.scenario)
            if let until, until <= at { throw m["until"]!.error("'until' must be after 'at'") }
            return ScenarioEvent(at: at, .fault(ScenarioFault(sensor: try sensorID(m.required("sensor")), kind: kind, until: until)))
        case "recover":
            return ScenarioEvent(at: at, .recover(try sensorID(value)))
        case "heat_alert":
            let levels = HeatAlert.allCases.map { ($0.rawValue, $0) }
            if case .mapping = value.content {
                let m = try value.mapping(allowed: ["level", "until"])
                return ScenarioEvent(at: at, .heatAlert(try m.required("level").choice(levels), until: try m["until"]?.duration(in: Bounds.scenario)))
            }
            return ScenarioEvent(at: at, .heatAlert(try value.choice(levels), until: nil))
        case "thunder_advisory":
            if case .mapping = value.content {
                let m = try value.mapping(allowed: ["active", "until"])
                return ScenarioEvent(at: at, .thunderAdvisory(try m.required("active").bool(), until: try m["until"]?.duration(in: Bounds.scenario)))
            }
            return ScenarioEvent(at: at, .thunderAdvisory(try value.bool(), until: nil))
        default:  // acknowledge
            guard try value.bool() else { throw value.error("write 'acknowledge: true'") }
            return ScenarioEvent(at: at, .acknowledge)
        }
    }

}
