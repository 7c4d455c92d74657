import Testing
import VenueGuardCore
@testable import VenueGuardConfiguration

/// Wiring mistakes and sensors that cannot do what the file asks: each an error with the file
/// and the line, before anything is wired.
struct WiringCheckTests {
    static let site = """
    site: { id: box }
    hardware: linux
    areas:
      - id: hall
        exposure: indoor
        sensors: [hall-climate]
    signal:
      lamps:
        green: { line: 17 }
        yellow: { line: 27 }
        red: { line: 22 }
      buzzer: { line: 24 }
      button: { line: 25 }
    sensors:
      - id: hall-climate
        kind: sht3x
    """

    static func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml")
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test("A GPIO line used twice is refused at its second use", arguments: [
        // (replace, with, line, fragment)
        ("  buzzer: { line: 24 }", "  buzzer: { line: 22 }", 12, "line 22 for the buzzer is already used by the red lamp (line 11)"),
        ("  button: { line: 25 }", "  button: { line: 17 }", 13, "line 17 for the acknowledge button is already used by the green lamp"),
        ("    kind: sht3x", "    kind: sht3x\n    power_gpio: 27", 17, "sensor 'hall-climate' (power_gpio) is already used by the yellow lamp (line 10)"),
        ("    kind: sht3x", "    kind: sht3x\n  - { id: strikes, kind: as3935, irq: 24 }", 17, "the IRQ of 'strikes' is already used by the buzzer"),
        ("    kind: sht3x", "    kind: sht3x\n  - { id: strikes, kind: as3935, irq: 6 }\n  - { id: wind, kind: anemometer, line: 6 }", 18,
         "anemometer 'wind' is already used by the IRQ of 'strikes' (line 17)"),
        ("    kind: sht3x", "    kind: sht3x\n    power_gpio: 6\n  - { id: strikes, kind: as3935, irq: 6 }", 18,
         "the IRQ of 'strikes' is already used by sensor 'hall-climate' (power_gpio) (line 17)"),
    ])
    func lineUsedTwice(_ row: (String, String, Int, String)) throws {
        let yaml = Self.site.replacingOccurrences(of: row.0, with: row.1)
        #expect(yaml != Self.site)
        let error = try #require(Self.error(yaml))
        #expect(error.file == "box.yaml")
        #expect(error.line == row.2, "\(error)")
        #expect(error.description.contains(row.3), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("The default signal lines count too when 'signal' is not written")
    func defaultSignalLines() throws {
        let yaml = """
        site: { id: box }
        areas: [{ id: hall, exposure: indoor, sensors: [hall-climate] }]
        sensors:
          - { id: hall-climate, kind: sht3x, power_gpio: 17 }
        """
        let error = try #require(Self.error(yaml))
        #expect(error.line == 4)
        #expect(error.description.contains("already used by the green lamp (the default when 'signal' is not written)"), "\(error)")
    }

    @Test("Sensors may share one supply switch (one rail, several sensors)")
    func sharedSupply() throws {
        let yaml = Self.site.replacingOccurrences(of: "    kind: sht3x", with: "    kind: sht3x\n    power_gpio: 6\n  - { id: globe, kind: ds18b20, role: globe, globe_diameter_mm: 150, power_gpio: 6 }")
            .replacingOccurrences(of: "sensors: [hall-climate]", with: "sensors: [hall-climate, globe]")
        #expect(Self.error(yaml) == nil)
    }

    @Test("An area with only advisory sensors could never show a level: refused")
    func advisoryOnly() throws {
        let yaml = Self.site.replacingOccurrences(of: "    kind: sht3x", with: "    kind: sht3x\n    trust: advisory")
        let error = try #require(Self.error(yaml))
        #expect(error.line == 4)
        #expect(error.description.contains("area 'hall' has only advisory sensors (hall-climate)"), "\(error)")
    }

    @Test("A kernel sensor cannot be asked for what its interface does not have", arguments: [
        ("kind: hwmon\n    device: 1-0076\n    quantities: [air_temperature, humidity, pressure]", "a hwmon sensor cannot read pressure"),
        ("kind: iio\n    device: 1-0076\n    quantities: [air_temperature, globe_temperature]\n    globe_diameter_mm: 150",
         "has one temperature channel"),
        ("kind: iio\n    quantities: [air_temperature]", "needs 'device'"),
    ])
    func kernelQuantities(_ row: (String, String)) throws {
        let yaml = Self.site + "\n  - id: kernel\n    " + row.0 + "\n"
        let error = try #require(Self.error(yaml))
        #expect(error.description.contains(row.1), "\(error)")
        #expect((error.line ?? 0) >= 17, "\(error)")
    }

    @Test("An IIO BME280 may give pressure; a numbered device directory is allowed with a warning")
    func kernelAccepted() throws {
        let yaml = Self.site.replacingOccurrences(of: "sensors: [hall-climate]", with: "sensors: [hall-climate, bme]")
            + "\n  - id: bme\n    kind: iio\n    device: iio:device0\n    quantities: [air_temperature, humidity, pressure]\n"
        let site = try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml")
        #expect(site.sensors.last?.descriptor.quantities == [.airTemperature, .relativeHumidity, .pressure])
        #expect(site.warnings.contains { $0.description.contains("can change at the next boot") && $0.line == 19 })
    }
}
