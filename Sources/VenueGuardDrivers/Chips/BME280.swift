import VenueGuardCore

/// Bosch BME280 temperature, humidity and pressure sensor (I2C 0x76 or 0x77): chip id
/// checked, calibration read once per initialisation, one forced-mode conversion per sample
/// (×1 oversampling, filter off: the weather-monitoring setting), integer compensation.
public final class BME280: ChipDriver {
    /// The addresses the chip can have (SDO low / high).
    public static let addresses: [UInt8] = [0x76, 0x77]
    /// The chip id register and the BME280's id (a BMP280 answers 0x58 and has no humidity).
    static let chipIDRegister: UInt8 = 0xD0, chipID: UInt8 = 0x60
    static let resetRegister: UInt8 = 0xE0, resetValue: UInt8 = 0xB6
    static let ctrlHum: UInt8 = 0xF2, status: UInt8 = 0xF3, ctrlMeas: UInt8 = 0xF4, config: UInt8 = 0xF5
    static let dataStart: UInt8 = 0xF7
    /// osrs_t ×1, osrs_p ×1, forced mode.
    static let forcedMeasurement: UInt8 = 0b001_001_01
    /// Maximum conversion time at ×1 oversampling for all three (datasheet: 9.3 ms), rounded up.
    static let conversionTime = Duration.milliseconds(10)

    private let device: I2CDevice
    private let delay: Delay
    /// The calibration read at the last initialisation.
    public private(set) var calibration: BME280Calibration?

    /// A driver for the chip at `device`.
    public init(device: I2CDevice, delay: Delay) {
        self.device = device
        self.delay = delay
    }

    public func initialise() throws(DriverError) {
        try DriverError.catching {
            let id = try device.readRegister(Self.chipIDRegister)
            guard id == Self.chipID else {
                let what = id == 0x58 ? "a BMP280 (no humidity sensor)" : "chip id 0x\(String(id, radix: 16))"
                throw DriverError.wrongChip("expected a BME280 (chip id 0x60), found \(what)")
            }
            try device.writeRegister(Self.resetRegister, Self.resetValue)
            delay.wait(.milliseconds(3))
            for _ in 0..<5 where try device.readRegister(Self.status) & 0x01 != 0 {  // im_update: NVM still copying
                delay.wait(.milliseconds(2))
            }
            let block1 = try device.readRegisters(0x88, count: 26)
            let block2 = try device.readRegisters(0xE1, count: 7)
            guard let calibration = BME280Calibration(block1: block1, block2: block2), calibration.t1 != 0, calibration.p1 != 0 else {
                throw DriverError.invalidData("calibration data unreadable")
            }
            self.calibration = calibration
            try device.writeRegister(Self.ctrlHum, 0x01)  // humidity ×1; takes effect with the next ctrl_meas write
            try device.writeRegister(Self.config, 0x00)   // filter off
        }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        guard let calibration else { throw .invalidData("not initialised") }
        let data = try DriverError.catching {
            try device.writeRegister(Self.ctrlMeas, Self.forcedMeasurement)
            delay.wait(Self.conversionTime)
            var measuring = try device.readRegister(Self.status) & 0x08 != 0
            var tries = 0
            while measuring && tries < 3 {
                delay.wait(.milliseconds(2))
                measuring = try device.readRegister(Self.status) & 0x08 != 0
                tries += 1
            }
            if measuring { throw DriverError.notReady }
            return try device.readRegisters(Self.dataStart, count: 8)
        }
        guard data.count == 8 else { throw .invalidData("short read") }
        let adcP = Int32(data[0]) << 12 | Int32(data[1]) << 4 | Int32(data[2]) >> 4
        let adcT = Int32(data[3]) << 12 | Int32(data[4]) << 4 | Int32(data[5]) >> 4
        let adcH = Int32(data[6]) << 8 | Int32(data[7])
        // 0x80000 / 0x8000 are the "skipped" values: the conversion did not happen.
        if adcT == 0x80000 || adcP == 0x80000 || adcH == 0x8000 { throw .invalidData("measurement skipped (reset values)") }
        let fine = calibration.fineTemperature(adcT: adcT)
        let humidity = calibration.humidity(adcH: adcH, fine: fine)
        let values: [Quantity: Double] = [
            .airTemperature: Double(calibration.temperature(fine: fine)) / 100,
            .pressure: Double(calibration.pressure(adcP: adcP, fine: fine)) / 256 / 100,
            .relativeHumidity: Double(humidity) / 1024,
        ]
        // The humidity compensation clamps to 0…100 % (datasheet §4.2.3): a chip whose humidity
        // element is gone reads exactly 0, which is a floor, not a measurement.
        var details = SampleDetails()
        if humidity == 0 { details.atLimit[.relativeHumidity] = .floor }
        if humidity == 100 * 1024 { details.atLimit[.relativeHumidity] = .ceiling }
        return ChipMeasurement(values: values, fingerprint: [UInt32(adcT), UInt32(adcP), UInt32(adcH)], details: details)
    }

    public func recover() {
        try? device.writeRegister(Self.resetRegister, Self.resetValue)
        delay.wait(.milliseconds(3))
    }
}
