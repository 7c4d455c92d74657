import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

/// A chip environment reading fixed values (no scenario changes) for driver tests.
func environment(_ values: [Quantity: Double], events: [ScenarioEvent] = [], sensor: SensorID = "s") -> ChipEnvironment {
    let samples = values.mapValues { SampleSeries(points: [(.zero, $0)]) }
    let scenario = Scenario(name: "t", start: WallClockTime(secondsSince1970: 0), duration: .seconds(3600),
                            samples: [sensor: samples], events: events)
    return ChipEnvironment(sensor: sensor, scenario: scenario)
}

func fault(_ kind: ScenarioFault.Kind, from: Double = 0, until: Double? = nil, sensor: SensorID = "s") -> ScenarioEvent {
    ScenarioEvent(at: .seconds(fractional: from), .fault(ScenarioFault(sensor: sensor, kind: kind, until: until.map { .seconds(fractional: $0) })))
}

struct SensirionTests {
    @Test("CRC-8 of the datasheet example: 0xBEEF → 0x92")
    func crcExample() {
        #expect(SensirionCRC.checksum([0xBE, 0xEF]) == 0x92)
        #expect(SensirionCRC.words([0xBE, 0xEF, 0x92, 0x00, 0x00, 0x81]) == [0xBEEF, 0x0000])
        #expect(SensirionCRC.words([0xBE, 0xEF, 0x93]) == nil)
    }

    @Test("SHT3x conversion formulas at the ends and in between", arguments: [
        (UInt16(0x0000), -45.0, 0.0), (0xFFFF, 130.0, 100.0), (0x6666, 24.9992, 40.0),
    ])
    func sht3xFormulas(_ row: (UInt16, Double, Double)) {
        #expect(abs(SHT3x.temperature(raw: row.0) - row.1) < 0.001)
        #expect(abs(SHT3x.humidity(raw: row.0) - row.2) < 0.001)
    }

    @Test("SHT4x humidity: −6 + 125·S/65535, cropped to 0…100", arguments: [
        (UInt16(0x0000), 0.0), (0xFFFF, 100.0), (0x8000, 56.5), (0x0C49, 0.0),
    ])
    func sht4xHumidity(_ row: (UInt16, Double)) {
        #expect(abs(SHT4x.humidity(raw: row.0) - row.1) < 0.01)
    }

    @Test("SHT3x and SHT4x drivers read the simulated chips", arguments: [SimulatedSensirionChip.Family.sht3x, .sht4x])
    func driversAgainstTwins(_ family: SimulatedSensirionChip.Family) throws {
        let env = environment([.airTemperature: 27.3, .relativeHumidity: 61.5])
        let bus = SimulatedI2CBus()
        let chip = SimulatedSensirionChip(family: family, environment: env)
        bus.attach(chip, at: 0x44)
        let driver: ChipDriver = family == .sht3x ? SHT3x(device: bus.device(at: 0x44), delay: NoDelay())
                                                  : SHT4x(device: bus.device(at: 0x44), delay: NoDelay())
        try driver.initialise()
        let m = try driver.measure()
        #expect(abs(m.values[.airTemperature]! - 27.3) < 0.05)
        #expect(abs(m.values[.relativeHumidity]! - 61.5) < 0.2)
        #expect(m.fingerprint.count == 2)
        if family == .sht3x { #expect(chip.commands.contains([0x30, 0x66])) }  // heater off
    }

    @Test("Every fault kind reaches the driver as the right error", arguments: [
        (ScenarioFault.Kind.noResponse, DriverError.i2c(.noAcknowledge)), (.unplugged, .i2c(.noAcknowledge)),
        (.timeout, .i2c(.timeout)), (.crc, .crcMismatch),
    ])
    func faults(_ row: (ScenarioFault.Kind, DriverError)) {
        let env = environment([.airTemperature: 20, .relativeHumidity: 50], events: [fault(row.0)])
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedSensirionChip(family: .sht3x, environment: env), at: 0x44)
        let driver = SHT3x(device: bus.device(at: 0x44), delay: NoDelay())
        #expect(throws: row.1) {
            if row.0 != .crc { try driver.initialise() }
            _ = try driver.measure()
        }
    }

    @Test("A heater that stays on is refused at initialisation")
    func heaterOn() {
        let bus = SimulatedI2CBus()
        let chip = SimulatedSensirionChip(family: .sht3x, environment: environment([.airTemperature: 20]))
        bus.attach(chip, at: 0x45)
        let driver = SHT3x(device: bus.device(at: 0x45), delay: NoDelay())
        chip.heaterOn = true
        // The driver's heater-off command clears it.
        #expect(throws: Never.self) { try driver.initialise() }
        #expect(!chip.heaterOn)
    }

    @Test("Nothing at the address: no acknowledge")
    func absent() {
        let driver = SHT3x(device: SimulatedI2CBus().device(at: 0x44), delay: NoDelay())
        #expect(throws: DriverError.i2c(.noAcknowledge)) { try driver.initialise() }
    }
}

struct AHT20Tests {
    @Test("Formulas: 20-bit raw to %RH and °C", arguments: [
        (UInt32(0x80000), 50.0, 50.0), (0x60000, 37.5, 25.0), (0, 0.0, -50.0),
    ])
    func formulas(_ row: (UInt32, Double, Double)) {
        #expect(abs(AHT20.humidity(raw: row.0) - row.1) < 1e-9)
        #expect(abs(AHT20.temperature(raw: row.0) - row.2) < 1e-9)
    }

    @Test("An uncalibrated chip gets the initialisation command, then measures")
    func calibrationBit() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedAHT20(environment: environment([.airTemperature: 29.5, .relativeHumidity: 72]))
        bus.attach(chip, at: 0x38)
        let driver = AHT20(device: bus.device(at: 0x38), delay: NoDelay())
        #expect(!chip.calibrated)
        try driver.initialise()
        #expect(chip.calibrated)
        let m = try driver.measure()
        #expect(abs(m.values[.airTemperature]! - 29.5) < 0.05)
        #expect(abs(m.values[.relativeHumidity]! - 72) < 0.2)
    }

    @Test("A wrong CRC is a CRC fault")
    func crc() throws {
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedAHT20(environment: environment([.airTemperature: 20], events: [fault(.crc)])), at: 0x38)
        let driver = AHT20(device: bus.device(at: 0x38), delay: NoDelay())
        try driver.initialise()
        #expect(throws: DriverError.crcMismatch) { _ = try driver.measure() }
    }
}
