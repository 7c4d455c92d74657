import VenueGuardCore

/// Aosong AHT20 humidity and temperature sensor (I2C 0x38): calibration bit checked (and
/// set by the initialisation command when clear), measurement triggered and read with its
/// CRC, soft reset on error.
public final class AHT20: ChipDriver {
    /// The only address.
    public static let addresses: [UInt8] = [0x38]
    static let initialiseCommand: [UInt8] = [0xBE, 0x08, 0x00]
    static let triggerCommand: [UInt8] = [0xAC, 0x33, 0x00]
    static let softReset: [UInt8] = [0xBA]
    /// Datasheet: wait 80 ms for the measurement.
    static let conversionTime = Duration.milliseconds(80)

    private let device: I2CDevice
    private let delay: Delay

    /// A driver for the chip at `device`.
    public init(device: I2CDevice, delay: Delay) {
        self.device = device
        self.delay = delay
    }

    /// Relative humidity, %, from the 20-bit raw value: RH = S / 2²⁰ · 100.
    public static func humidity(raw: UInt32) -> Double { Double(raw) / 1_048_576 * 100 }
    /// Temperature, °C, from the 20-bit raw value: T = S / 2²⁰ · 200 − 50.
    public static func temperature(raw: UInt32) -> Double { Double(raw) / 1_048_576 * 200 - 50 }

    public func initialise() throws(DriverError) {
        try DriverError.catching {
            let status = try device.read(count: 1)
            guard let byte = status.first else { throw DriverError.invalidData("empty status") }
            if byte & 0x08 == 0 {  // calibration not enabled
                try device.write(Self.initialiseCommand)
                delay.wait(.milliseconds(10))
                let again = try device.read(count: 1)
                guard let checked = again.first, checked & 0x08 != 0 else {
                    throw DriverError.wrongChip("the calibration bit stays clear: not an AHT20, or a faulty one")
                }
            }
        }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        var bytes: [UInt8] = []
        try DriverError.catching {
            try device.write(Self.triggerCommand)
            delay.wait(Self.conversionTime)
            bytes = try device.read(count: 7)
            if bytes.first.map({ $0 & 0x80 != 0 }) ?? true {  // still busy: one more wait
                delay.wait(.milliseconds(20))
                bytes = try device.read(count: 7)
            }
        }
        guard bytes.count == 7 else { throw .invalidData("short read") }
        if bytes[0] & 0x80 != 0 { throw .notReady }
        guard SensirionCRC.checksum(bytes[0..<6]) == bytes[6] else { throw .crcMismatch }
        let rawHumidity = UInt32(bytes[1]) << 12 | UInt32(bytes[2]) << 4 | UInt32(bytes[3]) >> 4
        let rawTemperature = (UInt32(bytes[3]) & 0x0F) << 16 | UInt32(bytes[4]) << 8 | UInt32(bytes[5])
        // The 20-bit humidity word runs 0…2²⁰−1: its ends are the converter's rails, not readings.
        var details = SampleDetails()
        if rawHumidity == 0 { details.atLimit[.relativeHumidity] = .floor }
        if rawHumidity == 0xFFFFF { details.atLimit[.relativeHumidity] = .ceiling }
        return ChipMeasurement(values: [.airTemperature: Self.temperature(raw: rawTemperature),
                                        .relativeHumidity: Self.humidity(raw: rawHumidity)],
                               fingerprint: [rawTemperature, rawHumidity], details: details)
    }

    public func recover() {
        try? device.write(Self.softReset)
        delay.wait(.milliseconds(20))
    }
}
