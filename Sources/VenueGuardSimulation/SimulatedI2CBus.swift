import VenueGuardCore
import VenueGuardDrivers

/// A register-level simulated chip on a simulated I2C bus.
public protocol SimulatedI2CChip: AnyObject {
    /// Handles a write transfer.
    func write(_ bytes: [UInt8]) throws(I2CError)
    /// Handles a read transfer.
    func read(count: Int) throws(I2CError) -> [UInt8]
}

extension SimulatedI2CChip {
    /// A register read: the pointer write, then the read.
    public func writeRead(_ bytes: [UInt8], count: Int) throws(I2CError) -> [UInt8] {
        try write(bytes)
        return try read(count: count)
    }
}

/// A simulated I2C bus: chips at addresses; an address nobody answers is a NACK, as on a real bus.
public final class SimulatedI2CBus {
    private var chips: [UInt8: SimulatedI2CChip] = [:]
    /// Transfers so far (for tests).
    public private(set) var transfers = 0

    /// Creates an empty bus.
    public init() {}

    /// Puts `chip` at `address`.
    public func attach(_ chip: SimulatedI2CChip, at address: UInt8) {
        chips[address] = chip
    }

    /// The device handle a driver uses for `address`.
    public func device(at address: UInt8) -> I2CDevice {
        Device(bus: self, address: address)
    }

    fileprivate func chip(_ address: UInt8) throws(I2CError) -> SimulatedI2CChip {
        transfers += 1
        guard let chip = chips[address] else { throw .noAcknowledge }
        return chip
    }

    private final class Device: I2CDevice {
        let bus: SimulatedI2CBus
        let address: UInt8
        init(bus: SimulatedI2CBus, address: UInt8) {
            self.bus = bus
            self.address = address
        }
        func write(_ bytes: [UInt8]) throws(I2CError) { try bus.chip(address).write(bytes) }
        func read(count: Int) throws(I2CError) -> [UInt8] { try bus.chip(address).read(count: count) }
        func writeRead(_ bytes: [UInt8], count: Int) throws(I2CError) -> [UInt8] { try bus.chip(address).writeRead(bytes, count: count) }
    }
}

/// What a simulated chip measures and how it misbehaves, at the simulation's current instant:
/// the scenario's values for one sensor (with a sensor's small noise) and its faults.
public final class ChipEnvironment {
    /// The sensor the chip stands for.
    public let sensor: SensorID
    private let scenario: Scenario
    private let origin: MonotonicInstant
    /// The simulation's current instant; set before each sample.
    public var now: MonotonicInstant = .origin
    /// Whether the chip is hung until its power is cycled (a `hung` fault latches this).
    public var hung = false
    /// Whether the chip's supply is on.
    public var powered = true
    private var hungFaultsSeen: Set<Duration> = []
    /// This sensor's series and noise keys, looked up once (every read needs them).
    private let series: [Quantity: SampleSeries]
    private var noiseKeys: [Quantity: UInt64] = [:]

    /// An environment playing `scenario` for `sensor`, whose start is `origin`.
    public init(sensor: SensorID, scenario: Scenario, origin: MonotonicInstant = .origin) {
        self.sensor = sensor
        self.scenario = scenario
        self.origin = origin
        series = scenario.samples[sensor] ?? [:]
    }

    /// The scenario offset of `now`.
    public var offset: Duration { now - origin }

    /// The fault in force now, if any (a `hung` fault latches until the power is cycled).
    public var fault: ScenarioFault.Kind? {
        if !powered { return .noResponse }
        if let (current, start) = scenario.activeFaults(of: sensor, at: offset).first {
            if current.kind == .hung {
                if hungFaultsSeen.insert(start).inserted { hung = true }
            } else {
                return current.kind
            }
        }
        return hung ? .noResponse : nil
    }

    /// When the current fault began (for a stuck chip's frozen data).
    public var faultStart: Duration? {
        scenario.activeFaults(of: sensor, at: offset).first?.start
    }

    /// The value of `quantity` at `offset`, with repeatable sensor noise of `amplitude`.
    public func value(_ quantity: Quantity, at offset: Duration? = nil, noise amplitude: Double = 0) -> Double? {
        let at = offset ?? self.offset
        guard let base = series[quantity]?.value(at: at) else { return nil }
        guard amplitude != 0 else { return base }
        let index = Int64((at.seconds * 1000).rounded())
        let key: UInt64
        if let known = noiseKeys[quantity] { key = known } else {
            key = DeterministicNoise.hash("\(sensor.rawValue)/\(quantity.rawValue)")
            noiseKeys[quantity] = key
        }
        return base + amplitude * DeterministicNoise.unit(keyHash: key, index: index)
    }

    /// Throws what the bus sees of a chip that does not answer, times out or is unplugged.
    public func answerOnBus() throws(I2CError) {
        switch fault {
        case .noResponse?, .unplugged?: throw .noAcknowledge
        case .timeout?: throw .timeout
        default: break
        }
    }

    /// The offset whose values the chip reports now: the fault's start while stuck.
    public var measurementOffset: Duration {
        if fault == .stuck, let start = faultStart { return start }
        return offset
    }
}

/// The simulated supply switch of a chip (`power_gpio`): off makes the chip vanish; back on
/// clears a `hung` state, as cycling a real sensor's power does.
public final class SimulatedPowerSwitch: PowerSwitch {
    private let environment: ChipEnvironment
    /// Cycles so far.
    public private(set) var cycles = 0
    /// A switch for the chip in `environment`.
    public init(environment: ChipEnvironment) { self.environment = environment }
    public func setPowered(_ on: Bool) throws {
        if on && !environment.powered {
            environment.hung = false
            cycles += 1
        }
        environment.powered = on
    }
}
