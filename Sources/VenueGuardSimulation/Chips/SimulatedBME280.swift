import VenueGuardCore
import VenueGuardDrivers

/// A BME280 twin with a real calibration block: a forced-mode write produces ADC values that
/// the datasheet compensation turns back into the scenario's temperature, pressure and humidity.
public final class SimulatedBME280: SimulatedI2CChip {
    /// A plausible factory calibration (temperature and pressure from the BMP280 datasheet's
    /// worked example; humidity values typical of real parts).
    public static let calibration = BME280Calibration(
        t1: 27504, t2: 26435, t3: -1000,
        p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
        h1: 75, h2: 362, h3: 0, h4: 313, h5: 50, h6: 30)

    private let environment: ChipEnvironment
    private var registers = [UInt8](repeating: 0, count: 256)
    private var pointer: UInt8 = 0
    /// The chip id it answers (0x60; a test may make it a BMP280, 0x58).
    public var chipID: UInt8 = 0x60

    /// A chip measuring what `environment` says.
    public init(environment: ChipEnvironment) {
        self.environment = environment
        reset()
    }

    private func reset() {
        registers = [UInt8](repeating: 0, count: 256)
        let blocks = Self.calibration.blocks
        for (i, byte) in blocks.block1.enumerated() { registers[0x88 + i] = byte }
        for (i, byte) in blocks.block2.enumerated() { registers[0xE1 + i] = byte }
        // Data registers hold the "skipped" values until the first conversion.
        registers[0xF7] = 0x80; registers[0xFA] = 0x80; registers[0xFD] = 0x80
    }

    /// The ADC value in `range` whose compensated result is closest to `target` (compensation is monotonic).
    static func invert(_ range: ClosedRange<Int32>, increasing: Bool, target: Double, _ f: (Int32) -> Double) -> Int32 {
        var lo = range.lowerBound, hi = range.upperBound
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2
            if (f(mid) < target) == increasing { lo = mid } else { hi = mid }
        }
        return abs(f(lo) - target) <= abs(f(hi) - target) ? lo : hi
    }

    private func convert() {
        let at = environment.measurementOffset
        let c = Self.calibration
        var adcT: Int32 = 0xFFFFF, adcP: Int32 = 0xFFFFF, adcH: Int32 = 0xFFFF
        if environment.fault != .implausible {
            let t = environment.value(.airTemperature, at: at, noise: 0.03) ?? 25
            let p = environment.value(.pressure, at: at, noise: 0.05) ?? 1013.25
            let h = environment.value(.relativeHumidity, at: at, noise: 0.15) ?? 50
            adcT = Self.invert(0...0xFFFFF, increasing: true, target: t) { Double(c.temperature(fine: c.fineTemperature(adcT: $0))) / 100 }
            let fine = c.fineTemperature(adcT: adcT)
            adcP = Self.invert(0...0xFFFFF, increasing: false, target: p * 100) { Double(c.pressure(adcP: $0, fine: fine)) / 256 }
            adcH = Self.invert(0...0xFFFF, increasing: true, target: h) { Double(c.humidity(adcH: $0, fine: fine)) / 1024 }
        }
        registers[0xF7] = UInt8(adcP >> 12 & 0xFF); registers[0xF8] = UInt8(adcP >> 4 & 0xFF); registers[0xF9] = UInt8((adcP & 0x0F) << 4)
        registers[0xFA] = UInt8(adcT >> 12 & 0xFF); registers[0xFB] = UInt8(adcT >> 4 & 0xFF); registers[0xFC] = UInt8((adcT & 0x0F) << 4)
        registers[0xFD] = UInt8(adcH >> 8 & 0xFF); registers[0xFE] = UInt8(adcH & 0xFF)
    }

    public func write(_ bytes: [UInt8]) throws(I2CError) {
        try environment.answerOnBus()
        guard let first = bytes.first else { return }
        pointer = first
        var register = first
        for value in bytes.dropFirst() {
            switch register {
            case 0xE0 where value == 0xB6: reset()
            case 0xF4:
                registers[0xF4] = value
                if value & 0x03 == 0x01 || value & 0x03 == 0x02 { convert() }  // forced mode: one conversion
            case 0xF2, 0xF5: registers[Int(register)] = value
            default: break  // read-only
            }
            register &+= 1
        }
    }

    public func read(count: Int) throws(I2CError) -> [UInt8] {
        try environment.answerOnBus()
        var bytes: [UInt8] = []
        var register = pointer
        for _ in 0..<count {
            var value = register == 0xD0 ? chipID : registers[Int(register)]
            // Conversions finish at once in the simulation, unless a `busy` fault holds "measuring" (bit 3).
            if register == 0xF3 { value = environment.fault == .busy ? 0x08 : 0 }
            if environment.fault == .crc && register >= 0xF7 { value ^= 0xA5 }  // no CRC on this chip: corrupt data instead
            bytes.append(value)
            register &+= 1
        }
        return bytes
    }
}
