import VenueGuardCore

/// Sensirion SHT40/41/45 humidity and temperature sensor (I2C 0x44): high-precision
/// measurements, CRC checked on every word, heater never used, soft reset on error.
public final class SHT4x: ChipDriver {
    /// The usual address.
    public static let addresses: [UInt8] = [0x44]
    static let measureHighPrecision: [UInt8] = [0xFD]
    static let softReset: [UInt8] = [0x94]
    static let readSerial: [UInt8] = [0x89]
    /// Longest high-precision conversion (datasheet: 8.3 ms), rounded up.
    static let conversionTime = Duration.milliseconds(9)

    private let device: I2CDevice
    private let delay: Delay

    /// A driver for the chip at `device`.
    public init(device: I2CDevice, delay: Delay) {
        self.device = device
        self.delay = delay
    }

    /// Temperature, °C: T = −45 + 175 · S / (2¹⁶ − 1).
    public static func temperature(raw: UInt16) -> Double { -45 + 175 * Double(raw) / 65535 }
    /// Relative humidity, %: RH = −6 + 125 · S / (2¹⁶ − 1), cropped to 0…100 as the datasheet says.
    public static func humidity(raw: UInt16) -> Double { min(100, max(0, -6 + 125 * Double(raw) / 65535)) }

    public func initialise() throws(DriverError) {
        let serial = try DriverError.catching {
            try device.write(Self.softReset)
            delay.wait(.milliseconds(1))
            try device.write(Self.readSerial)
            delay.wait(.milliseconds(1))
            return try device.read(count: 6)
        }
        guard SensirionCRC.words(serial) != nil else { throw .crcMismatch }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        try SensirionMeasurement.measure(device, command: Self.measureHighPrecision, conversionTime: Self.conversionTime, delay: delay,
                                         temperature: Self.temperature(raw:), humidity: Self.humidity(raw:))
    }

    public func recover() {
        try? device.write(Self.softReset)
        delay.wait(.milliseconds(1))
    }
}
