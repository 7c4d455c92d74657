import VenueGuardCore
import VenueGuardDrivers

/// An in-memory sysfs tree whose files are computed when read: 1-Wire DS18B20s and kernel
/// hwmon/IIO sensors backed by the scenario, with their faults (unplugged devices vanish,
/// bad CRCs read `NO`, a fresh DS18B20 reads its 85 °C power-on value).
public final class SimulatedSysfs: SysfsFiles {
    private var files: [String: () throws(SysfsError) -> String] = [:]
    private var directories: [String: () -> [String]] = [:]
    private var links: [String: String] = [:]

    /// Creates an empty tree.
    public init() {}

    /// Adds a file whose content `content` computes.
    public func addFile(_ path: String, _ content: @escaping () throws(SysfsError) -> String) {
        files[path] = content
    }

    /// Adds a directory whose entries `entries` computes.
    public func addDirectory(_ path: String, _ entries: @escaping () -> [String]) {
        directories[path] = entries
    }

    /// Adds a symbolic link at `path` leading to `target` (a device's place on its bus).
    public func addLink(_ path: String, to target: String) {
        links[path] = target
    }

    public func resolve(_ path: String) throws(SysfsError) -> String {
        if let target = links[path] { return target }
        if files[path] != nil || directories[path] != nil { return path }
        _ = try list(path)
        return path
    }

    public func read(_ path: String) throws(SysfsError) -> String {
        // (A device's files vanish with it: their contents throw `.missing` while it is unplugged.)
        guard let content = files[path] else { throw .missing(path) }
        return try content()
    }

    public func list(_ path: String) throws(SysfsError) -> [String] {
        if let entries = directories[path] { return entries().sorted() }
        // A device directory exists when its parent lists it.
        let parent = path.split(separator: "/").dropLast().joined(separator: "/")
        let name = String(path.split(separator: "/").last ?? "")
        if let entries = directories[parent]?(), entries.contains(name) {
            let prefix = path + "/"
            return files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
        }
        throw .missing(path)
    }

    // MARK: - Devices


    /// The `w1_slave` text for a temperature (°C), with the CRC the kernel would print.
    public static func w1Slave(celsius: Double, crcOK: Bool = true) -> String {
        let raw = Int16(max(-880, min(2000, (celsius * 16).rounded())))  // 12-bit, 1/16 °C
        let bits = UInt16(bitPattern: raw)
        var scratchpad: [UInt8] = [UInt8(bits & 0xFF), UInt8(bits >> 8), 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10]
        let crc = DS18B20.crc8(scratchpad)
        scratchpad.append(crcOK ? crc : crc ^ 0x3C)
        // Written byte by byte: a simulated globe is read every second.
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(27)
        for (index, byte) in scratchpad.enumerated() {
            if index > 0 { hex.append(0x20) }
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        var text = hex
        text += Array(" : crc=".utf8) + hex.suffix(2) + Array((crcOK ? " YES\n" : " NO\n").utf8)
        text += hex + Array(" t=\(Int(raw) * 1000 / 16)\n".utf8)
        return String(decoding: text, as: UTF8.self)
    }

    private var w1Devices: [(name: String, environment: ChipEnvironment)] = []

    /// Adds a DS18B20 named `name` (`28-…`) reading `quantity` from `environment`.
    public func addDS18B20(name: String, quantity: Quantity, environment: ChipEnvironment) {
        w1Devices.append((name, environment))
        let devices = DS18B20.devicesDirectory
        addDirectory(devices) { [unowned self] in
            self.w1Devices.filter { ![.unplugged, .noResponse].contains($0.environment.fault) }.map(\.name) + ["w1_bus_master1"]
        }
        addFile("\(devices)/\(name)/w1_slave") { () throws(SysfsError) -> String in
            switch environment.fault {
            case .unplugged?, .noResponse?: throw .missing("\(devices)/\(name)/w1_slave")
            case .timeout?: throw .io("\(devices)/\(name)/w1_slave", reason: "Connection timed out")
            case .crc?: return Self.w1Slave(celsius: 20, crcOK: false)
            case .implausible?: return Self.w1Slave(celsius: 125)
            default: break
            }
            // The kernel starts a conversion on each read, so the 85 °C power-on value appears
            // only after a supply glitch: a `hung` fault (power lost) gives it once it ends.
            if environment.hung { environment.hung = false; return Self.w1Slave(celsius: 85) }
            let value = environment.value(quantity, at: environment.measurementOffset, noise: 0.03) ?? 25
            return Self.w1Slave(celsius: value)
        }
    }

    /// `value` with nine decimals, as the IIO core prints `IIO_VAL_INT_PLUS_NANO` (`24350.000000000`).
    static func iioDecimal(_ value: Double) -> String {
        let nano = Int64((value * 1_000_000_000).rounded())
        let magnitude = nano.magnitude
        let fraction = String(magnitude % 1_000_000_000)
        return "\(nano < 0 ? "-" : "")\(magnitude / 1_000_000_000).\(String(repeating: "0", count: 9 - fraction.count))\(fraction)"
    }

    /// Adds a kernel sensor (hwmon or IIO directory `directory`, driver name `name`) giving
    /// `quantities` from `environment`: one temperature channel (whichever temperature the
    /// sensor's role reads), humidity, and for IIO pressure (kPa). IIO values are printed with
    /// decimals as the kernel's IIO core does (`24350.000000000`), hwmon values as integers.
    /// `busAddress` (`1-0044`) links the device to its place on an I2C bus.
    public func addKernelSensor(iio: Bool, directory: String, name: String, quantities: [Quantity], busAddress: String? = nil,
                                environment: ChipEnvironment) {
        let base = iio ? "bus/iio/devices" : "class/hwmon"
        let existing = directories[base]?() ?? []
        addDirectory(base) { existing + [directory] }
        let path = "\(base)/\(directory)"
        addFile("\(path)/name") { name + "\n" }
        if let busAddress {
            let bus = busAddress.split(separator: "-").first.map(String.init) ?? "1"
            let place = "/sys/devices/platform/soc/i2c-\(bus)/\(busAddress)"
            addLink(iio ? path : "\(path)/device", to: iio ? "\(place)/\(directory)" : place)
        }
        func value(_ quantity: Quantity, noise: Double, factor: Double) -> () throws(SysfsError) -> String {
            return { () throws(SysfsError) -> String in
                switch environment.fault {
                case .unplugged?, .noResponse?: throw .missing(path)
                case .timeout?, .crc?: throw .io(path, reason: "Connection timed out")  // a DHT11 with a bad checksum times out in the kernel
                case .implausible?: return "250000\n"
                default: break
                }
                let reading = (environment.value(quantity, at: environment.measurementOffset, noise: noise) ?? 0) * factor
                return iio ? "\(Self.iioDecimal(reading))\n" : "\(Int(reading.rounded()))\n"
            }
        }
        if let temperature = quantities.first(where: { $0.unit == .celsius }) {
            addFile("\(path)/\(iio ? "in_temp_input" : "temp1_input")", value(temperature, noise: 0.03, factor: 1000))
        }
        if quantities.contains(.relativeHumidity) {
            addFile("\(path)/\(iio ? "in_humidityrelative_input" : "humidity1_input")", value(.relativeHumidity, noise: 0.15, factor: 1000))
        }
        if iio && quantities.contains(.pressure) { addFile("\(path)/in_pressure_input", value(.pressure, noise: 0.05, factor: 0.1)) }
    }
}
