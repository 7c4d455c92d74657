import Testing
import VenueGuardCore
import VenueGuardSimulation
@testable import VenueGuardConfiguration

struct ScenarioLoaderTests {
    static let config = try! ConfigurationLoader.parse(yaml: minimalSite, file: "site.yaml")

    static let scenario = """
    name: t
    start: 2024-08-01T13:00:00+09:00
    duration: 1h
    samples:
      hall-climate:
        air_temperature: { 0m: 25, 30m: 28 }
        humidity: { 0m: 60 }
    events:
      - { at: 10m, strike: { distance_km: 8 } }
      - { at: 5m, fault: { sensor: hall-climate, kind: crc, until: 6m } }
      - { at: 20m, heat_alert: { level: special-alert, until: 2h } }
      - { at: 30m, thunder_advisory: true }
      - { at: 40m, acknowledge: true }
      - { at: 50m, strike: { distance: overhead } }
    """

    @Test("A scenario parses: interpolated samples, events in time order, faults with expiry")
    func parses() throws {
        let s = try ScenarioLoader.parse(yaml: Self.scenario, file: "s.yaml", configuration: Self.config)
        #expect(s.start == WallClockTime(year: 2024, month: 8, day: 1, hour: 4))
        #expect(s.utcOffsetSeconds == 9 * 3600)
        #expect(s.duration == .seconds(3600))
        #expect(s.samples["hall-climate"]?[.airTemperature]?.value(at: .seconds(900)) == 26.5)
        #expect(s.events.map(\.at) == [.seconds(300), .seconds(600), .seconds(1200), .seconds(1800), .seconds(2400), .seconds(3000)])
        #expect(s.faults(of: "hall-climate", at: .seconds(330)).first?.kind == .crc)
        #expect(s.faults(of: "hall-climate", at: .seconds(360)).isEmpty)
        #expect(s.events[2].kind == .heatAlert(.specialAlert, until: .seconds(7200)))
        #expect(s.events[5].kind == .strike(.overhead, energy: nil))
    }

    @Test("Scenario errors name the line", arguments: [
        ("  - { at: 10m, strike: { distance_km: 8 } }", "  - { at: 10m, strike: { distance_km: 99 } }", 9, "0–63 km"),
        ("  hall-climate:", "  hall-globe:", 5, "no sensor 'hall-globe'"),
        ("    humidity: { 0m: 60 }", "    humidity: { 0m: 160 }", 7, "impossible"),
        ("    humidity: { 0m: 60 }", "    globe_temperature: { 0m: 30 }", 7, "does not provide globe_temperature"),
        ("  - { at: 40m, acknowledge: true }", "  - { at: 40m, acknowledge: true, strike: { distance_km: 3 } }", 13, "exactly one of"),
        ("start: 2024-08-01T13:00:00+09:00", "start: yesterday", 2, "ISO 8601"),
    ])
    func errors(_ row: (String, String, Int, String)) throws {
        let yaml = Self.scenario.replacingOccurrences(of: row.0, with: row.1)
        #expect(yaml != Self.scenario)
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "s.yaml", configuration: Self.config)
            Issue.record("accepted")
        } catch let error as ConfigError {
            #expect(error.line == row.2, "\(error)")
            #expect(error.description.contains(row.3), "\(error)")
        }
    }

    @Test("Timestamps", arguments: [
        ("2024-08-01T12:00:00+09:00", 1722481200.0, 32400),
        ("2024-08-01T03:00:00Z", 1722481200.0, 0),
        ("2024-12-31T23:59:59.5-05:30", 1735709399.5, -19800),
    ])
    func timestamps(_ row: (String, Double, Int)) throws {
        let (time, offset) = try #require(ISO8601Time.parse(row.0))
        #expect(time.secondsSince1970 == row.1)
        #expect(offset == row.2)
    }
}
