import VenueGuardCore

/// TI ADS1115 16-bit ADC (I2C 0x48–0x4B) in single-shot mode, for an analog pyranometer or
/// any 0–5 V / 4–20 mA sensor: value = volts × scale + offset.
public final class ADS1115: ChipDriver {
    /// The addresses (ADDR to GND, VDD, SDA, SCL).
    public static let addresses: [UInt8] = [0x48, 0x49, 0x4A, 0x4B]
    /// The programmable full-scale ranges, volts, and their PGA bits.
    public static let ranges: [Double: UInt16] = [6.144: 0b000, 4.096: 0b001, 2.048: 0b010, 1.024: 0b011, 0.512: 0b100, 0.256: 0b101]
    static let conversionRegister: UInt8 = 0x00, configRegister: UInt8 = 0x01
    /// 128 samples per second: one conversion takes under 8 ms.
    static let conversionTime = Duration.milliseconds(9)

    private let device: I2CDevice
    private let delay: Delay
    /// Channel AIN0–AIN3, measured against GND.
    public let channel: Int
    /// The full-scale range, volts.
    public let fullScale: Double
    /// volts × scale + offset = the quantity's value.
    public let scale: Double, offset: Double
    /// What the input measures.
    public let quantity: Quantity

    /// A driver reading `channel` with ±`fullScale` V.
    public init(device: I2CDevice, delay: Delay, channel: Int, fullScale: Double, scale: Double, offset: Double, quantity: Quantity) {
        self.device = device
        self.delay = delay
        self.channel = channel
        self.fullScale = fullScale
        self.scale = scale
        self.offset = offset
        self.quantity = quantity
    }

    /// The config word for a single-shot conversion: OS=1, MUX=100+channel (AINx vs GND),
    /// PGA, MODE=1, DR=100 (128 SPS), comparator off (COMP_QUE=11).
    public var configWord: UInt16 {
        let pga = Self.ranges[fullScale] ?? 0b010
        return 1 << 15 | UInt16(0b100 + channel) << 12 | pga << 9 | 1 << 8 | 0b100 << 5 | 0b11
    }

    /// Volts from a conversion result (two's complement; 32768 = full scale).
    public func volts(raw: Int16) -> Double { Double(raw) * fullScale / 32768 }

    public func initialise() throws(DriverError) {
        _ = try DriverError.catching { try device.readRegisters(Self.configRegister, count: 2) }  // answers: it is there
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        let word = configWord
        try DriverError.catching { try device.write([Self.configRegister, UInt8(word >> 8), UInt8(word & 0xFF)]) }
        delay.wait(Self.conversionTime)
        var ready = false
        for _ in 0..<5 {
            let config = try DriverError.catching { try device.readRegisters(Self.configRegister, count: 2) }
            if config[0] & 0x80 != 0 { ready = true; break }  // OS = 1: no conversion in progress
            delay.wait(.milliseconds(2))
        }
        guard ready else { throw .notReady }
        let bytes = try DriverError.catching { try device.readRegisters(Self.conversionRegister, count: 2) }
        let raw = Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        var value = volts(raw: raw) * scale + offset
        if quantity == .solarRadiation { value = max(0, value) }  // a pyranometer's small negative night offset
        return ChipMeasurement(values: [quantity: value], fingerprint: [UInt32(UInt16(bitPattern: raw))])
    }

    public func recover() {}
}
