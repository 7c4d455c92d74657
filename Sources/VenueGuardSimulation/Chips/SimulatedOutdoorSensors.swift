import Synchronization
import VenueGuardCore
import VenueGuardDrivers

/// A cup anemometer's reed switch as a pulse train on a simulated GPIO line: the scenario's
/// wind speed (m/s) sets the pulse rate (`hzPerMps` per m/s); each closing bounces twice
/// within a millisecond, as a real reed switch does. The edges go to the real driver.
public final class SimulatedAnemometer: SensorSource, @unchecked Sendable {
    public let id: SensorID
    /// The real driver under test.
    public let source: AnemometerSource
    private let environment: ChipEnvironment
    private let hzPerMps: Double
    private let clock: LineClock
    private var phase = 0.0
    private var last: MonotonicInstant?

    /// The simulated line's clock: edge timestamps and the driver's "now" are simulated time.
    final class LineClock: Sendable {
        let nanoseconds = Atomic<Int64>(0)
    }

    /// A twin with a real driver for `counter` fed from `environment`'s wind speed.
    public init(id: SensorID, counter: AnemometerCounter, stuckAfter: Duration, reference: WindReference? = nil, environment: ChipEnvironment) {
        let clock = LineClock()
        clock.nanoseconds.store(environment.now.nanoseconds, ordering: .relaxed)
        self.id = id
        self.clock = clock
        self.source = AnemometerSource(id: id, counter: counter, stuckAfter: stuckAfter, reference: reference) { clock.nanoseconds.load(ordering: .relaxed) }
        self.environment = environment
        self.hzPerMps = counter.hzPerMps
    }

    /// The edges between the last call and `now`.
    func edges(until now: MonotonicInstant) -> [GPIOEdge] {
        defer { last = now }
        guard let start = last, now > start else { return [] }
        var edges: [GPIOEdge] = []
        let step = Duration.milliseconds(100)
        var t = start
        while t < now {
            let next = min(t + step, now)
            environment.now = t
            let speed = environment.fault == nil ? max(0, environment.value(.windSpeed) ?? 0) : 0  // a jammed or cut line gives no pulses
            let dt = (next - t).seconds
            let before = phase
            phase += speed * hzPerMps * dt
            var k = before.rounded(.down) + 1
            while k <= phase {
                let at = t.nanoseconds + Int64((k - before) / (phase - before) * dt * 1e9)
                edges += [GPIOEdge(rising: false, nanoseconds: at), GPIOEdge(rising: true, nanoseconds: at + 300_000),
                          GPIOEdge(rising: false, nanoseconds: at + 600_000), GPIOEdge(rising: true, nanoseconds: at + 20_000_000)]
                k += 1
            }
            t = next
        }
        environment.now = now
        return edges
    }

    public func sample(at now: MonotonicInstant) async -> SensorSample? {
        let edges = edges(until: now)
        clock.nanoseconds.store(now.nanoseconds, ordering: .relaxed)
        source.feed(edges)
        return await source.sample(at: now)
    }
}

/// An ADS1115 twin: a single-shot conversion of the scenario's quantity, turned back into the
/// volts the configured scale and offset expect.
public final class SimulatedADS1115: SimulatedI2CChip {
    private let environment: ChipEnvironment
    private let quantity: Quantity
    private let scale: Double, offset: Double
    /// The config register (power-on value 0x8583).
    public private(set) var config: UInt16 = 0x8583
    private var conversion: Int16 = 0
    private var pointer: UInt8 = 0
    /// How many config reads after a start still show the conversion in progress (OS = 0).
    public var busyReads = 1
    private var busyLeft = 0

    /// A chip whose input is `quantity` = volts × `scale` + `offset`.
    public init(environment: ChipEnvironment, quantity: Quantity, scale: Double, offset: Double) {
        self.environment = environment
        self.quantity = quantity
        self.scale = scale
        self.offset = offset
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        guard let first = bytes.first else { return }
        pointer = first
        if first == 0x01 && bytes.count == 3 {
            config = UInt16(bytes[1]) << 8 | UInt16(bytes[2])
            if config & 0x8000 != 0 {
                let fsr = ADS1115.ranges.first { $0.value == (config >> 9) & 0b111 }?.key ?? 2.048
                let value = environment.value(quantity, at: environment.measurementOffset, noise: 1) ?? 0
                let volts = environment.fault == .implausible ? fsr : (value - offset) / scale
                conversion = Int16(max(-32768, min(32767, (volts / fsr * 32768).rounded())))
                busyLeft = busyReads
            }
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        var word = UInt16(bitPattern: conversion)
        if pointer == 1 {
            word = busyLeft > 0 ? config & 0x7FFF : config | 0x8000  // OS reads 0 while converting
            busyLeft = max(0, busyLeft - 1)
        }
        return Array([UInt8(word >> 8), UInt8(word & 0xFF)].prefix(count))
    }
}

/// A BH1750 twin: the scenario's irradiance turned into the lux count the driver converts back.
public final class SimulatedBH1750: SimulatedI2CChip {
    private let environment: ChipEnvironment
    private let wm2PerLux: Double
    /// The measurement time register (power-on 69).
    public private(set) var measurementTime: UInt8 = 69
    private var result: UInt16?

    /// A chip whose light corresponds to the scenario's `solar_radiation` at `wm2PerLux`.
    public init(environment: ChipEnvironment, wm2PerLux: Double) {
        self.environment = environment
        self.wm2PerLux = wm2PerLux
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        guard let command = bytes.first else { return }
        switch command {
        case 0x01, 0x07: break
        case 0b0100_0000...0b0100_0111: measurementTime = measurementTime & 0x1F | (command & 0x07) << 5
        case 0b0110_0000...0b0111_1111: measurementTime = measurementTime & 0xE0 | command & 0x1F
        case 0x20, 0x21, 0x23, 0x10, 0x11, 0x13:
            let irradiance = environment.value(.solarRadiation, at: environment.measurementOffset, noise: 2) ?? 0
            let lux = max(0, irradiance) / wm2PerLux
            result = environment.fault == .implausible ? 0xFFFF : UInt16(max(0, min(0xFFFE, (lux * 1.2 * Double(measurementTime) / 69).rounded())))
        default: throw .noAcknowledge
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        guard let result else { throw .noAcknowledge }
        return Array([UInt8(result >> 8), UInt8(result & 0xFF)].prefix(count))
    }
}
