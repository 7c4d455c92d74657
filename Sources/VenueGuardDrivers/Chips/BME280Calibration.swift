/// The BME280's factory trimming parameters and the datasheet's integer compensation
/// (BST-BME280-DS002 §4.2.3). Arithmetic wraps like the datasheet's C, so corrupt
/// calibration data gives nonsense values (rejected downstream) instead of a crash.
public struct BME280Calibration: Hashable, Sendable {
    public var t1: UInt16, t2: Int16, t3: Int16
    public var p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16, p7: Int16, p8: Int16, p9: Int16
    public var h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8

    /// Creates calibration values directly.
    public init(t1: UInt16, t2: Int16, t3: Int16, p1: UInt16, p2: Int16, p3: Int16, p4: Int16, p5: Int16, p6: Int16,
                p7: Int16, p8: Int16, p9: Int16, h1: UInt8, h2: Int16, h3: UInt8, h4: Int16, h5: Int16, h6: Int8) {
        (self.t1, self.t2, self.t3) = (t1, t2, t3)
        (self.p1, self.p2, self.p3, self.p4, self.p5, self.p6, self.p7, self.p8, self.p9) = (p1, p2, p3, p4, p5, p6, p7, p8, p9)
        (self.h1, self.h2, self.h3, self.h4, self.h5, self.h6) = (h1, h2, h3, h4, h5, h6)
    }

    /// Parses the two calibration blocks: 26 bytes from 0x88 and 7 bytes from 0xE1.
    public init?(block1 a: [UInt8], block2 b: [UInt8]) {
        guard a.count >= 26, b.count >= 7 else { return nil }
        func u16(_ i: Int) -> UInt16 { UInt16(a[i]) | UInt16(a[i + 1]) << 8 }
        func s16(_ i: Int) -> Int16 { Int16(bitPattern: u16(i)) }
        t1 = u16(0); t2 = s16(2); t3 = s16(4)
        p1 = u16(6); p2 = s16(8); p3 = s16(10); p4 = s16(12); p5 = s16(14); p6 = s16(16); p7 = s16(18); p8 = s16(20); p9 = s16(22)
        h1 = a[25]
        h2 = Int16(bitPattern: UInt16(b[0]) | UInt16(b[1]) << 8)
        h3 = b[2]
        // H4 and H5 are 12-bit signed values sharing the nibbles of 0xE5.
        h4 = Int16(Int8(bitPattern: b[3])) << 4 | Int16(b[4] & 0x0F)
        h5 = Int16(Int8(bitPattern: b[5])) << 4 | Int16(b[4] >> 4)
        h6 = Int8(bitPattern: b[6])
    }

    /// The two calibration blocks as the chip stores them (for the simulated chip).
    public var blocks: (block1: [UInt8], block2: [UInt8]) {
        func le(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func le(_ v: Int16) -> [UInt8] { le(UInt16(bitPattern: v)) }
        var a: [UInt8] = le(t1) + le(t2) + le(t3) + le(p1) + le(p2) + le(p3) + le(p4) + le(p5) + le(p6) + le(p7) + le(p8) + le(p9)
        a += [0, h1]  // 0xA0 is reserved
        let h4bits = UInt16(bitPattern: h4), h5bits = UInt16(bitPattern: h5)
        let b: [UInt8] = le(h2) + [h3, UInt8(truncatingIfNeeded: h4bits >> 4),
                                   UInt8(h4bits & 0x0F) | UInt8(truncatingIfNeeded: (h5bits & 0x0F) << 4),
                                   UInt8(truncatingIfNeeded: h5bits >> 4), UInt8(bitPattern: h6)]
        return (a, b)
    }

    /// The fine temperature shared by the three compensations.
    public func fineTemperature(adcT: Int32) -> Int32 {
        let t1 = Int32(self.t1), t2 = Int32(self.t2), t3 = Int32(self.t3)
        let var1 = (((adcT >> 3) &- (t1 << 1)) &* t2) >> 11
        let d = (adcT >> 4) &- t1
        let var2 = (((d &* d) >> 12) &* t3) >> 14
        return var1 &+ var2
    }

    /// Temperature in 0.01 °C.
    public func temperature(fine: Int32) -> Int32 { (fine &* 5 &+ 128) >> 8 }

    /// Pressure in Pa as Q24.8 (divide by 256); 0 when the calibration is unusable.
    public func pressure(adcP: Int32, fine: Int32) -> UInt32 {
        var var1 = Int64(fine) - 128000
        var var2 = var1 &* var1 &* Int64(p6)
        var2 = var2 &+ ((var1 &* Int64(p5)) << 17)
        var2 = var2 &+ (Int64(p4) << 35)
        var1 = ((var1 &* var1 &* Int64(p3)) >> 8) &+ ((var1 &* Int64(p2)) << 12)
        var1 = (((Int64(1) << 47) &+ var1) &* Int64(p1)) >> 33  // parenthesised: in Swift >> binds tighter than *

        if var1 == 0 { return 0 }
        var p = Int64(1_048_576) - Int64(adcP)
        p = (((p << 31) &- var2) &* 3125) / var1
        var1 = (Int64(p9) &* (p >> 13) &* (p >> 13)) >> 25
        var2 = (Int64(p8) &* p) >> 19
        p = ((p &+ var1 &+ var2) >> 8) &+ (Int64(p7) << 4)
        return UInt32(truncatingIfNeeded: p)
    }

    /// Relative humidity in %RH as Q22.10 (divide by 1024).
    public func humidity(adcH: Int32, fine: Int32) -> UInt32 {
        var v = fine &- 76800
        let a = ((adcH << 14) &- (Int32(h4) << 20) &- (Int32(h5) &* v)) &+ 16384
        let b = (((((v &* Int32(h6)) >> 10) &* (((v &* Int32(h3)) >> 11) &+ 32768)) >> 10) &+ 2_097_152) &* Int32(h2) &+ 8192
        v = (a >> 15) &* (b >> 14)
        v = v &- (((((v >> 15) &* (v >> 15)) >> 7) &* Int32(h1)) >> 4)
        v = max(0, min(v, 419_430_400))
        return UInt32(v >> 12)
    }

    /// The datasheet's floating-point humidity formula (§8.1), used to cross-check the integer one.
    public func humidityDouble(adcH: Int32, fine: Int32) -> Double {
        var h = Double(fine) - 76800
        h = (Double(adcH) - (Double(h4) * 64 + Double(h5) / 16384 * h))
            * (Double(h2) / 65536 * (1 + Double(h6) / 67_108_864 * h * (1 + Double(h3) / 67_108_864 * h)))
        h = h * (1 - Double(h1) * h / 524_288)
        return min(100, max(0, h))
    }
}
