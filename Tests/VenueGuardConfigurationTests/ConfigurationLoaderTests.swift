import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardConfiguration

/// A minimal valid site file; tests change one thing at a time.
let minimalSite = """
site:
  id: test-site
  latitude: 35.0
  longitude: 135.0
areas:
  - id: hall
    exposure: indoor
    sensors: [hall-climate]
sensors:
  - id: hall-climate
    kind: sht3x
    bus: 1
    address: 0x44
"""

struct ConfigurationLoaderTests {
    static func error(_ yaml: String, file: String = "site.yaml") -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, file: file)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    @Test("A minimal site loads with the standard parameters")
    func minimal() throws {
        let config = try ConfigurationLoader.parse(yaml: minimalSite, file: "site.yaml")
        #expect(config.model.parameters == .standard)
        #expect(config.model.sensors.first?.quantities == [.airTemperature, .relativeHumidity])
        #expect(config.model.sensors.first?.maxAge == .seconds(30))
        #expect(config.region.name == "standard" && config.region.file == nil)
        #expect(config.hardware == .simulated)
    }

    struct BadCase: Sendable, CustomTestStringConvertible {
        var name: String
        var replace: String
        var with: String
        var line: Int
        var key: String
        var fragment: String
        var testDescription: String { name }
    }

    @Test("Bad configurations give one clear line with file, line and key", arguments: [
        BadCase(name: "unknown key", replace: "    address: 0x44", with: "    address: 0x44\n    adress: 0x45",
                line: 14, key: "sensors[0].adress", fragment: "unknown key (did you mean 'address'?)"),
        BadCase(name: "wrong type", replace: "  latitude: 35.0", with: "  latitude: north",
                line: 3, key: "site.latitude", fragment: "expected a number, found 'north'"),
        BadCase(name: "thresholds reversed", replace: "\nsensors:", with: "\nheat:\n  wbgt_thresholds:\n    severe: 32\nsensors:",
                line: 11, key: "heat.wbgt_thresholds", fragment: "stop (31) must be above severe (32)"),
        BadCase(name: "missing sensor reference", replace: "    sensors: [hall-climate]", with: "    sensors: [hall-climate, hall-globe]",
                line: 8, key: "areas[0].sensors[1]", fragment: "sensor 'hall-globe' is not defined under 'sensors'"),
        BadCase(name: "unknown kind", replace: "    kind: sht3x", with: "    kind: sht99",
                line: 11, key: "sensors[0].kind", fragment: "'sht99' is not one of"),
        BadCase(name: "unknown level word", replace: "\nsensors:", with: "\nheat:\n  heat_alert:\n    indoor: severely\nsensors:",
                line: 11, key: "heat.heat_alert.indoor", fragment: "'severely' is not a level"),
        BadCase(name: "bad duration", replace: "    address: 0x44", with: "    address: 0x44\n    period: soon",
                line: 14, key: "sensors[0].period", fragment: "expected a duration"),
        BadCase(name: "bad exposure", replace: "    exposure: indoor", with: "    exposure: inside",
                line: 7, key: "areas[0].exposure", fragment: "'inside' is not one of: indoor, outdoor"),
        BadCase(name: "key given twice", replace: "  latitude: 35.0", with: "  latitude: 35.0\n  latitude: 36.0",
                line: 4, key: "latitude", fragment: "given twice in the same section; keep one"),
        BadCase(name: "globe without diameter", replace: "    sensors: [hall-climate]", with: "    sensors: [hall-climate, g]",
                line: 0, key: "", fragment: ""),  // replaced below
    ])
    func badConfigurations(_ bad: BadCase) throws {
        if bad.name == "globe without diameter" {
            let yaml = minimalSite.replacingOccurrences(of: bad.replace, with: bad.with) + "\n  - id: g\n    kind: ds18b20\n    role: globe\n"
            let error = try #require(Self.error(yaml))
            #expect(error.line == 14)
            #expect(error.description.contains("globe_diameter_mm"))
            return
        }
        let yaml = minimalSite.replacingOccurrences(of: bad.replace, with: bad.with)
        #expect(yaml != minimalSite)
        let error = try #require(Self.error(yaml))
        #expect(error.file == "site.yaml")
        #expect(error.line == bad.line, "\(error)")
        #expect(error.key == bad.key, "\(error)")
        #expect(error.description.contains(bad.fragment), "\(error)")
        #expect(!error.description.contains("\n"))
        #expect(error.description.hasPrefix("site.yaml:\(bad.line): key '\(bad.key)': "))
    }

    @Test("Outdoor sensors: each bad key is named", arguments: [
        ("kind: anemometer", "line"),
        ("kind: anemometer\n    line: 26\n    hz_per_mps: 0", "hz_per_mps must be positive"),
        ("kind: anemometer\n    line: 26\n    window: 2s", "the window must be at least the period"),
        ("kind: anemometer\n    line: 26\n    stuck_reference: nobody", "stuck_reference names 'nobody', which is not configured"),
        ("kind: ads1115\n    scale: 1000\n    gain: 3", "gain is the full-scale range in volts"),
        ("kind: ads1115\n    scale: 1000\n    channel: 4", "channel must be 0–3"),
        ("kind: ads1115", "scale"),
        ("kind: ads1115\n    scale: 0", "scale must not be 0"),
        ("kind: ads1115\n    scale: 1000\n    quantity: [solar_radiation, humidity]", "an ADC input measures one quantity"),
        ("kind: ads1115\n    scale: 1000\n    address: 0x40", "answers at 0x48 or 0x49 or 0x4a or 0x4b"),
        ("kind: bh1750\n    wm2_per_lux: 1", "wm2_per_lux must be between 0 and 0.1"),
        ("kind: bh1750\n    address: 0x40", "answers at 0x23 or 0x5c"),
    ])
    func outdoorKeys(_ row: (String, String)) throws {
        let yaml = minimalSite + "\n  - id: outdoor\n    " + row.0 + "\n"
        let error = try #require(Self.error(yaml))
        #expect(error.description.contains(row.1), "\(error)")
        #expect((error.line ?? 0) >= 14, "\(error)")
    }

    @Test("An anemometer's defaults: the common cup set, 5 ms debounce, a 60 s mean, calm never 'stuck'")
    func anemometerDefaults() throws {
        let site = try ConfigurationLoader.parse(yaml: minimalSite + "\n  - id: wind\n    kind: anemometer\n    line: 26\n", file: "site.yaml")
        let wind = try #require(site.sensors.first { $0.descriptor.id == "wind" })
        #expect(wind.anemometer == AnemometerSettings(chip: "gpiochip0", line: 26, hzPerMps: 1.5, debounce: .milliseconds(5),
                                                      window: .seconds(60), stuckReference: nil, stuckAfter: .seconds(1800)))
        #expect(wind.descriptor.quantities == [.windSpeed, .windGust])
        #expect(wind.descriptor.stuckAfter == nil)  // the generic identical-data check would call calm stuck
        let custom = try ConfigurationLoader.parse(yaml: minimalSite + "\n  - id: wind\n    kind: anemometer\n    line: 26\n    stuck_after: 1h\n    stuck_reference: hall-climate\n", file: "site.yaml")
        #expect(custom.sensors.last?.anemometer?.stuckAfter == .seconds(3600))
        #expect(custom.sensors.last?.anemometer?.stuckReference == "hall-climate")
    }

    @Test("Not YAML at all: the line of the syntax error")
    func notYAML() throws {
        let error = try #require(Self.error("site:\n  id: [unclosed\nareas: x\n"))
        #expect(error.description.hasPrefix("site.yaml:"))
        #expect(error.description.contains("not valid YAML"))
    }

    @Test("Duplicate sensor ids are rejected")
    func duplicateIDs() throws {
        let yaml = minimalSite + "\n  - id: hall-climate\n    kind: aht20\n"
        let error = try #require(Self.error(yaml))
        #expect(error.line == 14)
        #expect(error.message.contains("already used"))
    }

    @Test("Layers: standard → region → site, each value says where it came from")
    func layers() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("regions"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try """
        name: test-region
        heat:
          wbgt_thresholds:
            severe: 27
            stop: 30
        lightning:
          all_clear: 45m
        """.write(to: directory.appendingPathComponent("regions/test-region.yaml"), atomically: true, encoding: .utf8)
        let site = minimalSite.replacingOccurrences(of: "  id: test-site", with: "  id: test-site\n  region: test-region")
            + "\nheat:\n  wbgt_thresholds:\n    stop: 29.5\n"
        let path = directory.appendingPathComponent("site.yaml").path
        try site.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ConfigurationLoader.load(path: path)
        let p = config.model.parameters
        #expect(p.wbgtThresholds == HeatThresholds(caution: 21, warning: 25, severe: 27, stop: 29.5))
        #expect(p.lightning.allClear == .seconds(2700))
        let sources = Dictionary(uniqueKeysWithValues: config.parameterLayers.entries.map { ($0.key, $0.source) })
        #expect(sources["heat.wbgt_thresholds.caution"] == .standard)
        if case .region(name: "test-region", _, line: 4) = sources["heat.wbgt_thresholds.severe"] {} else {
            Issue.record("severe should come from the region, line 4: \(String(describing: sources["heat.wbgt_thresholds.severe"]))")
        }
        if case .site(_, line: 17) = sources["heat.wbgt_thresholds.stop"] {} else {
            Issue.record("stop should come from the site, line 17: \(String(describing: sources["heat.wbgt_thresholds.stop"]))")
        }
        let printed = EffectiveConfigurationPrinter.render(config)
        #expect(printed.contains("stop: 29.5  # site"))
        #expect(printed.contains("severe: 27  # region test-region"))
        #expect(printed.contains("caution: 21  # standard"))
    }

    @Test("A region that does not exist is an error naming where it looked")
    func missingRegion() throws {
        let error = try #require(Self.error(minimalSite.replacingOccurrences(of: "  id: test-site", with: "  id: test-site\n  region: atlantis")))
        #expect(error.line == 3)
        #expect(error.message.contains("regional profile 'atlantis' not found"))
    }

    @Test("The shipped standard profile equals the built-in standard")
    func shippedStandard() throws {
        let profile = try ConfigurationLoader.loadRegionProfile(path: repositoryRoot() + "/Config/regions/standard.yaml")
        #expect(profile.parameters == .standard)
    }

    @Test("Every shipped configuration and scenario loads")
    func shippedFiles() throws {
        let root = repositoryRoot()
        var configurations: [SiteConfiguration] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: root + "/Config").sorted() where name.hasSuffix(".yaml") {
            let configuration = try ConfigurationLoader.load(path: root + "/Config/" + name)
            if configuration.model.site.id == ExampleSite.id {
                // The package's example says it is one until it is made a real venue's.
                #expect(configuration.warnings.map(\.key) == ["site.id", "site.latitude"], "\(name): \(configuration.warnings)")
            } else {
                #expect(configuration.warnings.isEmpty, "\(name): \(configuration.warnings)")
            }
            configurations.append(configuration)
        }
        #expect(configurations.count >= 5)
        let scenarios = try FileManager.default.contentsOfDirectory(atPath: root + "/Config/scenarios").filter { $0.hasSuffix(".yaml") }
        #expect(scenarios.count >= 6)
        // Each scenario plays on at least one shipped configuration (the one naming it, or the demo).
        for name in scenarios {
            let loads = configurations.filter { (try? ScenarioLoader.load(path: root + "/Config/scenarios/" + name, configuration: $0)) != nil }
            #expect(!loads.isEmpty, "\(name) loads with no shipped configuration")
        }
        for configuration in configurations {
            if let scenario = configuration.simulation?.scenario {
                _ = try ScenarioLoader.load(path: scenario, configuration: configuration)
            }
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: root + "/Config/regions") where name.hasSuffix(".yaml") {
            _ = try ConfigurationLoader.loadRegionProfile(path: root + "/Config/regions/" + name)
        }
    }
}

/// The repository's root, from this file's path.
func repositoryRoot(_ file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
}
