import Testing
import VenueGuardCore
@testable import VenueGuardDrivers

struct BME280Tests {
    /// The worked example of the BMP280 datasheet (§3.12), whose temperature and pressure
    /// compensation the BME280 shares: adc_T 519888 → 25.08 °C, adc_P 415148 → 100653.27 Pa.
    static let example = BME280Calibration(t1: 27504, t2: 26435, t3: -1000,
                                           p1: 36477, p2: -10685, p3: 3024, p4: 2855, p5: 140, p6: -7, p7: 15500, p8: -14600, p9: 6000,
                                           h1: 75, h2: 362, h3: 0, h4: 313, h5: 50, h6: 30)

    @Test("Datasheet worked example: temperature and pressure")
    func workedExample() {
        let fine = Self.example.fineTemperature(adcT: 519888)
        #expect(fine == 128422)
        #expect(Self.example.temperature(fine: fine) == 2508)
        let pressure = Self.example.pressure(adcP: 415148, fine: fine)
        // The worked example's 100653.27 Pa comes from the floating-point formula; the 64-bit
        // integer formula gives 25767233 / 256 = 100653.254 Pa.
        #expect(pressure == 25767233)
        #expect(abs(Double(pressure) / 256 - 100653.27) < 0.02)
    }

    @Test("Integer humidity agrees with the datasheet's floating-point formula", arguments: [
        (519888 as Int32, 20000 as Int32), (519888, 27000), (519888, 35000), (480000, 30000), (560000, 24000),
    ])
    func humidityCrossCheck(_ row: (Int32, Int32)) {
        let fine = Self.example.fineTemperature(adcT: row.0)
        let integer = Double(Self.example.humidity(adcH: row.1, fine: fine)) / 1024
        let floating = Self.example.humidityDouble(adcH: row.1, fine: fine)
        #expect(abs(integer - floating) < 0.02, "\(integer) vs \(floating)")
        #expect((0...100).contains(integer))
    }

    @Test("Calibration blocks round-trip through the chip's register layout (H4/H5 share a nibble)")
    func calibrationLayout() {
        let blocks = Self.example.blocks
        #expect(blocks.block1.count == 26 && blocks.block2.count == 7)
        #expect(BME280Calibration(block1: blocks.block1, block2: blocks.block2) == Self.example)
        var negative = Self.example
        negative.h4 = -200
        negative.h5 = -7
        let again = negative.blocks
        #expect(BME280Calibration(block1: again.block1, block2: again.block2) == negative)
    }

    @Test("Corrupt calibration does not crash: wrapping arithmetic, zero division guarded")
    func corruptCalibration() {
        let broken = BME280Calibration(t1: 0xFFFF, t2: .max, t3: .min, p1: 0, p2: .max, p3: .max, p4: .max, p5: .max, p6: .max,
                                       p7: .max, p8: .max, p9: .max, h1: 255, h2: .max, h3: 255, h4: .max, h5: .max, h6: .max)
        for adc in [0, 0x7FFFF, 0xFFFFF] as [Int32] {
            let fine = broken.fineTemperature(adcT: adc)
            _ = broken.temperature(fine: fine)
            #expect(broken.pressure(adcP: adc, fine: fine) == 0)  // p1 = 0: guarded
            _ = broken.humidity(adcH: adc & 0xFFFF, fine: fine)
        }
    }
}
