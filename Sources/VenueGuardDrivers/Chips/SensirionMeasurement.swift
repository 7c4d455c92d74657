import VenueGuardCore

/// The measurement the Sensirion humidity chips (SHT3x, SHT4x) share: one command, the
/// conversion wait, then temperature and humidity as two CRC-checked words. Only the command,
/// the wait and the conversion formulas differ between the families.
enum SensirionMeasurement {
    /// Measures once with `command` on `device`, converting the raw words with the family's formulas.
    static func measure(_ device: I2CDevice, command: [UInt8], conversionTime: Duration, delay: Delay,
                        temperature: (UInt16) -> Double, humidity: (UInt16) -> Double) throws(DriverError) -> ChipMeasurement {
        let bytes = try DriverError.catching {
            try device.write(command)
            delay.wait(conversionTime)
            return try device.read(count: 6)
        }
        guard let words = SensirionCRC.words(bytes), words.count == 2 else { throw .crcMismatch }
        return ChipMeasurement(values: [.airTemperature: temperature(words[0]), .relativeHumidity: humidity(words[1])],
                               fingerprint: [UInt32(words[0]), UInt32(words[1])])
    }
}
