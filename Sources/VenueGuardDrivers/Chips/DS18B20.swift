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
    private var device: String?
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

    /// Parses `w1_slave` text: the temperature in millidegrees, the scratchpad bytes, or the error.
    public static func parseW1Slave(_ text: String) throws(DriverError) -> (millidegrees: Int, scratchpad: [UInt8]) {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard lines.count >= 2 else { throw .invalidData("w1_slave has \(lines.count) line(s), expected 2") }
        guard lines[0].hasSuffix("YES") else { throw .crcMismatch }
        let bytes = lines[0].split(separator: " ").prefix(9).compactMap { UInt8($0, radix: 16) }
        guard bytes.count == 9 else { throw .invalidData("w1_slave scratchpad unreadable") }
        // Reserved bytes 5 and 7 are always 0xFF and 0x10: all zeros (CRC 00 "YES") is a lost device.
        guard bytes[5] == 0xFF, bytes[7] == 0x10 else { throw .invalidData("scratchpad reserved bytes wrong: device lost or bus noise") }
        let parts = lines[1].split(separator: "t=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let value = Int(String(parts[1]).trimmingWhitespace()) else {
            throw .invalidData("w1_slave has no temperature")
        }
        return (value, bytes)
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        guard let device else { throw .invalidData("not initialised") }
        let millidegrees: Int
        let raw: UInt32
        var slave: String?
        do throws(SysfsError) {
            slave = try files.read("\(Self.devicesDirectory)/\(device)/w1_slave")
        } catch {
            // A kernel with only the `temperature` attribute has no w1_slave; an unplugged device has neither.
            guard case .missing = error else { throw .sysfs(error) }
        }
        if let slave {
            let parsed = try Self.parseW1Slave(slave)
            millidegrees = parsed.millidegrees
            raw = UInt32(parsed.scratchpad[0]) | UInt32(parsed.scratchpad[1]) << 8
        } else {
            let text: String
            do throws(SysfsError) {
                text = try files.read("\(Self.devicesDirectory)/\(device)/temperature")
            } catch {
                throw .sysfs(error)
            }
            guard let value = Int(text.trimmingWhitespace()) else { throw .invalidData("temperature file unreadable") }
            millidegrees = value
            raw = UInt32(bitPattern: Int32(truncatingIfNeeded: value))
        }
        let celsius = Double(millidegrees) / 1000
        // 85.000 °C is the power-on value of the scratchpad: a reading taken before any conversion.
        if millidegrees == 85000, previous.map({ abs($0 - 85) > 5 }) ?? true {
            throw .powerOnValue(85)
        }
        previous = celsius
        return ChipMeasurement(values: [quantity: celsius], fingerprint: [raw])
    }

    public func recover() {
        previous = nil
    }
}
