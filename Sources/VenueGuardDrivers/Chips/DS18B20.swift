import VenueGuardCore

/// A DS18B20 temperature sensor on 1-Wire, read through the kernel's w1 sysfs files
/// (`bus/w1/devices/28-*/w1_slave`, whose first line ends in `YES` when the CRC matched,
/// or `temperature`). Used for the black-globe thermometer.
public final class DS18B20: ChipDriver {
    /// The directory of 1-Wire devices, relative to the sysfs root.
    public static let devicesDirectory = "bus/w1/devices"

    private let files: SysfsFiles
    private let configuredDevice: String?
    private let quantity: Quantity
    private var device: String? {
        didSet { slavePath = device.map { "\(Self.devicesDirectory)/\($0)/w1_slave" } }
    }
    /// The device's `w1_slave` file, kept (it is read every period).
    private var slavePath: String?
    private var previous: Double?

    /// A reader for the device `device` (`28-…`), or the only DS18B20 present when `nil`.
    public init(files: SysfsFiles, device: String?, quantity: Quantity) {
        self.files = files
        self.configuredDevice = device
        self.quantity = quantity
    }

    public func initialise() throws(DriverError) {
        if let configuredDevice {
            do {
                _ = try files.list("\(Self.devicesDirectory)/\(configuredDevice)")
            } catch {
                throw .sysfs(error)
            }
            device = configuredDevice
            return
        }
        let all: [String]
        do {
            all = try files.list(Self.devicesDirectory).filter { $0.hasPrefix("28-") }
        } catch {
            throw .sysfs(error)
        }
        guard all.count == 1 else {
            throw all.isEmpty ? .sysfs(.missing("\(Self.devicesDirectory)/28-*"))
                : .wrongChip("several DS18B20 (\(all.joined(separator: ", "))): name one with 'device'")
        }
        device = all[0]
    }

    /// What a `w1_slave` file says: the temperature, the scratchpad it came from, the
    /// resolution the configuration byte sets, and whether the chip looks like Maxim's.
    public struct W1Reading: Hashable, Sendable {
        /// The temperature the kernel computed, m°C.
        public var millidegrees: Int
        /// The nine scratchpad bytes (temperature LSB, MSB, TH, TL, configuration, three
        /// reserved, CRC).
        public var scratchpad: [UInt8]
        /// The resolution the configuration byte selects, °C (9-bit 0.5 … 12-bit 0.0625).
        public var resolution: Double
        /// Whether the reserved bytes 5 and 7 hold Maxim's 0xFF and 0x10; clones differ, and
        /// that is no fault.
        public var maximReservedBytes: Bool
    }

    /// The raw temperature register that means "power-on reset, no conversion yet" (+85 °C).
    static let powerOnRaw: Int16 = 0x0550
    /// The raw value that clone chips and a failed parasitic-power conversion give (+127.94 °C).
    static let errorRaw: Int16 = 0x07FF

    /// Dallas/Maxim 1-Wire CRC-8 (x⁸+x⁵+x⁴+1, reflected, initial 0), as in the DS18B20 datasheet.
    public static func crc8<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        var crc: UInt8 = 0
        for var byte in bytes {
            for _ in 0..<8 {
                let mix = (crc ^ byte) & 1
                crc >>= 1
                if mix != 0 { crc ^= 0x8C }
                byte >>= 1
            }
        }
        return crc
    }

    /// Parses `w1_slave` text (`xx ×9 : crc=xx YES` / `xx ×9 t=NNNNN`), judging it only by the
    /// datasheet's integrity rules (DS18B20 datasheet, "CRC generation", "Memory"): the kernel's
    /// CRC verdict and our own CRC over the scratchpad, an all-zero scratchpad (a lost device
    /// reads zeros, whose CRC is zero), all 0xFF (an open bus), the +85 °C power-on value is left
    /// to the caller, and the +127.94 °C error value. Reserved bytes that differ from Maxim's are
    /// normal for the clones in cheap probe lots and only noted.
    public static func parseW1Slave(_ text: String) throws(DriverError) -> W1Reading {
        // Bytes, not Strings: this runs for every globe reading, on the board too.
        let utf8 = Array(text.utf8)
        let lines = utf8.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C })
        guard lines.count >= 2 else { throw .invalidData("w1_slave has \(lines.count) line(s), expected 2") }
        let first = trimmed(lines[0])
        guard first.suffix(3).elementsEqual("YES".utf8) else {
            guard first.suffix(2).elementsEqual("NO".utf8) else { throw .invalidData("w1_slave's first line has no CRC verdict") }
            throw .crcMismatch
        }
        let fields = first.split(separator: 0x20)
        guard fields.count >= 9 else { throw .invalidData("w1_slave scratchpad unreadable") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(9)
        for field in fields.prefix(9) {
            guard field.count == 2, let high = hexDigit(field[field.startIndex]), let low = hexDigit(field[field.startIndex + 1]) else {
                throw .invalidData("w1_slave scratchpad unreadable")
            }
            bytes.append(high << 4 | low)
        }
        if bytes.allSatisfy({ $0 == 0 }) { throw .invalidData("all-zero scratchpad: the device is lost (its CRC is zero too)") }
        if bytes.allSatisfy({ $0 == 0xFF }) { throw .invalidData("all-0xFF scratchpad: nothing answered on the bus") }
        guard crc8(bytes[0..<8]) == bytes[8] else { throw .crcMismatch }
        guard let value = temperatureField(lines[1]), abs(value) <= 200_000 else { throw .invalidData("w1_slave has no temperature") }
        let raw = Int16(bitPattern: UInt16(bytes[1]) << 8 | UInt16(bytes[0]))
        if raw == errorRaw { throw .invalidData("error value 127.94 °C (0x07FF): a failed conversion, not a measurement") }
        // Configuration byte bits 6:5 (R1 R0): 9, 10, 11 or 12 bits.
        let bits = 9 + Int((bytes[4] >> 5) & 0b11)
        return W1Reading(millidegrees: value, scratchpad: bytes, resolution: 1 / Double(1 << (bits - 8)),
                         maximReservedBytes: bytes[5] == 0xFF && bytes[7] == 0x10)
    }

    /// `line` without spaces and tabs at either end.
    private static func trimmed(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = line
        while let first = line.first, first == 0x20 || first == 0x09 { line.removeFirst() }
        while let last = line.last, last == 0x20 || last == 0x09 { line.removeLast() }
        return line
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The whole number after the first `t=` of `line` (spaces around it allowed), at most 9
    /// digits; `nil` when there is none or anything else follows.
    private static func temperatureField(_ line: ArraySlice<UInt8>) -> Int? {
        var index = line.startIndex
        while index + 1 < line.endIndex, !(line[index] == UInt8(ascii: "t") && line[index + 1] == UInt8(ascii: "=")) { index += 1 }
        guard index + 1 < line.endIndex else { return nil }
        let number = trimmed(line[(index + 2)...])
        var digits = number[...]
        var negative = false
        if let sign = digits.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        guard let device else { throw .invalidData("not initialised") }
        let millidegrees: Int
        let raw: UInt32
        var details = SampleDetails()
        var slave: String?
        do throws(SysfsError) {
            slave = try files.read(slavePath ?? "\(Self.devicesDirectory)/\(device)/w1_slave")
        } catch {
            // A kernel with only the `temperature` attribute has no w1_slave; an unplugged device has neither.
            guard case .missing = error else { throw .sysfs(error) }
        }
        if let slave {
            let parsed = try Self.parseW1Slave(slave)
            millidegrees = parsed.millidegrees
            raw = UInt32(parsed.scratchpad[0]) | UInt32(parsed.scratchpad[1]) << 8
            details.resolution[quantity] = parsed.resolution
            if !parsed.maximReservedBytes {
                let hex = [5, 6, 7].map { String(parsed.scratchpad[$0], radix: 16) }.joined(separator: " ")
                details.notes.append("non-Maxim DS18B20 (reserved bytes \(hex); Maxim's read ff xx 10): a clone, which is fine")
            }
        } else {
            let text: String
            do throws(SysfsError) {
                text = try files.read("\(Self.devicesDirectory)/\(device)/temperature")
            } catch {
                throw .sysfs(error)
            }
            guard let value = Int(text.trimmingWhitespace()), abs(value) <= 200_000 else { throw .invalidData("temperature file unreadable") }
            // The kernel computes 0x07FF × 1000 / 16 = 127937: the error value, not a measurement.
            if (127_937...127_938).contains(value) { throw .invalidData("error value 127.94 °C (0x07FF): a failed conversion, not a measurement") }
            millidegrees = value
            raw = UInt32(bitPattern: Int32(truncatingIfNeeded: value))
        }
        let celsius = Double(millidegrees) / 1000
        // 85.000 °C is the power-on value of the scratchpad: a reading taken before any conversion.
        if millidegrees == 85000, previous.map({ abs($0 - 85) > 5 }) ?? true {
            throw .powerOnValue(85)
        }
        previous = celsius
        return ChipMeasurement(values: [quantity: celsius], fingerprint: [raw], details: details)
    }

    public func recover() {
        previous = nil
    }
}
