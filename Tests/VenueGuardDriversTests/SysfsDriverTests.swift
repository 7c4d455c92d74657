import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

struct DS18B20Tests {
    static let sample = """
    72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
    72 01 4b 46 7f ff 0e 10 57 t=23125
    """

    @Test("w1_slave: the kernel's format, CRC YES, millidegrees")
    func parse() throws {
        let parsed = try DS18B20.parseW1Slave(Self.sample)
        #expect(parsed.millidegrees == 23125)
        #expect(parsed.scratchpad[0] == 0x72 && parsed.scratchpad[1] == 0x01)
    }

    @Test("w1_slave errors", arguments: [
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 NO\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", DriverError.crcMismatch),
        ("00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n",
         .invalidData("all-zero scratchpad: the device is lost (its CRC is zero too)")),
        ("ff ff ff ff ff ff ff ff ff : crc=c9 YES\nff ff ff ff ff ff ff ff ff t=-62\n",
         .invalidData("all-0xFF scratchpad: nothing answered on the bus")),
        // The kernel said YES but the ninth byte is not the CRC of the first eight.
        ("72 01 4b 46 7f ff 0e 10 58 : crc=58 YES\n72 01 4b 46 7f ff 0e 10 58 t=23125\n", .crcMismatch),
        ("ff 07 4b 46 7f ff 01 10 2f : crc=2f YES\nff 07 4b 46 7f ff 01 10 2f t=127937\n",
         .invalidData("error value 127.94 °C (0x07FF): a failed conversion, not a measurement")),
        ("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n", .invalidData("w1_slave has 1 line(s), expected 2")),
    ])
    func errors(_ row: (String, DriverError)) {
        #expect(throws: row.1) { _ = try DS18B20.parseW1Slave(row.0) }
    }

    @Test("The simulated w1_slave text is what the kernel prints (CRC included)", arguments: [23.125, -10.125, 0.0, 60.5])
    func simulatedText(_ celsius: Double) throws {
        let parsed = try DS18B20.parseW1Slave(SimulatedSysfs.w1Slave(celsius: celsius))
        #expect(Double(parsed.millidegrees) / 1000 == celsius)
        // The scratchpad's ninth byte is the Dallas CRC of the first eight.
        #expect(DS18B20.crc8(Array(parsed.scratchpad.prefix(8))) == parsed.scratchpad[8])
    }

    @Test("Dallas CRC of the datasheet's example ROM code is 0xA2")
    func dallasCRC() {
        // DS18B20 application note 27 example: 02 1C B8 01 00 00 00 → CRC A2.
        #expect(DS18B20.crc8([0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00]) == 0xA2)
    }

    @Test("85 °C right after power-up is the power-on value; a real 85 after 84 is not")
    func powerOnValue() throws {
        let files = SimulatedSysfs()
        var text = SimulatedSysfs.w1Slave(celsius: 85)
        files.addDirectory(DS18B20.devicesDirectory) { ["28-000000000001"] }
        files.addFile("\(DS18B20.devicesDirectory)/28-000000000001/w1_slave") { text }
        let driver = DS18B20(files: files, device: nil, quantity: .globeTemperature)
        try driver.initialise()
        #expect(throws: DriverError.powerOnValue(85)) { _ = try driver.measure() }
        text = SimulatedSysfs.w1Slave(celsius: 84)
        #expect(try driver.measure().values[.globeTemperature] == 84)
        text = SimulatedSysfs.w1Slave(celsius: 85)
        #expect(try driver.measure().values[.globeTemperature] == 85)
    }

    @Test("Several DS18B20 without a device name: refused; an unplugged device: unplugged")
    func discovery() throws {
        let files = SimulatedSysfs()
        var present = ["28-0000000000a1", "28-0000000000b2", "w1_bus_master1"]
        files.addDirectory(DS18B20.devicesDirectory) { present }
        #expect(throws: DriverError.self) { try DS18B20(files: files, device: nil, quantity: .airTemperature).initialise() }
        let named = DS18B20(files: files, device: "28-0000000000b2", quantity: .airTemperature)
        present = ["w1_bus_master1"]
        do {
            try named.initialise()
            Issue.record("initialised a missing device")
        } catch {
            #expect(error.faultReason == .unplugged)
        }
    }
}

struct KernelSensorTests {
    @Test("hwmon: millidegrees and milli-percent, found by the driver's name")
    func hwmon() throws {
        let files = SimulatedSysfs()
        files.addDirectory("class/hwmon") { ["hwmon0", "hwmon1"] }
        files.addFile("class/hwmon/hwmon0/name") { "cpu_thermal\n" }
        files.addFile("class/hwmon/hwmon1/name") { "sht3x\n" }
        files.addFile("class/hwmon/hwmon1/temp1_input") { "24350\n" }
        files.addFile("class/hwmon/hwmon1/humidity1_input") { "55120\n" }
        let sensor = KernelSensor(files: files, interface: .hwmon, device: "sht3x", quantities: [.airTemperature, .relativeHumidity])
        try sensor.initialise()
        let m = try sensor.measure()
        #expect(abs(m.values[.airTemperature]! - 24.35) < 1e-9 && abs(m.values[.relativeHumidity]! - 55.12) < 1e-9)
    }

    @Test("IIO: processed input, or raw × scale + offset")
    func iio() throws {
        let files = SimulatedSysfs()
        files.addDirectory("bus/iio/devices") { ["iio:device0"] }
        files.addFile("bus/iio/devices/iio:device0/name") { "dht11\n" }
        files.addFile("bus/iio/devices/iio:device0/in_temp_input") { "26000\n" }
        files.addFile("bus/iio/devices/iio:device0/in_humidityrelative_raw") { "650\n" }
        files.addFile("bus/iio/devices/iio:device0/in_humidityrelative_scale") { "100\n" }
        let sensor = KernelSensor(files: files, interface: .iio, device: "dht11", quantities: [.airTemperature, .relativeHumidity])
        try sensor.initialise()
        #expect(try sensor.measure().values == [.airTemperature: 26, .relativeHumidity: 65])
    }

    @Test("A DHT11 read that times out in the kernel is a timeout fault")
    func timeout() throws {
        let files = SimulatedSysfs()
        files.addDirectory("bus/iio/devices") { ["iio:device0"] }
        files.addFile("bus/iio/devices/iio:device0/in_temp_input") { () throws(SysfsError) -> String in
            throw .io("bus/iio/devices/iio:device0/in_temp_input", reason: "Connection timed out")
        }
        let sensor = KernelSensor(files: files, interface: .iio, device: "iio:device0", quantities: [.airTemperature])
        try sensor.initialise()
        do {
            _ = try sensor.measure()
            Issue.record("no error")
        } catch {
            #expect(error.faultReason == .timeout)
        }
    }
}
