import Glibc
import VenueGuardDrivers
import VenueGuardLinuxGPIO
import VenueGuardLinuxI2C
import VenueGuardLinuxSysfs

/// What `venueguard probe` finds on a board: GPIO chips and lines, I2C buses and the
/// addresses that answer (with the known chip each looks like), 1-Wire thermometers, kernel
/// sensors and serial devices — and a configuration snippet for them.
///
/// It is safe: addresses are scanned with one-byte reads (like `i2cdetect -r`); the only
/// write is the one-byte register pointer 0xD0 sent to devices at 0x76/0x77 to read a
/// Bosch chip id, and `identify: false` turns even that off.
public struct HardwareProbe {
    /// One device on an I2C bus.
    public struct I2CFinding: Sendable {
        /// The bus number.
        public var bus: Int
        /// The address.
        public var address: UInt8
        /// What it looks like, and how that was decided.
        public var looksLike: String
        /// The sensor kind to configure, when it is one VenueGuard drives.
        public var kind: String?
    }

    /// The report.
    public struct Report: Sendable {
        public var gpioChips: [LinuxGPIOChip.ChipInfo] = []
        public var i2cBuses: [Int] = []
        public var i2cErrors: [String] = []
        public var i2c: [I2CFinding] = []
        public var oneWire: [(device: String, reading: String)] = []
        public var kernelSensors: [(interface: String, directory: String, name: String, inputs: [String], busAddress: String?)] = []
        public var serial: [String] = []
    }

    /// The sysfs root.
    public var sysfsRoot = "/sys"
    /// The device directory.
    public var devRoot = "/dev"
    /// Whether to read chip ids (a one-byte register-pointer write at 0x76/0x77).
    public var identify = true

    /// Creates a probe.
    public init(sysfsRoot: String = "/sys", devRoot: String = "/dev", identify: Bool = true) {
        self.sysfsRoot = sysfsRoot
        self.devRoot = devRoot
        self.identify = identify
    }

    /// The kind each address suggests, from the address alone.
    static func candidates(_ address: UInt8) -> (String, String?) {
        switch address {
        case 0x01, 0x02, 0x03: ("AS3935 lightning sensor (by address)", "as3935")
        case 0x23, 0x5C: ("BH1750 light sensor (by address)", "bh1750")
        case 0x38: ("AHT20/AHT10 (by address)", "aht20")
        case 0x44, 0x45: ("SHT3x or SHT4x (by address; no chip id without a command)", "sht3x")
        case 0x48, 0x49, 0x4A, 0x4B: ("ADS1115 ADC (by address)", "ads1115")
        case 0x76, 0x77: ("BME280/BMP280 (by address)", "bme280")
        default: ("unknown device", nil)
        }
    }

    /// Probes the machine.
    public func run() -> Report {
        var report = Report()
        report.gpioChips = LinuxGPIOChip.describeAll(devRoot: devRoot)
        report.i2cBuses = LinuxI2CBus.available(devRoot: devRoot)
        for number in report.i2cBuses {
            do {
                let bus = try LinuxI2CBus(number: number, path: "\(devRoot)/i2c-\(number)")
                for address in bus.scan() {
                    var (looks, kind) = Self.candidates(address)
                    let device = bus.device(at: address)
                    if address == 0x38, let status = try? device.read(count: 1).first, status & 0x08 != 0 {
                        looks = "AHT20/AHT10 (status byte 0x\(String(status, radix: 16)): calibrated)"
                    }
                    if identify && (address == 0x76 || address == 0x77), let id = try? device.readRegister(0xD0) {
                        switch id {
                        case 0x60: looks = "BME280 (chip id 0x60)"
                        case 0x58: looks = "BMP280 (chip id 0x58: no humidity)"; kind = nil
                        case 0x61: looks = "BME680 (chip id 0x61: not supported)"; kind = nil
                        default: looks = "unknown device (chip id register 0xD0 = 0x\(String(id, radix: 16)))"; kind = nil
                        }
                    }
                    report.i2c.append(I2CFinding(bus: number, address: address, looksLike: looks, kind: kind))
                }
            } catch {
                report.i2cErrors.append("i2c-\(number): \(error)")
            }
        }
        let sysfs = LinuxSysfs(root: sysfsRoot)
        for device in (try? sysfs.list(DS18B20.devicesDirectory)) ?? [] where device.hasPrefix("28-") {
            let reading: String
            if let text = try? sysfs.read("\(DS18B20.devicesDirectory)/\(device)/w1_slave"),
               let parsed = try? DS18B20.parseW1Slave(text) {
                reading = "\(Double(parsed.millidegrees) / 1000) °C" + (parsed.maximReservedBytes ? "" : " (non-Maxim DS18B20)")
            } else {
                reading = "no valid reading"
            }
            report.oneWire.append((device, reading))
        }
        for (interface, base) in [("hwmon", "class/hwmon"), ("iio", "bus/iio/devices")] {
            for directory in (try? sysfs.list(base)) ?? [] {
                let name = ((try? sysfs.read("\(base)/\(directory)/name")) ?? "").trimmingWhitespace()
                let files = (try? sysfs.list("\(base)/\(directory)")) ?? []
                let inputs = files.filter {
                    ($0.hasPrefix("temp") || $0.hasPrefix("humidity") || $0.hasPrefix("in_temp") || $0.hasPrefix("in_humidityrelative")
                        || $0.hasPrefix("in_pressure")) && ($0.hasSuffix("_input") || $0.hasSuffix("_raw"))
                }
                let key = KernelSensor.busAddressKey(of: directory, interface: interface == "iio" ? .iio : .hwmon, files: sysfs)
                if !inputs.isEmpty { report.kernelSensors.append((interface, directory, name, inputs, key)) }
            }
        }
        report.serial = Self.serialDevices(devRoot: devRoot)
        return report
    }

    static func serialDevices(devRoot: String) -> [String] {
        var found: [String] = []
        for (directory, prefixes) in [("\(devRoot)/serial/by-id", [""]), (devRoot, ["ttyACM", "ttyUSB"])] {
            guard let dir = opendir(directory) else { continue }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                if name == "." || name == ".." { continue }
                if prefixes.contains(where: { name.hasPrefix($0) }) { found.append("\(directory)/\(name)") }
            }
        }
        return found.sorted()
    }

    /// The report as text, with a ready-to-paste configuration snippet.
    public static func render(_ report: Report) -> String {
        var out: [String] = []
        out.append("GPIO chips:")
        if report.gpioChips.isEmpty { out.append("  none found (no /dev/gpiochip*): this machine has no GPIO, or the user lacks access (group gpio)") }
        for chip in report.gpioChips {
            let used = chip.lines.filter { $0.consumer != nil }
            out.append("  \(chip.name) [\(chip.label)]: \(chip.lines.count) lines, \(used.count) in use")
            for line in used { out.append("    line \(line.offset) \(line.name ?? "") used by \(line.consumer!)\(line.output ? " (output)" : "")") }
        }
        out.append("I2C buses:")
        if report.i2cBuses.isEmpty { out.append("  none found (no /dev/i2c-*): enable I2C with dtparam=i2c_arm=on in /boot/firmware/config.txt") }
        for error in report.i2cErrors { out.append("  \(error)") }
        for number in report.i2cBuses {
            let found = report.i2c.filter { $0.bus == number }
            out.append("  i2c-\(number): \(found.isEmpty ? "no device answered" : "\(found.count) device(s)")")
            for finding in found { out.append("    0x\(String(finding.address, radix: 16)): \(finding.looksLike)") }
        }
        out.append("1-Wire thermometers:")
        if report.oneWire.isEmpty { out.append("  none found (enable 1-Wire with dtoverlay=w1-gpio)") }
        for (device, reading) in report.oneWire { out.append("  \(device): \(reading)") }
        out.append("Kernel sensors (hwmon/IIO):")
        if report.kernelSensors.isEmpty { out.append("  none with temperature or humidity inputs") }
        for sensor in report.kernelSensors {
            let place = sensor.busAddress.map { ", on I2C \($0)" } ?? ""
            out.append("  \(sensor.interface) \(sensor.directory) (\(sensor.name)\(place)): \(sensor.inputs.joined(separator: ", "))")
        }
        out.append("Serial devices:")
        if report.serial.isEmpty { out.append("  none found") }
        for device in report.serial { out.append("  \(device)") }

        var snippet: [String] = []
        for finding in report.i2c {
            guard let kind = finding.kind else { continue }
            let id = "\(kind)-\(finding.bus)-\(String(finding.address, radix: 16))"
            snippet.append("  - id: \(id)\n    kind: \(kind)\n    bus: \(finding.bus)\n    address: 0x\(String(finding.address, radix: 16))")
            if kind == "as3935" { snippet.append("    irq: 4           # the GPIO line wired to IRQ: check your wiring") }
            if kind == "ads1115" {
                snippet.append("    channel: 0       # AIN0–AIN3\n    gain: 2.048\n    scale: 1000      # value = volts × scale + offset: from your sensor's sheet (Hardware/outdoor-sensors.md)")
            }
        }
        for (device, _) in report.oneWire {
            snippet.append("  - id: globe-\(device.suffix(4))\n    kind: ds18b20\n    device: \(device)\n    role: globe\n    globe_diameter_mm: 150")
        }
        for sensor in report.kernelSensors {
            let humidity = sensor.inputs.contains { $0.contains("humidity") }
            let pressure = sensor.interface == "iio" && sensor.inputs.contains { $0.contains("pressure") }
            let kind = sensor.interface
            // The bus address is stable across boots; a driver name only while it is unique.
            let sameName = report.kernelSensors.filter { $0.interface == kind && $0.name == sensor.name }.count
            let device = sensor.busAddress ?? (sensor.name.isEmpty || sameName > 1 ? sensor.directory : sensor.name)
            snippet.append("  - id: \(kind)-\(sensor.name.isEmpty ? sensor.directory : sensor.name)\n    kind: \(kind)\n    device: \(device)\n    quantities: [air_temperature\(humidity ? ", humidity" : "")\(pressure ? ", pressure" : "")]")
        }
        if !snippet.isEmpty {
            out.append("")
            out.append("# A configuration snippet for what was found (check roles, globe size and lines):")
            out.append("sensors:")
            out.append(contentsOf: snippet)
        }
        return out.joined(separator: "\n") + "\n"
    }
}
