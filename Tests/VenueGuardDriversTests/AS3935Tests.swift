import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

struct AS3935Tests {
    static func make(_ settings: AS3935.Settings = AS3935.Settings(), events: [ScenarioEvent] = []) -> (AS3935, SimulatedAS3935) {
        let bus = SimulatedI2CBus()
        let chip = SimulatedAS3935(environment: environment([:], events: events))
        bus.attach(chip, at: 0x03)
        return (AS3935(device: bus.device(at: 0x03), delay: NoDelay(), settings: settings), chip)
    }

    static func at(_ minutes: Double) -> MonotonicInstant { MonotonicInstant(seconds: minutes * 60) }

    @Test("Distance register values, including overhead and out of range", arguments: [
        (UInt8(0x01), LightningStrike.Distance.overhead), (0x3F, .outOfRange), (0x28, .kilometres(40)), (0x05, .kilometres(5)),
        (0x0A, .kilometres(10)), (0x0E, .kilometres(14)), (0xC8, .kilometres(8)),
    ])
    func distances(_ row: (UInt8, LightningStrike.Distance)) {
        #expect(AS3935.distance(register: row.0) == row.1)
    }

    @Test("Initialisation sets the front-end gain for indoors (0x12) and outdoors (0x0E), and the minimum strikes", arguments: [
        (AS3935.Environment.indoor, UInt8(0x12)), (.outdoor, 0x0E),
    ])
    func gain(_ row: (AS3935.Environment, UInt8)) throws {
        var settings = AS3935.Settings()
        settings.environment = row.0
        settings.minimumStrikes = 9
        let (driver, chip) = Self.make(settings)
        try driver.initialise()
        #expect(chip.gain == row.1)
        #expect(chip.noiseFloor == 2)
        #expect(try driver.verify() == ())
    }

    @Test("A strike: distance and energy after the IRQ")
    func strike() throws {
        let (driver, chip) = Self.make()
        try driver.initialise()
        chip.injectStrike(.kilometres(8), energy: 123_456)
        #expect(chip.irqHigh)
        #expect(try driver.handleInterrupt(at: Self.at(0)) == .strike(.kilometres(8), energy: 123_456))
        #expect(!chip.irqHigh)  // reading the interrupt register clears it
        chip.injectStrike(.overhead, energy: 1)
        #expect(try driver.handleInterrupt(at: Self.at(1)) == .strike(.overhead, energy: 1))
        chip.injectStrike(.outOfRange, energy: 1)
        #expect(try driver.handleInterrupt(at: Self.at(2)) == .strike(.outOfRange, energy: 1))
    }

    @Test("Noise raises the floor; a quiet period lowers it again, not below the setting")
    func noiseFloor() throws {
        let (driver, chip) = Self.make()
        try driver.initialise()
        chip.injectNoise()
        #expect(try driver.handleInterrupt(at: Self.at(0)) == .noiseHigh(floor: 3))
        chip.injectNoise()
        #expect(try driver.handleInterrupt(at: Self.at(1)) == .noiseHigh(floor: 4))
        #expect(chip.noiseFloor == 4)
        try driver.periodicCheck(at: Self.at(20))
        #expect(chip.noiseFloor == 4)  // not quiet long enough
        try driver.periodicCheck(at: Self.at(31))
        #expect(chip.noiseFloor == 3)
        try driver.periodicCheck(at: Self.at(62))
        #expect(chip.noiseFloor == 2)
        try driver.periodicCheck(at: Self.at(200))
        #expect(chip.noiseFloor == 2)
    }

    @Test("Many disturbers mask disturbers; a quiet period unmasks them")
    func disturbers() throws {
        let (driver, chip) = Self.make()
        try driver.initialise()
        for i in 0..<9 {
            chip.injectDisturber()
            #expect(try driver.handleInterrupt(at: Self.at(Double(i) * 0.5)) == .disturber(masked: false))
        }
        chip.injectDisturber()
        #expect(try driver.handleInterrupt(at: Self.at(5)) == .disturber(masked: true))
        #expect(chip.disturbersMasked)
        chip.injectDisturber()  // masked: the chip stays quiet
        #expect(!chip.irqHigh)
        try driver.periodicCheck(at: Self.at(40))
        #expect(!chip.disturbersMasked)
    }

    @Test("A chip that lost its settings (brown-out) is noticed by the periodic check")
    func resetNoticed() throws {
        let (driver, chip) = Self.make()
        try driver.initialise()
        _ = try chip.writeRead([0x3C, 0x96], count: 0)  // PRESET_DEFAULT behind the driver's back
        #expect(throws: DriverError.self) { try driver.periodicCheck(at: Self.at(1)) }
    }

    @Test("The detector source reports alive, strikes as inputs, and a fault when the chip stops answering")
    func source() async {
        let env = environment([:], events: [fault(.noResponse, from: 600)])
        let bus = SimulatedI2CBus()
        let chip = SimulatedAS3935(environment: env)
        bus.attach(chip, at: 0x03)
        let source = LightningDetectorSource(id: "as3935", detector: AS3935(device: bus.device(at: 0x03), delay: NoDelay(), settings: .init()),
                                             context: InlineIOContext())
        #expect(await source.sample(at: Self.at(0)) == .alive)
        chip.injectStrike(.kilometres(12), energy: 5000)
        let inputs = await source.serviceInterrupt(at: Self.at(1))
        #expect(inputs == [.strike(LightningStrike(distance: .kilometres(12), energy: 5000, at: Self.at(1), source: "as3935"))])
        env.now = Self.at(11)
        #expect(await source.sample(at: Self.at(11)) == .fault(.noResponse))
    }
}
