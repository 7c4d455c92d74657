import VenueGuardCore
import VenueGuardDrivers

/// An AS3935 twin: a register file the driver configures, and strikes, disturbers and noise
/// that set the interrupt register (cleared when read) and raise the IRQ line.
public final class SimulatedAS3935: SimulatedI2CChip {
    private let environment: ChipEnvironment
    private var registers = [UInt8](repeating: 0, count: 0x40)
    private var pointer: UInt8 = 0
    /// Whether the IRQ pin is high (an interrupt is pending).
    public private(set) var irqHigh = false

    /// A chip whose faults follow `environment`.
    public init(environment: ChipEnvironment) {
        self.environment = environment
        presetDefaults()
    }

    private func presetDefaults() {
        registers = [UInt8](repeating: 0, count: 0x40)
        registers[0x00] = 0x24  // AFE_GB indoor-ish default 10010 << 1
        registers[0x01] = 0x22  // NF_LEV 2, WDTH 2
        registers[0x02] = 0xC2  // CL_STAT, SREJ 2
        registers[0x07] = 0x3F
    }

    /// The register value the chip reports for a distance in km (the nearest bin, the nearer when between two).
    static func distanceRegister(_ distance: LightningStrike.Distance) -> UInt8 {
        switch distance {
        case .overhead: return 0x01
        case .outOfRange: return 0x3F
        case let .kilometres(km):
            if km < 5 { return 0x01 }
            if km > 40 { return 0x3F }
            let best = AS3935.distances.min { a, b in
                let da = abs(a.value - km), db = abs(b.value - km)
                return da != db ? da < db : a.value < b.value
            }!
            return best.key
        }
    }

    /// A strike: sets distance, energy and the lightning interrupt, raises IRQ.
    public func injectStrike(_ distance: LightningStrike.Distance, energy: Int) {
        registers[0x07] = registers[0x07] & 0xC0 | Self.distanceRegister(distance)
        registers[0x04] = UInt8(energy & 0xFF)
        registers[0x05] = UInt8(energy >> 8 & 0xFF)
        registers[0x06] = UInt8(energy >> 16 & 0x1F)
        raise(0x08)
    }

    /// A disturber interrupt (ignored by the chip when disturbers are masked).
    public func injectDisturber() {
        guard registers[0x03] & 0x20 == 0 else { return }
        raise(0x04)
    }

    /// A noise-level-too-high interrupt.
    public func injectNoise() { raise(0x01) }

    private func raise(_ source: UInt8) {
        registers[0x03] = registers[0x03] & 0xF0 | source
        irqHigh = true
    }

    /// The noise floor level the driver has set.
    public var noiseFloor: UInt8 { registers[0x01] >> 4 & 0x07 }
    /// Whether the driver has masked disturbers.
    public var disturbersMasked: Bool { registers[0x03] & 0x20 != 0 }
    /// The AFE gain the driver has set.
    public var gain: UInt8 { registers[0x00] >> 1 & 0x1F }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        guard let first = bytes.first else { return }
        pointer = first
        var register = first
        for value in bytes.dropFirst() {
            switch register {
            case 0x3C where value == 0x96: presetDefaults()
            case 0x3D: break  // oscillator calibration: nothing to do in a simulation
            case 0x03: registers[0x03] = registers[0x03] & 0x0F | value & 0xF0  // INT bits are read-only
            case 0x00...0x02, 0x08: registers[Int(register)] = value
            default: break
            }
            register &+= 1
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        var bytes: [UInt8] = []
        var register = pointer
        for _ in 0..<count {
            bytes.append(registers[Int(register & 0x3F)])
            if register == 0x03 {
                registers[0x03] &= 0xF0  // reading the interrupt register clears it
                irqHigh = false
            }
            register &+= 1
        }
        return bytes
    }
}
