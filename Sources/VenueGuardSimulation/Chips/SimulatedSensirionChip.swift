import VenueGuardCore
import VenueGuardDrivers

/// An SHT3x or SHT4x twin: answers the measurement, reset, heater, status and serial-number
/// commands with CRC'd words computed from the scenario, and misbehaves as the scenario says.
public final class SimulatedSensirionChip: SimulatedI2CChip {
    /// Which family.
    public enum Family: Sendable {
        case sht3x
        case sht4x
    }

    private let family: Family
    private let environment: ChipEnvironment
    private var pending: [UInt16]?
    /// Whether the heater is on (the SHT3x powers up with it off; a test may turn it on).
    public var heaterOn = false
    /// Commands received so far.
    public private(set) var commands: [[UInt8]] = []

    /// A chip of `family` measuring what `environment` says.
    public init(family: Family, environment: ChipEnvironment) {
        self.family = family
        self.environment = environment
    }

    func rawWords() -> [UInt16] {
        let at = environment.measurementOffset
        if environment.fault == .implausible { return [0xFFFF, 0xFFFF] }
        let t = environment.value(.airTemperature, at: at, noise: 0.03) ?? 25
        let rh = environment.value(.relativeHumidity, at: at, noise: 0.15) ?? 50
        func word(_ x: Double) -> UInt16 { UInt16(max(0, min(65535, (x * 65535).rounded()))) }
        switch family {
        case .sht3x: return [word((t + 45) / 175), word(rh / 100)]
        case .sht4x: return [word((t + 45) / 175), word((rh + 6) / 125)]
        }
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        commands.append(bytes)
        switch (family, bytes) {
        case (.sht3x, [0x24, 0x00]), (.sht4x, [0xFD]): pending = rawWords()
        case (.sht3x, [0x30, 0xA2]), (.sht4x, [0x94]): pending = nil; heaterOn = false
        case (.sht3x, [0x30, 0x66]): heaterOn = false
        case (.sht3x, [0xF3, 0x2D]): pending = [heaterOn ? 0x2000 : 0x0000]
        case (.sht4x, [0x89]): pending = [0x1234, 0x5678]
        default: throw .noAcknowledge  // an unknown command is not acknowledged
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        guard let words = pending else { throw .noAcknowledge }  // no data ready: read header NACKed
        pending = nil
        var bytes: [UInt8] = []
        for word in words {
            let pair = [UInt8(word >> 8), UInt8(word & 0xFF)]
            var crc = SensirionCRC.checksum(pair)
            if environment.fault == .crc { crc ^= 0x5A }
            bytes += pair + [crc]
        }
        return Array(bytes.prefix(count))
    }
}
