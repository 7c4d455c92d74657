import VenueGuardCore

/// A temperature, humidity or pressure sensor the kernel already drives, read from hwmon or
/// IIO sysfs (e.g. after `dtoverlay=i2c-sensor,sht3x`, `dtoverlay=i2c-sensor,bme280` or
/// `dtoverlay=dht11`), so no user-space chip code is needed.
///
/// Units follow the kernel ABI documents (Documentation/hwmon/sysfs-interface.rst and
/// Documentation/ABI/testing/sysfs-bus-iio): hwmon `temp1_input` m°C and `humidity1_input`
/// m%RH; IIO `in_temp_input` m°C, `in_humidityrelative_input` m%RH and `in_pressure_input`
/// kPa, each either processed (`_input`, possibly with decimals such as `24350.000000000`) or
/// `(_raw + _offset) × _scale`. hwmon has no pressure attribute.
///
/// The device is named by its I2C bus and address (`1-0044`: stable across boots), by its
/// directory (`hwmon2`, `iio:device0`: numbered in probe order, which can change), or by the
/// driver's name (`sht3x`), which must match exactly one device: an ambiguous name is refused
/// with the candidates listed, never bound to whichever comes first.
public final class KernelSensor: ChipDriver {
    /// Which kernel interface.
    public enum Interface: String, Sendable {
        /// `class/hwmon/hwmonN/{temp1_input, humidity1_input}`.
        case hwmon
        /// `bus/iio/devices/iio:deviceN/{in_temp_*, in_humidityrelative_*, in_pressure_*}`.
        case iio

        /// The sysfs directory listing the devices.
        public var base: String { self == .hwmon ? "class/hwmon" : "bus/iio/devices" }

        /// The quantities the interface can read: one temperature channel (air, globe or wick,
        /// by the sensor's role), humidity, and for IIO pressure.
        public var readable: [Quantity] {
            switch self {
            case .hwmon: [.airTemperature, .globeTemperature, .naturalWetBulb, .relativeHumidity]
            case .iio: [.airTemperature, .globeTemperature, .naturalWetBulb, .relativeHumidity, .pressure]
            }
        }
    }

    private let files: SysfsFiles
    private let interface: Interface
    private let device: String
    private let quantities: [Quantity]
    private var directory: String?

    /// A reader for `device` — an I2C bus-address key (`1-0044`), a directory name (`hwmon2`,
    /// `iio:device0`) or the driver's `name` (`sht3x`, `dht11`) — providing `quantities`.
    public init(files: SysfsFiles, interface: Interface, device: String, quantities: [Quantity]) {
        self.files = files
        self.interface = interface
        self.device = device
        self.quantities = quantities
    }

    /// `0`…`9` only (Character.isNumber also takes other scripts' digits).
    public static func isDigit(_ character: Character) -> Bool { ("0"..."9").contains(character) }

    /// Whether `key` names a device by I2C bus and address (`1-0044`), the stable way.
    public static func isBusAddressKey(_ key: String) -> Bool {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[0].allSatisfy { Self.isDigit($0) } && parts[1].count == 4
            && parts[1].allSatisfy(\.isHexDigit)
    }

    /// Whether `key` is a probe-order directory name (`hwmon2`, `iio:device0`), which can change between boots.
    public static func isNumberedDirectory(_ key: String) -> Bool {
        for prefix in ["hwmon", "iio:device"] where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            return !rest.isEmpty && rest.allSatisfy { Self.isDigit($0) }
        }
        return false
    }

    /// The I2C bus-address key of a device directory (`1-0044`), when it sits on an I2C bus.
    public static func busAddressKey(of entry: String, interface: Interface, files: SysfsFiles) -> String? {
        for path in ["\(interface.base)/\(entry)/device", "\(interface.base)/\(entry)"] {
            guard let resolved = try? files.resolve(path) else { continue }
            if let key = resolved.split(separator: "/").reversed().first(where: { isBusAddressKey(String($0)) }) { return String(key) }
        }
        return nil
    }

    public func initialise() throws(DriverError) {
        let base = interface.base
        let entries: [String]
        do {
            entries = try files.list(base)
        } catch {
            throw .sysfs(error)
        }
        if Self.isBusAddressKey(device) {
            let matches = entries.filter { Self.busAddressKey(of: $0, interface: interface, files: files) == device }
            guard matches.count == 1 else {
                throw matches.isEmpty ? .sysfs(.missing("\(base)/* on I2C \(device) (no \(interface.rawValue) device there)"))
                    : .wrongChip("several \(interface.rawValue) devices on I2C \(device): \(matches.joined(separator: ", "))")
            }
            directory = "\(base)/\(matches[0])"
            return
        }
        if entries.contains(device) {
            directory = "\(base)/\(device)"
            return
        }
        let named = entries.filter { entry in
            (try? files.read("\(base)/\(entry)/name")).map { $0.trimmingWhitespace() == device } ?? false
        }
        guard named.count == 1 else {
            if named.isEmpty { throw .sysfs(.missing("\(base)/\(device) (no device of that directory or name)")) }
            let candidates = named.map { entry in
                Self.busAddressKey(of: entry, interface: interface, files: files).map { "\(entry) (I2C \($0))" } ?? entry
            }
            throw .wrongChip("the name '\(device)' is ambiguous: \(candidates.joined(separator: ", ")); name one by its I2C bus-address (e.g. 1-0044)")
        }
        directory = "\(base)/\(named[0])"
    }

    /// A number as the kernel prints it: an integer or a decimal (`24350`, `43299.804687500`,
    /// `-3250`), bounded; anything else is refused.
    public static func parseNumber(_ text: String, file: String) throws(DriverError) -> Double {
        let trimmed = text.trimmingWhitespace()
        let digits = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !digits.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { Self.isDigit($0) } }), parts[0].count <= 12,
              let value = Double(trimmed), value.isFinite else {
            throw .invalidData("\(file) unreadable: '\(trimmed.prefix(40))'")
        }
        return value
    }

    /// The stem, the factor from the file's unit to the canonical one.
    private func channel(_ quantity: Quantity) -> (stem: String, factor: Double)? {
        switch (interface, quantity) {
        case (.hwmon, .relativeHumidity): ("humidity1", 0.001)
        case (.hwmon, .airTemperature), (.hwmon, .globeTemperature), (.hwmon, .naturalWetBulb): ("temp1", 0.001)
        case (.iio, .relativeHumidity): ("in_humidityrelative", 0.001)
        case (.iio, .airTemperature), (.iio, .globeTemperature), (.iio, .naturalWetBulb): ("in_temp", 0.001)
        case (.iio, .pressure): ("in_pressure", 10)  // kPa → hPa
        default: nil
        }
    }

    /// The value of a quantity in canonical units, and the raw number it came from.
    func read(_ quantity: Quantity, in directory: String) throws(DriverError) -> (Double, Double) {
        guard let (stem, factor) = channel(quantity) else {
            throw .wrongChip("\(interface.rawValue) has no \(quantity.label) attribute")
        }
        var processed: String?
        do throws(SysfsError) {
            processed = try files.read("\(directory)/\(stem)_input")
        } catch {
            // No processed value: IIO's raw × scale; any other failure is the reading's.
            guard case .missing = error, interface == .iio else { throw .sysfs(error) }
        }
        if let processed {
            let value = try Self.parseNumber(processed, file: "\(stem)_input")
            return (value * factor, value)
        }
        let rawText: String
        do throws(SysfsError) {
            rawText = try files.read("\(directory)/\(stem)_raw")
        } catch {
            throw .sysfs(error)
        }
        let raw = try Self.parseNumber(rawText, file: "\(stem)_raw")
        let scale = try optionalNumber("\(directory)/\(stem)_scale", file: "\(stem)_scale") ?? 1
        let offset = try optionalNumber("\(directory)/\(stem)_offset", file: "\(stem)_offset") ?? 0
        // IIO: processed = (raw + offset) × scale, in the processed attribute's unit.
        return ((raw + offset) * scale * factor, raw)
    }

    private func optionalNumber(_ path: String, file: String) throws(DriverError) -> Double? {
        let text: String
        do throws(SysfsError) {
            text = try files.read(path)
        } catch {
            if case .missing = error { return nil }
            throw .sysfs(error)
        }
        return try Self.parseNumber(text, file: file)
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        guard let directory else { throw .invalidData("not initialised") }
        var values: [Quantity: Double] = [:]
        var fingerprint: [UInt32] = []
        for quantity in quantities {
            let (value, raw) = try read(quantity, in: directory)
            values[quantity] = value
            let bits = raw.bitPattern
            fingerprint += [UInt32(truncatingIfNeeded: bits >> 32), UInt32(truncatingIfNeeded: bits)]
        }
        return ChipMeasurement(values: values, fingerprint: fingerprint)
    }

    public func recover() {}
}
