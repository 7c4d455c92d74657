import Synchronization
import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

/// A reed switch's closings every `period` from `start` for `count` pulses; each closing
/// bounces once 0.3 ms after it (as the simulated twin and real reed switches do).
func reedTrain(start: Int64 = 0, period: Double, count: Int, bounce: Bool = true) -> [GPIOEdge] {
    (0..<count).flatMap { i -> [GPIOEdge] in
        let at = start + Int64((Double(i) * period * 1e9).rounded())
        let closing = [GPIOEdge(rising: false, nanoseconds: at)]
        let bounced = bounce ? [GPIOEdge(rising: true, nanoseconds: at + 300_000), GPIOEdge(rising: false, nanoseconds: at + 600_000)] : []
        return closing + bounced + [GPIOEdge(rising: true, nanoseconds: at + Int64(period * 0.5e9))]
    }
}

let second: Int64 = 1_000_000_000

struct AnemometerCounterTests {
    @Test("Pulse rate to wind: the common cup set (1 Hz = 2.4 km/h) over a full 60 s window, with and without bounce",
          arguments: [(3.0, 2.0), (1.5, 1.0), (15.0, 10.0), (0.5, 1.0 / 3)], [false, true])
    func knownTrains(_ row: (hz: Double, mps: Double), bounce: Bool) throws {
        var counter = AnemometerCounter(hzPerMps: 1.5)
        let count = Int(60 * row.hz)
        counter.feed(reedTrain(start: second / 100, period: 1 / row.hz, count: count, bounce: bounce))
        let measuredwind = counter.measure(at: 60 * second + second / 200, countingSince: 0)
        let wind = try #require(measuredwind)
        #expect(abs(wind.mean - row.mps) < 0.001, "\(wind.mean)")
        #expect(abs(wind.gust - row.mps) < 0.34, "steady wind: gust \(wind.gust) ≈ mean")  // one pulse in 3 s is 0.22 m/s
        #expect(counter.bounces == (bounce ? count : 0))
    }

    @Test("Debounce: an edge closer than 5 ms to the last counted one is bounce, one further away a pulse")
    func debounceBoundary() throws {
        var counter = AnemometerCounter(hzPerMps: 1.0, window: .seconds(10))
        counter.feed([GPIOEdge(rising: false, nanoseconds: second), GPIOEdge(rising: false, nanoseconds: second + 4_000_000),
                      GPIOEdge(rising: false, nanoseconds: second + 10_000_000)])
        let measuredwind = counter.measure(at: 10 * second, countingSince: 0)
        let wind = try #require(measuredwind)
        #expect(counter.bounces == 1)
        #expect(abs(wind.mean - 0.2) < 1e-9)  // 2 pulses in 10 s at 1 Hz per m/s
    }

    @Test("Gust: the strongest 3 s in the window; the mean keeps only the last 60 s")
    func gust() throws {
        var counter = AnemometerCounter(hzPerMps: 1.5)
        // 57 s at 1 m/s (1.5 Hz), then 3 s at 10 m/s (15 Hz).
        counter.feed(reedTrain(period: 1 / 1.5, count: 85, bounce: true))
        counter.feed(reedTrain(start: 57 * second, period: 1 / 15.0, count: 45, bounce: true))
        let measuredwind = counter.measure(at: 60 * second - 1, countingSince: 0)
        let wind = try #require(measuredwind)
        #expect(abs(wind.gust - 10) < 0.3, "\(wind.gust)")
        #expect(abs(wind.mean - (85.0 + 45) / 60 / 1.5) < 0.001)
        // Two minutes later, with no pulses since: calm, and the gust is forgotten.
        let measuredlater = counter.measure(at: 180 * second, countingSince: 0)
        let later = try #require(measuredlater)
        #expect(later.mean == 0 && later.gust == 0)
    }

    @Test("A mean needs 10 s of counting; before a full window it is over the time counted")
    func partialWindow() throws {
        var counter = AnemometerCounter(hzPerMps: 1.5)
        counter.feed(reedTrain(start: 1, period: 1 / 3.0, count: 60))
        #expect(counter.measure(at: 9 * second, countingSince: 0) == nil)
        let measuredwind = counter.measure(at: 20 * second, countingSince: 0)
        let wind = try #require(measuredwind)
        #expect(abs(wind.mean - 2.0) < 0.001)
    }
}

struct AnemometerSourceTests {
    final class Clock: Sendable {
        private let nanoseconds = Atomic<Int64>(0)
        var value: Int64 {
            get { nanoseconds.load(ordering: .relaxed) }
            set { nanoseconds.store(newValue, ordering: .relaxed) }
        }
    }

    @Test("Calm is not a fault; a silent line while the reference sensor measures wind is")
    func stuckOnlyWithWindElsewhere() async throws {
        let clock = Clock()
        let reference = WindReference(sensor: "weather-board")
        let source = AnemometerSource(id: "wind", counter: AnemometerCounter(hzPerMps: 1.5), stuckAfter: .seconds(1800),
                                      reference: reference) { clock.value }
        // 40 minutes of calm with no reference reading: calm, no fault.
        clock.value = 40 * 60 * second
        let instant = MonotonicInstant(nanoseconds: 40 * 60 * second)
        #expect(await source.sample(at: instant) == .values([.windSpeed: 0, .windGust: 0]))
        // The reference measures 1.5 m/s: still plausible calm at the cups (below 3 m/s).
        reference.record(.values([.windSpeed: 1.5]), at: instant)
        #expect(await source.sample(at: instant) == .values([.windSpeed: 0, .windGust: 0]))
        // The reference measures 6 m/s: the line is reported.
        reference.record(.values([.windSpeed: 6]), at: instant)
        guard case let .fault(reason)? = await source.sample(at: instant) else { Issue.record("no fault"); return }
        #expect(reason.description.contains("weather-board measures 6 m/s"), "\(reason)")
        // An old reference reading (over 10 minutes) no longer counts.
        #expect(await source.sample(at: instant + .seconds(601)) == .values([.windSpeed: 0, .windGust: 0]))
        // Pulses again: no fault.
        reference.record(.values([.windSpeed: 6]), at: instant + .seconds(601))
        source.feed(reedTrain(start: 40 * 60 * second, period: 0.1, count: 600))
        clock.value = 41 * 60 * second
        let sample = await source.sample(at: instant + .seconds(602))
        guard case let .values(values, _, _, _)? = sample else { Issue.record("\(String(describing: sample))"); return }
        #expect(abs(values[.windSpeed]! - 10 / 1.5) < 0.02)  // one pulse in 60 s is 0.011 m/s
    }

    @Test("The first seconds give no reading (alive), not a calm")
    func warmUp() async {
        let clock = Clock()
        let source = AnemometerSource(id: "wind", counter: AnemometerCounter(hzPerMps: 1.5)) { clock.value }
        #expect(await source.sample(at: .origin) == .alive)
    }

    @Test("The simulated pulse train through the real driver gives the scenario's wind, reed bounce and all", arguments: [0.4, 2.5, 8.0])
    func twin(_ speed: Double) async throws {
        let env = environment([.windSpeed: speed], sensor: "wind")
        let twin = SimulatedAnemometer(id: "wind", counter: AnemometerCounter(hzPerMps: 1.5), stuckAfter: .seconds(1800), environment: env)
        var last: SensorSample?
        for step in 0...9 { last = await twin.sample(at: .origin + .seconds(Int64(10 * step))) }
        guard case let .values(values, _, _, _)? = last else { Issue.record("\(String(describing: last))"); return }
        // One pulse in 60 s is 0.011 m/s at 1.5 Hz per m/s.
        #expect(abs(values[.windSpeed]! - speed) < 0.02, "\(values)")
        #expect(values[.windGust]! >= values[.windSpeed]!)
    }
}

struct ADS1115Tests {
    func driver(_ device: I2CDevice, channel: Int = 0, gain: Double = 2.048, scale: Double = 1000, offset: Double = 0,
                quantity: Quantity = .solarRadiation) -> ADS1115 {
        ADS1115(device: device, delay: NoDelay(), channel: channel, fullScale: gain, scale: scale, offset: offset, quantity: quantity)
    }

    @Test("Config words: the datasheet's reset value 0x8583 is ±2.048 V single-shot, 128 SPS, comparator off; ours differ only in MUX", arguments: [
        (0, 2.048, UInt16(0xC583)), (1, 2.048, 0xD583), (3, 4.096, 0xF383), (2, 6.144, 0xE183), (0, 0.256, 0xCB83),
    ])
    func configWord(_ row: (channel: Int, gain: Double, word: UInt16)) {
        let word = driver(SimulatedI2CBus().device(at: 0x48), channel: row.channel, gain: row.gain).configWord
        #expect(word == row.word, "0x\(String(word, radix: 16))")
        if row.gain == 2.048 { #expect(word & 0x8FFF == 0x8583) }  // MUX (bits 14:12) aside, the reset configuration
    }

    @Test("Output codes: 7FFFh is +FS − 1 LSB, 8000h is −FS; 1 LSB is 62.5 µV at ±2.048 V")
    func codes() {
        let adc = driver(SimulatedI2CBus().device(at: 0x48))
        #expect(abs(adc.volts(raw: 0x7FFF) - 2.048 * 32767 / 32768) < 1e-12)
        #expect(adc.volts(raw: Int16.min) == -2.048)
        #expect(abs(adc.volts(raw: 1) - 62.5e-6) < 1e-12)
    }

    @Test("Pyranometer, 4–20 mA through 150 Ω and a divided 0–5 V input round-trip through the twin", arguments: [
        // (quantity, gain, scale, offset, value): an amplified pyranometer, 1 mV per W/m²; a thermopile
        // one, 10 µV per W/m², at ±0.256 V; a 4–20 mA transmitter for 0–1600 W/m² gives 0.6–3.0 V across
        // 150 Ω: value = 666.67·V − 400; a 0–5 V humidity transmitter (20 %/V) through a 12k/22k divider.
        (Quantity.solarRadiation, 2.048, 1000.0, 0.0, 850.0), (.solarRadiation, 0.256, 100_000, 0, 850),
        (.solarRadiation, 4.096, 2000.0 / 3, -400, 800), (.solarRadiation, 4.096, 2000.0 / 3, -400, 0),
        (.relativeHumidity, 4.096, 20 * 34.0 / 22, 0, 63),
    ])
    func roundTrip(_ row: (quantity: Quantity, gain: Double, scale: Double, offset: Double, value: Double)) throws {
        let env = environment([row.quantity: row.value])
        let bus = SimulatedI2CBus()
        let chip = SimulatedADS1115(environment: env, quantity: row.quantity, scale: row.scale, offset: row.offset)
        bus.attach(chip, at: 0x49)
        let adc = driver(bus.device(at: 0x49), channel: 2, gain: row.gain, scale: row.scale, offset: row.offset, quantity: row.quantity)
        try adc.initialise()
        chip.busyReads = 3  // the driver polls OS until the conversion is done
        let m = try adc.measure()
        // One LSB of quantization, plus the twin's ±1 unit of deterministic sensor noise.
        let lsb = row.gain / 32768 * abs(row.scale)
        #expect(abs(m.values[row.quantity]! - row.value) <= lsb + 1, "\(m.values)")
        #expect(chip.config == adc.configWord)
    }

    @Test("A conversion that never finishes is 'not ready'; a missing chip is a bus error")
    func failures() {
        let bus = SimulatedI2CBus()
        let chip = SimulatedADS1115(environment: environment([.solarRadiation: 500]), quantity: .solarRadiation, scale: 1000, offset: 0)
        bus.attach(chip, at: 0x48)
        chip.busyReads = 100
        #expect(throws: DriverError.notReady) { try driver(bus.device(at: 0x48)).measure() }
        #expect(throws: DriverError.i2c(.noAcknowledge)) { try driver(bus.device(at: 0x4B)).initialise() }
        let unplugged = SimulatedI2CBus()
        unplugged.attach(SimulatedADS1115(environment: environment([.solarRadiation: 500], events: [fault(.unplugged)]),
                                          quantity: .solarRadiation, scale: 1000, offset: 0), at: 0x48)
        #expect(throws: DriverError.i2c(.noAcknowledge)) { try driver(unplugged.device(at: 0x48)).measure() }
    }

    @Test("A pyranometer's small negative night-time offset reads as 0 W/m²")
    func nightOffset() throws {
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedADS1115(environment: environment([.solarRadiation: -3]), quantity: .solarRadiation, scale: 1000, offset: 0), at: 0x48)
        #expect(try driver(bus.device(at: 0x48)).measure().values[.solarRadiation] == 0)
    }
}

struct BH1750Tests {
    @Test("Datasheet example: 1000_0011 1001_0000 (33680) is 28067 lx at the default MTreg")
    func datasheetExample() {
        #expect(abs(BH1750.lux(raw: 0b1000_0011_1001_0000) - 28066.67) < 0.01)
        // MTreg 31 (the driver's setting) widens the range: a count of 65534 is 121,555 lx.
        #expect(abs(BH1750.lux(raw: 0xFFFE, measurementTime: 31) - 121_555.0) < 0.1)
    }

    @Test("The driver sets MTreg 31 with the two change-measurement-time commands and reads the twin's light back")
    func roundTrip() throws {
        let bus = SimulatedI2CBus()
        let chip = SimulatedBH1750(environment: environment([.solarRadiation: 800]), wm2PerLux: 1.0 / 120)
        bus.attach(chip, at: 0x23)
        let driver = BH1750(device: bus.device(at: 0x23), delay: NoDelay())
        try driver.initialise()
        #expect(chip.measurementTime == 31)
        let m = try driver.measure()
        // 96,000 lx; one count is 1.85 lx (0.015 W/m²); the twin adds ±2 W/m² of noise.
        #expect(abs(m.values[.solarRadiation]! - 800) < 2.05)
        #expect(m.origin == .luxEstimate)
    }

    @Test("Saturation and a missing chip are errors, not readings")
    func failures() throws {
        let bus = SimulatedI2CBus()
        bus.attach(SimulatedBH1750(environment: environment([.solarRadiation: 500], events: [fault(.implausible)]), wm2PerLux: 1.0 / 120), at: 0x23)
        let driver = BH1750(device: bus.device(at: 0x23), delay: NoDelay())
        try driver.initialise()
        #expect(throws: DriverError.invalidData("light sensor saturated")) { try driver.measure() }
        #expect(throws: DriverError.i2c(.noAcknowledge)) { try BH1750(device: bus.device(at: 0x5C), delay: NoDelay()).initialise() }
    }
}
