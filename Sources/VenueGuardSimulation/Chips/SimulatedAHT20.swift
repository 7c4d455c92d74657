import VenueGuardCore
import VenueGuardDrivers

/// An AHT20 twin: status with the calibration bit, triggered measurements returned as 20-bit
/// values with the CRC, from the scenario.
public final class SimulatedAHT20: SimulatedI2CChip {
    private let environment: ChipEnvironment
    private var measurement: [UInt8]?
    /// Whether the calibration bit is set (a fresh chip may need the initialisation command).
    public var calibrated = false

    /// A chip measuring what `environment` says.
    public init(environment: ChipEnvironment) {
        self.environment = environment
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        switch bytes {
        case [0xBE, 0x08, 0x00]: calibrated = true
        case [0xBA]: measurement = nil
        case [0xAC, 0x33, 0x00]:
            let at = environment.measurementOffset
            var h: UInt32 = 0xFFFFF, t: UInt32 = 0xFFFFF
            if environment.fault != .implausible {
                let rh = environment.value(.relativeHumidity, at: at, noise: 0.15) ?? 50
                let ta = environment.value(.airTemperature, at: at, noise: 0.03) ?? 25
                h = UInt32(max(0, min(1_048_575, (rh / 100 * 1_048_576).rounded())))
                t = UInt32(max(0, min(1_048_575, ((ta + 50) / 200 * 1_048_576).rounded())))
            }
            var data: [UInt8] = [statusByte, UInt8(h >> 12 & 0xFF), UInt8(h >> 4 & 0xFF),
                                 UInt8((h & 0x0F) << 4 | t >> 16 & 0x0F), UInt8(t >> 8 & 0xFF), UInt8(t & 0xFF)]
            var crc = SensirionCRC.checksum(data)
            if environment.fault == .crc { crc ^= 0x5A }
            data.append(crc)
            measurement = data
        default: throw .noAcknowledge
        }
    }

    /// The status byte: calibration bit 3, busy bit 7 (held set by a `busy` fault).
    private var statusByte: UInt8 { (calibrated ? 0x18 : 0x10) | (environment.fault == .busy ? 0x80 : 0) }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        let status = statusByte
        guard count > 1, var measurement else { return Array([status].prefix(count)) + Array(repeating: 0, count: max(0, count - 1)) }
        measurement[0] = status
        return Array(measurement.prefix(count))
    }
}
