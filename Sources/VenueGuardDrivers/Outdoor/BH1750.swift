import VenueGuardCore

/// ROHM BH1750 ambient light sensor (I2C 0x23 or 0x5C) as a low-cost sunlight estimate:
/// one-time high-resolution measurements with the shortest measurement time (MTreg 31) so
/// direct sun (about 100,000 lx) does not saturate it; lux × `wm2PerLux` ≈ global
/// irradiance. Readings are marked as a lux estimate, and so is every WBGT made from them.
public final class BH1750: ChipDriver {
    /// The addresses (ADDR low / high).
    public static let addresses: [UInt8] = [0x23, 0x5C]
    static let powerOn: UInt8 = 0x01, reset: UInt8 = 0x07, oneTimeHighResolution: UInt8 = 0x20
    /// Measurement time register: 31 (the minimum) extends the range to about 121,000 lx.
    public static let measurementTime: UInt8 = 31
    /// Longest one-time high-resolution measurement at MTreg 31 (180 ms × 31/69), rounded up.
    static let conversionTime = Duration.milliseconds(90)
    /// Daylight's luminous efficacy is about 105–120 lm/W: 1/120 W/m² per lx by default.
    public static let defaultWm2PerLux = 1.0 / 120

    private let device: I2CDevice
    private let delay: Delay
    /// Irradiance per lux.
    public let wm2PerLux: Double

    /// A driver converting with `wm2PerLux`.
    public init(device: I2CDevice, delay: Delay, wm2PerLux: Double = BH1750.defaultWm2PerLux) {
        self.device = device
        self.delay = delay
        self.wm2PerLux = wm2PerLux
    }

    /// Lux from the raw count (datasheet: count / 1.2 at MTreg 69; scaled by 69 / MTreg).
    public static func lux(raw: UInt16, measurementTime: UInt8 = 69) -> Double {
        Double(raw) / 1.2 * 69 / Double(measurementTime)
    }

    public func initialise() throws(DriverError) {
        try DriverError.catching {
            try device.write([Self.powerOn])
            try device.write([Self.reset])
            try device.write([0b0100_0000 | Self.measurementTime >> 5])     // MTreg high bits
            try device.write([0b0110_0000 | Self.measurementTime & 0x1F])   // MTreg low bits
        }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        let bytes = try DriverError.catching {
            try device.write([Self.oneTimeHighResolution])
            delay.wait(Self.conversionTime)
            return try device.read(count: 2)
        }
        guard bytes.count == 2 else { throw .invalidData("short read") }
        let raw = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        if raw == 0xFFFF { throw .invalidData("light sensor saturated") }
        let lux = Self.lux(raw: raw, measurementTime: Self.measurementTime)
        return ChipMeasurement(values: [.solarRadiation: lux * wm2PerLux], fingerprint: [UInt32(raw)], origin: .luxEstimate)
    }

    public func recover() {
        try? device.write([Self.reset])
    }
}
