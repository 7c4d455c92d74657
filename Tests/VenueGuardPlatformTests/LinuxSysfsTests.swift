import Foundation
import Testing
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardDrivers
import VenueGuardLinuxI2C
import VenueGuardLinuxSysfs
@testable import VenueGuardSimulation

/// A temporary directory tree standing in for /sys (and /dev), removed afterwards.
final class TemporaryTree {
    let root: URL
    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vg-sys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: root) }
    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    func remove(_ path: String) throws { try FileManager.default.removeItem(at: root.appendingPathComponent(path)) }
}

struct LinuxSysfsTests {
    @Test("DS18B20 through real files: reading, CRC failure, unplugged")
    func ds18b20() throws {
        let tree = try TemporaryTree()
        let device = "bus/w1/devices/28-3c01d607d4a1"
        try tree.write("\(device)/w1_slave", SimulatedSysfs.w1Slave(celsius: 41.5))
        try tree.write("bus/w1/devices/w1_bus_master1/.keep", "")
        let driver = DS18B20(files: LinuxSysfs(root: tree.root.path), device: nil, quantity: .globeTemperature)
        try driver.initialise()
        #expect(try driver.measure().values == [.globeTemperature: 41.5])
        try tree.write("\(device)/w1_slave", SimulatedSysfs.w1Slave(celsius: 41.5, crcOK: false))
        #expect(throws: DriverError.crcMismatch) { _ = try driver.measure() }
        try tree.remove(device)
        do {
            _ = try driver.measure()
            Issue.record("read an unplugged device")
        } catch {
            #expect(error.faultReason == .unplugged)
        }
    }

    @Test("The `temperature` attribute is used when w1_slave is absent")
    func temperatureAttribute() throws {
        let tree = try TemporaryTree()
        try tree.write("bus/w1/devices/28-000000000001/temperature", "-3250\n")
        let driver = DS18B20(files: LinuxSysfs(root: tree.root.path), device: "28-000000000001", quantity: .airTemperature)
        try driver.initialise()
        #expect(try driver.measure().values == [.airTemperature: -3.25])
    }

    @Test("hwmon and IIO through real files")
    func kernelSensors() throws {
        let tree = try TemporaryTree()
        try tree.write("class/hwmon/hwmon3/name", "sht3x\n")
        try tree.write("class/hwmon/hwmon3/temp1_input", "31250\n")
        try tree.write("class/hwmon/hwmon3/humidity1_input", "64500\n")
        try tree.write("bus/iio/devices/iio:device0/name", "dht11\n")
        try tree.write("bus/iio/devices/iio:device0/in_temp_input", "27000\n")
        try tree.write("bus/iio/devices/iio:device0/in_humidityrelative_input", "58000\n")
        let files = LinuxSysfs(root: tree.root.path)
        let hwmon = KernelSensor(files: files, interface: .hwmon, device: "sht3x", quantities: [.airTemperature, .relativeHumidity])
        try hwmon.initialise()
        #expect(try hwmon.measure().values == [.airTemperature: 31.25, .relativeHumidity: 64.5])
        let iio = KernelSensor(files: files, interface: .iio, device: "iio:device0", quantities: [.airTemperature, .relativeHumidity])
        try iio.initialise()
        #expect(try iio.measure().values == [.airTemperature: 27, .relativeHumidity: 58])
    }

    @Test("A bus that does not exist: a clear error naming it and how to enable I2C")
    func missingBus() {
        do {
            _ = try LinuxI2CBus(number: 9, path: "/nonexistent/i2c-9")
            Issue.record("opened a missing bus")
        } catch {
            #expect(error.description.contains("/nonexistent/i2c-9"))
            #expect(error.description.contains("dtparam=i2c_arm=on"))
        }
    }

    @Test("probe on a machine without I2C or GPIO says so; it lists 1-Wire and kernel sensors from sysfs")
    func probe() throws {
        let tree = try TemporaryTree()
        try tree.write("sys/bus/w1/devices/28-3c01d607d4a1/w1_slave", SimulatedSysfs.w1Slave(celsius: 22.5))
        try tree.write("sys/class/hwmon/hwmon0/name", "sht3x\n")
        try tree.write("sys/class/hwmon/hwmon0/temp1_input", "22000\n")
        try tree.write("sys/class/hwmon/hwmon0/humidity1_input", "50000\n")
        try tree.write("dev/ttyACM0", "")
        let report = HardwareProbe(sysfsRoot: tree.root.path + "/sys", devRoot: tree.root.path + "/dev").run()
        let text = HardwareProbe.render(report)
        #expect(text.contains("none found (no /dev/gpiochip*)"))
        #expect(text.contains("none found (no /dev/i2c-*)"))
        #expect(text.contains("28-3c01d607d4a1: 22.5 °C"))
        #expect(text.contains("hwmon hwmon0 (sht3x): humidity1_input, temp1_input"))
        #expect(text.contains("/dev/ttyACM0"))
        #expect(text.contains("kind: ds18b20\n    device: 28-3c01d607d4a1"))
    }

    @Test("Kernel sensors on real symlinks: found by I2C bus address, listed with it by probe, an ambiguous name refused")
    func busAddressThroughLinks() throws {
        let tree = try TemporaryTree()
        for (entry, address, milli) in [("hwmon1", "1-0044", "21500"), ("hwmon2", "1-0045", "30250")] {
            try tree.write("sys/devices/platform/soc/fe804000.i2c/i2c-1/\(address)/hwmon/\(entry)/name", "sht3x\n")
            try tree.write("sys/devices/platform/soc/fe804000.i2c/i2c-1/\(address)/hwmon/\(entry)/temp1_input", "\(milli)\n")
            try FileManager.default.createDirectory(at: tree.root.appendingPathComponent("sys/class/hwmon"), withIntermediateDirectories: true)
            // As the kernel lays it out: the class entry links to the device's place on its bus.
            try FileManager.default.createSymbolicLink(atPath: tree.root.appendingPathComponent("sys/class/hwmon/\(entry)").path,
                                                       withDestinationPath: "../../devices/platform/soc/fe804000.i2c/i2c-1/\(address)/hwmon/\(entry)")
            try FileManager.default.createSymbolicLink(
                atPath: tree.root.appendingPathComponent("sys/devices/platform/soc/fe804000.i2c/i2c-1/\(address)/hwmon/\(entry)/device").path,
                withDestinationPath: "../../../\(address)")
        }
        let files = LinuxSysfs(root: tree.root.path + "/sys")
        let byAddress = KernelSensor(files: files, interface: .hwmon, device: "1-0045", quantities: [.airTemperature])
        try byAddress.initialise()
        #expect(try byAddress.measure().values == [.airTemperature: 30.25])
        #expect(throws: DriverError.self) {
            try KernelSensor(files: files, interface: .hwmon, device: "sht3x", quantities: [.airTemperature]).initialise()
        }
        let text = HardwareProbe.render(HardwareProbe(sysfsRoot: tree.root.path + "/sys", devRoot: tree.root.path + "/dev").run())
        #expect(text.contains("hwmon hwmon1 (sht3x, on I2C 1-0044): temp1_input"), "\(text)")
        #expect(text.contains("kind: hwmon\n    device: 1-0045"), "\(text)")
    }
}
