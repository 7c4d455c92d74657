import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

struct BME280DriverTests {
    @Test("The driver reads back the scenario through the chip's calibration block", arguments: [
        (20.0, 50.0, 1013.25), (33.5, 85.0, 1004.0), (-5.0, 20.0, 900.0), (45.0, 10.0, 1050.0),
    ])
    func roundTrip(_ row: (Double, Double, Double)) throws {
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedBME280(environment: environment([.airTemperature: row.0, .relativeHumidity: row.1, .pressure: row.2])), at: 0x76)
        let driver = BME280(device: bus.device(at: 0x76), delay: NoDelay())
        try driver.initialise()
        #expect(driver.calibration == SimulatedBME280.calibration)
        let m = try driver.measure()
        #expect(abs(m.values[.airTemperature]! - row.0) < 0.05)
        #expect(abs(m.values[.relativeHumidity]! - row.1) < 0.2)
        #expect(abs(m.values[.pressure]! - row.2) < 0.1)
    }

    @Test("A BMP280 (no humidity) is refused with a clear reason")
    func bmp280() {
        let bus = SimulatedI2CBus()
        let chip = SimulatedBME280(environment: environment([.airTemperature: 20]))
        chip.chipID = 0x58
        bus.attach(chip, at: 0x77)
        let driver = BME280(device: bus.device(at: 0x77), delay: NoDelay())
        #expect(throws: DriverError.wrongChip("expected a BME280 (chip id 0x60), found a BMP280 (no humidity sensor)")) { try driver.initialise() }
    }

    @Test("Before any conversion the data registers hold the skipped values: refused, not used")
    func skipped() throws {
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedBME280(environment: environment([.airTemperature: 20])), at: 0x76)
        let device = bus.device(at: 0x76)
        let data = try device.readRegisters(0xF7, count: 8)
        #expect(data[0] == 0x80 && data[3] == 0x80 && data[6] == 0x80)
    }
}
