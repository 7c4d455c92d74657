import VenueGuardCore

/// A temperature/humidity sensor the kernel already drives, read from hwmon or IIO sysfs
/// (e.g. after `dtoverlay=i2c-sensor,sht3x` or `dtoverlay=dht11`), so no user-space chip code
/// is needed.
public final class KernelSensor: ChipDriver {
    /// Which kernel interface.
    public enum Interface: String, Sendable {
        /// `class/hwmon/hwmonN/{temp1_input, humidity1_input}` (millidegrees, milli-percent).
        case hwmon
        /// `bus/iio/devices/iio:deviceN/{in_temp_input, in_humidityrelative_input}` or raw × scale.
        case iio
    }

    private let files: SysfsFiles
    private let interface: Interface
    private let device: String
    private let quantities: [Quantity]
    private var directory: String?

    /// A reader for `device` — a directory name (`hwmon2`, `iio:device0`) or the driver's
    /// `name` (`sht3x`, `dht11`) — providing `quantities` (air temperature, humidity, or a
    /// temperature `role` such as the globe).
    public init(files: SysfsFiles, interface: Interface, device: String, quantities: [Quantity]) {
        self.files = files
        self.interface = interface
        self.device = device
        self.quantities = quantities
    }

    var base: String { interface == .hwmon ? "class/hwmon" : "bus/iio/devices" }

    public func initialise() throws(DriverError) {
        do {
            let entries = try files.list(base)
            if entries.contains(device) {
                directory = "\(base)/\(device)"
                return
            }
            for entry in entries {
                if let name = try? files.read("\(base)/\(entry)/name"), name.trimmingWhitespace() == device {
                    directory = "\(base)/\(entry)"
                    return
                }
            }
        } catch {
            throw .sysfs(error)
        }
        throw .sysfs(.missing("\(base)/\(device) (no device of that directory or name)"))
    }

    /// The value of a quantity in canonical units, from the interface's files.
    func read(_ quantity: Quantity, in directory: String) throws(DriverError) -> (Double, Int) {
        let isHumidity = quantity == .relativeHumidity
        return try DriverError.catching {
            switch interface {
            case .hwmon:
                let file = isHumidity ? "humidity1_input" : "temp1_input"
                let text = try files.read("\(directory)/\(file)")
                guard let milli = Int(text.trimmingWhitespace()) else { throw DriverError.invalidData("\(file) unreadable") }
                return (Double(milli) / 1000, milli)
            case .iio:
                let stem = isHumidity ? "in_humidityrelative" : "in_temp"
                var processed: String?
                do throws(SysfsError) {
                    processed = try files.read("\(directory)/\(stem)_input")
                } catch {
                    // No processed value: fall back to raw × scale; any other failure is the reading's.
                    guard case .missing = error else { throw error }
                }
                if let processed {
                    guard let milli = Int(processed.trimmingWhitespace()) else { throw DriverError.invalidData("\(stem)_input unreadable") }
                    return (Double(milli) / 1000, milli)
                }
                let rawText = try files.read("\(directory)/\(stem)_raw")
                guard let raw = Int(rawText.trimmingWhitespace()) else { throw DriverError.invalidData("\(stem)_raw unreadable") }
                let scale = (try? files.read("\(directory)/\(stem)_scale")).flatMap { Double($0.trimmingWhitespace()) } ?? 1
                let offset = (try? files.read("\(directory)/\(stem)_offset")).flatMap { Double($0.trimmingWhitespace()) } ?? 0
                // IIO: processed = (raw + offset) × scale, in milli-units for temperature and humidity.
                return ((Double(raw) + offset) * scale / 1000, raw)
            }
        }
    }

    public func measure() throws(DriverError) -> ChipMeasurement {
        guard let directory else { throw .invalidData("not initialised") }
        var values: [Quantity: Double] = [:]
        var fingerprint: [UInt32] = []
        for quantity in quantities {
            let (value, raw) = try read(quantity, in: directory)
            values[quantity] = value
            fingerprint.append(UInt32(bitPattern: Int32(truncatingIfNeeded: raw)))
        }
        return ChipMeasurement(values: values, fingerprint: fingerprint)
    }

    public func recover() {}
}
