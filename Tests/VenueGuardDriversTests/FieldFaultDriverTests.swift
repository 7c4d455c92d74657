import Testing
import VenueGuardCore
@testable import VenueGuardDrivers
@testable import VenueGuardSimulation

/// Field faults at the driver level: integrity checks rather than identity guesses, kernel
/// formats and units, and device lookups that never bind to whichever comes first.
struct FieldFaultDriverTests {
    static func ds18b20(_ text: String) throws(DriverError) -> ChipMeasurement {
        let files = SimulatedSysfs()
        files.addDirectory(DS18B20.devicesDirectory) { ["28-0000000000c1", "w1_bus_master1"] }
        files.addFile("\(DS18B20.devicesDirectory)/28-0000000000c1/w1_slave") { text }
        let driver = DS18B20(files: files, device: nil, quantity: .globeTemperature)
        try driver.initialise()
        return try driver.measure()
    }

    @Test("DS18B20 clones with non-Maxim reserved bytes read normally, with a note", arguments: [
        // (w1_slave, °C, resolution)
        ("f8 01 55 05 7f 7e 81 66 5d : crc=5d YES\nf8 01 55 05 7f 7e 81 66 5d t=31500\n", 31.5, 0.0625),   // the field report
        ("50 01 4b 46 7f ff 0c 10 e8 : crc=e8 YES\n50 01 4b 46 7f ff 0c 10 e8 t=21000\n", 21.0, 0.0625),   // Maxim's own
    ])
    func clone(_ row: (String, Double, Double)) throws {
        let measurement = try Self.ds18b20(row.0)
        #expect(measurement.values == [.globeTemperature: row.1])
        #expect(measurement.details.resolution[.globeTemperature] == row.2)
        let isClone = row.0.hasPrefix("f8")
        #expect(measurement.details.notes.contains { $0.contains("non-Maxim DS18B20") } == isClone)
    }

    @Test("The configuration byte gives the resolution: 9 to 12 bits")
    func resolution() throws {
        for (config, step) in [(UInt8(0x1F), 0.5), (0x3F, 0.25), (0x5F, 0.125), (0x7F, 0.0625)] {
            var bytes: [UInt8] = [0x88, 0x01, 0x4B, 0x46, config, 0xFF, 0x08, 0x10]
            bytes.append(DS18B20.crc8(bytes))
            let hex = bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined(separator: " ")
            let parsed = try DS18B20.parseW1Slave("\(hex) : crc=\(hex.suffix(2)) YES\n\(hex) t=24500\n")
            #expect(parsed.resolution == step)
        }
    }

    @Test("The 127.94 °C error value through the `temperature` attribute is refused too")
    func errorValueAttribute() {
        let files = SimulatedSysfs()
        files.addDirectory(DS18B20.devicesDirectory) { ["28-0000000000c1"] }
        files.addFile("\(DS18B20.devicesDirectory)/28-0000000000c1/temperature") { "127937\n" }
        let driver = DS18B20(files: files, device: nil, quantity: .globeTemperature)
        #expect(throws: DriverError.self) {
            try driver.initialise()
            _ = try driver.measure()
        }
    }

    // MARK: - Kernel formats and units

    struct KernelCase: Sendable, CustomTestStringConvertible {
        var name: String
        var iio: Bool
        var files: [String: String]
        var quantities: [Quantity]
        var expected: [Quantity: Double]
        var testDescription: String { name }
    }

    @Test("hwmon and IIO values in the kernel's formats and units", arguments: [
        KernelCase(name: "IIO processed values with decimals (bmp280/bme280 driver)", iio: true,
                   files: ["in_temp_input": "24350.000000000\n", "in_humidityrelative_input": "43299.804687500\n",
                           "in_pressure_input": "100.594804687\n"],
                   quantities: [.airTemperature, .relativeHumidity, .pressure],
                   expected: [.airTemperature: 24.35, .relativeHumidity: 43.2998046875, .pressure: 1005.94804687]),
        KernelCase(name: "IIO raw with scale and offset", iio: true,
                   files: ["in_temp_raw": "1200\n", "in_temp_offset": "-500\n", "in_temp_scale": "40.000000000\n",
                           "in_pressure_raw": "25149\n", "in_pressure_scale": "0.004\n"],
                   quantities: [.airTemperature, .pressure], expected: [.airTemperature: 28.0, .pressure: 1005.96]),
        KernelCase(name: "DHT11 through the dht11 IIO driver (whole degrees)", iio: true,
                   files: ["in_temp_input": "26000\n", "in_humidityrelative_input": "61000\n"],
                   quantities: [.airTemperature, .relativeHumidity], expected: [.airTemperature: 26, .relativeHumidity: 61]),
        KernelCase(name: "SHT4x through hwmon overshooting 100 % (cropped later, not a fault)", iio: false,
                   files: ["temp1_input": "23450\n", "humidity1_input": "103500\n"],
                   quantities: [.airTemperature, .relativeHumidity], expected: [.airTemperature: 23.45, .relativeHumidity: 103.5]),
        KernelCase(name: "hwmon negative temperature", iio: false, files: ["temp1_input": "-3250\n"],
                   quantities: [.globeTemperature], expected: [.globeTemperature: -3.25]),
    ])
    func kernelFormats(_ row: KernelCase) throws {
        let files = SimulatedSysfs()
        let base = row.iio ? "bus/iio/devices" : "class/hwmon"
        let entry = row.iio ? "iio:device0" : "hwmon0"
        files.addDirectory(base) { [entry] }
        files.addFile("\(base)/\(entry)/name") { "sensor\n" }
        for (name, text) in row.files { files.addFile("\(base)/\(entry)/\(name)") { text } }
        let sensor = KernelSensor(files: files, interface: row.iio ? .iio : .hwmon, device: "sensor", quantities: row.quantities)
        try sensor.initialise()
        let values = try sensor.measure().values
        for (quantity, expected) in row.expected {
            #expect(abs((values[quantity] ?? .nan) - expected) < 1e-6, "\(quantity): \(String(describing: values[quantity]))")
        }
    }

    @Test("Kernel numbers are parsed strictly and bounded", arguments: ["", "24,5", "1e5", "nan", "--3", "12345678901234567", "0x10", "24.5.1"])
    func strictNumbers(_ text: String) {
        #expect(throws: DriverError.self) { _ = try KernelSensor.parseNumber(text, file: "in_temp_input") }
    }

    @Test("The SHT4x overshoot from hwmon is cropped to 100 % and the air temperature stays good")
    func overshootThroughTracker() throws {
        var tracker = SensorHealthTracker(descriptor: SensorDescriptor(id: "sht", kind: "hwmon", quantities: [.airTemperature, .relativeHumidity],
                                                                       samplingPeriod: .seconds(10)))
        #expect(tracker.ingest(.values([.airTemperature: 23.45, .relativeHumidity: 103.5]), at: .origin) == .accepted(recovered: false))
        #expect(tracker.usableReading(.relativeHumidity, at: .origin)?.value == 100)
        #expect(tracker.usableReading(.airTemperature, at: .origin)?.value == 23.45)
    }

    // MARK: - Ambiguous lookups

    static func twoSHT3x() -> SimulatedSysfs {
        let files = SimulatedSysfs()
        files.addDirectory("class/hwmon") { ["hwmon0", "hwmon1", "hwmon2"] }
        files.addFile("class/hwmon/hwmon0/name") { "cpu_thermal\n" }
        for (entry, address, temperature) in [("hwmon1", "1-0044", "21000"), ("hwmon2", "1-0045", "35000")] {
            files.addFile("class/hwmon/\(entry)/name") { "sht3x\n" }
            files.addFile("class/hwmon/\(entry)/temp1_input") { "\(temperature)\n" }
            files.addLink("class/hwmon/\(entry)/device", to: "/sys/devices/platform/soc/fe804000.i2c/i2c-1/\(address)")
        }
        return files
    }

    @Test("A driver name matching two devices is refused, naming both with their bus addresses")
    func ambiguousName() {
        let sensor = KernelSensor(files: Self.twoSHT3x(), interface: .hwmon, device: "sht3x", quantities: [.airTemperature])
        do {
            try sensor.initialise()
            Issue.record("bound to one of two sht3x")
        } catch {
            #expect("\(error)".contains("ambiguous"))
            #expect("\(error)".contains("hwmon1 (I2C 1-0044)") && "\(error)".contains("hwmon2 (I2C 1-0045)"))
        }
    }

    @Test("A bus-address key finds the one device there, whatever its hwmon number", arguments: [("1-0044", 21.0), ("1-0045", 35.0)])
    func busAddress(_ row: (String, Double)) throws {
        let sensor = KernelSensor(files: Self.twoSHT3x(), interface: .hwmon, device: row.0, quantities: [.airTemperature])
        try sensor.initialise()
        #expect(try sensor.measure().values == [.airTemperature: row.1])
        #expect(throws: DriverError.self) {
            try KernelSensor(files: Self.twoSHT3x(), interface: .hwmon, device: "1-0046", quantities: [.airTemperature]).initialise()
        }
    }

    @Test("IIO devices are found by bus address through their own link")
    func iioBusAddress() throws {
        let files = SimulatedSysfs()
        files.addDirectory("bus/iio/devices") { ["iio:device0", "iio:device1"] }
        for (entry, address, value) in [("iio:device0", "1-0076", "20000"), ("iio:device1", "1-0077", "30000")] {
            files.addFile("bus/iio/devices/\(entry)/name") { "bme280\n" }
            files.addFile("bus/iio/devices/\(entry)/in_temp_input") { "\(value)\n" }
            files.addLink("bus/iio/devices/\(entry)", to: "/sys/devices/platform/soc/i2c-1/\(address)/\(entry)")
        }
        let sensor = KernelSensor(files: files, interface: .iio, device: "1-0077", quantities: [.airTemperature])
        try sensor.initialise()
        #expect(try sensor.measure().values == [.airTemperature: 30])
    }
}
