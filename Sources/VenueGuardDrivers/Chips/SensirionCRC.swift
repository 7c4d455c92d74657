/// The CRC-8 of Sensirion's sensors (and the AHT20): polynomial 0x31 (x⁸+x⁵+x⁴+1),
/// initial value 0xFF, no reflection, no final XOR. SHT3x datasheet: CRC(0xBEEF) = 0x92.
public enum SensirionCRC {
    /// The CRC of `bytes`.
    public static func checksum<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        var crc: UInt8 = 0xFF
        for byte in bytes {
            crc ^= byte
            for _ in 0..<8 {
                crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x31 : crc << 1
            }
        }
        return crc
    }

    /// The 16-bit words of a `[msb, lsb, crc] …` response, or `nil` when any CRC is wrong.
    public static func words(_ bytes: [UInt8]) -> [UInt16]? {
        guard bytes.count % 3 == 0 else { return nil }
        var words: [UInt16] = []
        for start in stride(from: 0, to: bytes.count, by: 3) {
            let pair = bytes[start..<start + 2]
            guard checksum(pair) == bytes[start + 2] else { return nil }
            words.append(UInt16(pair.first!) << 8 | UInt16(pair.last!))
        }
        return words
    }
}
