import VenueGuardCore

/// Sensirion SHT30/31/35 humidity and temperature sensor (I2C 0x44 or 0x45): single-shot
/// measurements with high repeatability and clock stretching off, CRC checked on every word,
/// heater off, soft reset on error.
public final class SHT3x: ChipDriver {
    /// The addresses the chip can have (ADDR pin low / high).
    public static let addresses: [UInt8] = [0x44, 0x45]
    static let measureHighRepeatability: [UInt8] = [0x24, 0x00]
    static let softReset: [UInt8] = [0x30, 0xA2]
    static let heaterOff: [UInt8] = [0x30, 0x66]
    static let readStatus: [UInt8] = [0xF3, 0x2D]
    /// Longest high-repeatability conversion (datasheet: 15.5 ms), rounded up.
    static let conversionTime = Duration.milliseconds(16)

    private let device: I2CDevice
    private let delay: Delay

    /// A driver for the chip at `device`.
    public init(device: I2CDevice, delay: Delay) {
        self.device = device
        self.delay = delay
    }

    /// Temperature, °C, from the raw word: T = −45 + 175 · S / (2¹⁶ − 1).
    public static func temperature(raw: UInt16) -> Double { -45 + 175 * Double(raw) / 65535 }
    /// Relative humidity, %, from the raw word: RH = 100 · S / (2¹⁶ − 1).
    public static func humidity(raw: UInt16) -> Double { 100 * Double(raw) / 65535 }

    public func initialise() throws(DriverError) {
        try DriverError.catching {
            try device.write(Self.softReset)
            delay.wait(.milliseconds(2))
            try device.write(Self.heaterOff)
            delay.wait(.milliseconds(1))
            let status = try device.writeRead(Self.readStatus, count: 3)
            guard let words = SensirionCRC.words(status) else { throw DriverError.crcMismatch }
            // Bit 13: heater on. Heat from the heater would read as a hot room.
            if words[0] & 0x2000 != 0 { throw DriverError.invalidData("the heater is on and would not turn off") }
        }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        try SensirionMeasurement.measure(device, command: Self.measureHighRepeatability, conversionTime: Self.conversionTime, delay: delay,
                                         temperature: Self.temperature(raw:), humidity: Self.humidity(raw:))
    }

    public func recover() {
        try? device.write(Self.softReset)
        delay.wait(.milliseconds(2))
    }
}
