import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardSimulation

/// The simulated backend of a configuration: every I2C chip, 1-Wire thermometer, kernel
/// sensor and the lightning detector as a register-level twin behind the real driver code,
/// so a scenario exercises the drivers; other kinds as value-level simulated sensors.
public final class SimulatedHardware: @unchecked Sendable {
    /// The sensor sources, in configuration order.
    public private(set) var sources: [any SensorSource] = []
    /// The simulated I2C buses, by number.
    public private(set) var buses: [Int: SimulatedI2CBus] = [:]
    /// The simulated sysfs tree (1-Wire and kernel sensors).
    public let sysfs = SimulatedSysfs()
    /// The lightning detector's twin and its source, if one is configured.
    public private(set) var lightning: (chip: SimulatedAS3935, source: LightningDetectorSource)?
    /// Each chip's environment, by sensor.
    public private(set) var environments: [SensorID: ChipEnvironment] = [:]
    /// Each power-switched chip's switch, by sensor.
    public private(set) var powerSwitches: [SensorID: SimulatedPowerSwitch] = [:]
    /// Each driver-backed sensor's supervisor, by sensor.
    public private(set) var supervisors: [SensorID: SupervisedSensor] = [:]

    /// Builds the twins of `configuration`'s sensors, playing `scenario`.
    public init(configuration: SiteConfiguration, scenario: Scenario) {
        let context = InlineIOContext()
        // One read lane per simulated bus, as on a board (a serial queue per I2C bus, one for
        // sysfs): a wedged twin holds up its own bus only.
        var busLanes: [Int: BusLane] = [:]
        let sysfsLane = BusLane()
        let delay = NoDelay()
        var kernelIndex = [SensorKind.hwmon: 0, .iio: 0]
        let references = configuration.windReferences()
        for sensor in configuration.sensors {
            let descriptor = sensor.descriptor
            let environment = ChipEnvironment(sensor: descriptor.id, scenario: scenario)
            environments[descriptor.id] = environment
            var power: PowerSwitch?
            if sensor.powerLine != nil {
                let simulated = SimulatedPowerSwitch(environment: environment)
                powerSwitches[descriptor.id] = simulated
                power = simulated
            }
            var lane = sysfsLane
            if let (busNumber, _) = sensor.i2c {
                lane = busLanes[busNumber] ?? BusLane()
                busLanes[busNumber] = lane
            }
            func supervised(_ driver: ChipDriver) -> any SensorSource {
                let supervisor = SupervisedSensor(driver: driver, period: descriptor.samplingPeriod, power: power, delay: delay)
                supervisors[descriptor.id] = supervisor
                return TimedSource(ChipSensorSource(id: descriptor.id, supervisor: supervisor, context: context), environment: environment,
                                   lane: lane)
            }
            switch sensor.kind {
            case .anemometer:
                let a = sensor.anemometer!
                let counter = AnemometerCounter(hzPerMps: a.hzPerMps, debounce: a.debounce, window: a.window)
                sources.append(SimulatedAnemometer(id: descriptor.id, counter: counter, stuckAfter: a.stuckAfter,
                                                   reference: a.stuckReference.flatMap { references[$0] }, environment: environment))
            case .sht3x, .sht4x, .aht20, .bme280, .as3935, .ads1115, .bh1750:
                let (busNumber, address) = sensor.i2c!
                let bus = buses[busNumber] ?? SimulatedI2CBus()
                buses[busNumber] = bus
                let device = bus.device(at: address)
                switch sensor.kind {
                case .sht3x:
                    bus.attach(SimulatedSensirionChip(family: .sht3x, environment: environment), at: address)
                    sources.append(supervised(SHT3x(device: device, delay: delay)))
                case .sht4x:
                    bus.attach(SimulatedSensirionChip(family: .sht4x, environment: environment), at: address)
                    sources.append(supervised(SHT4x(device: device, delay: delay)))
                case .aht20:
                    bus.attach(SimulatedAHT20(environment: environment), at: address)
                    sources.append(supervised(AHT20(device: device, delay: delay)))
                case .bme280:
                    bus.attach(SimulatedBME280(environment: environment), at: address)
                    sources.append(supervised(BME280(device: device, delay: delay)))
                case .ads1115:
                    let adc = sensor.adc!
                    let quantity = descriptor.quantities.first ?? .solarRadiation
                    bus.attach(SimulatedADS1115(environment: environment, quantity: quantity, scale: adc.scale, offset: adc.offset), at: address)
                    sources.append(supervised(ADS1115(device: device, delay: delay, channel: adc.channel, fullScale: adc.fullScale,
                                                      scale: adc.scale, offset: adc.offset, quantity: quantity)))
                case .bh1750:
                    let factor = sensor.wm2PerLux ?? BH1750.defaultWm2PerLux
                    bus.attach(SimulatedBH1750(environment: environment, wm2PerLux: factor), at: address)
                    sources.append(supervised(BH1750(device: device, delay: delay, wm2PerLux: factor)))
                default:  // as3935
                    let chip = SimulatedAS3935(environment: environment)
                    bus.attach(chip, at: address)
                    let settings = AS3935.Settings(configured: sensor.lightning)
                    let source = LightningDetectorSource(id: descriptor.id, detector: AS3935(device: device, delay: delay, settings: settings),
                                                         context: context)
                    lightning = (chip, source)
                    sources.append(TimedSource(source, environment: environment, lane: lane))
                }
            case .ds18b20:
                let name = sensor.device ?? "28-00000000000\(sources.count)"
                sysfs.addDS18B20(name: name, quantity: descriptor.quantities.first ?? .airTemperature, environment: environment)
                sources.append(supervised(DS18B20(files: sysfs, device: sensor.device, quantity: descriptor.quantities.first ?? .airTemperature)))
            case .hwmon, .iio:
                let iio = sensor.kind == .iio
                let index = kernelIndex[sensor.kind]!
                kernelIndex[sensor.kind] = index + 1
                let directory = iio ? "iio:device\(index)" : "hwmon\(index)"
                let key = sensor.device ?? directory
                let busAddress = KernelSensor.isBusAddressKey(key) ? key : nil
                let name = busAddress == nil && !KernelSensor.isNumberedDirectory(key) ? key : (iio ? "bme280" : "sht3x")
                sysfs.addKernelSensor(iio: iio, directory: directory, name: name, quantities: descriptor.quantities,
                                      busAddress: busAddress, environment: environment)
                sources.append(supervised(KernelSensor(files: sysfs, interface: iio ? .iio : .hwmon, device: key,
                                                       quantities: descriptor.quantities)))
            case .serial, .simulated:
                sources.append(SimulatedSensor(descriptor: descriptor, scenario: scenario))
            }
        }
        sources = sources.map { source in references[source.id].map { WindRecordingSource(source, reference: $0) } ?? source }
    }

    /// What the simulated detector hears: a strike, disturbers or noise raise its IRQ and are
    /// serviced through the AS3935 driver, one interrupt at a time, so its noise-floor and
    /// disturber-masking logic runs as on a board. Without a detector a strike goes to the
    /// safety logic directly and interference is not heard at all.
    public func hear(_ kind: ScenarioEvent.Kind, at now: MonotonicInstant) async -> [VenueInput] {
        guard let (chip, source) = lightning else {
            if case let .strike(distance, energy) = kind { return [.strike(LightningStrike(distance: distance, energy: energy, at: now))] }
            return []
        }
        environments[source.id]?.now = now
        if environments[source.id]?.fault != nil { return [] }  // a detector that does not answer hears nothing
        var interrupts: [() -> Void] = []
        switch kind {
        case let .strike(distance, energy): interrupts = [{ chip.injectStrike(distance, energy: energy ?? 100_000) }]
        case let .disturbers(count): interrupts = Array(repeating: { chip.injectDisturber() }, count: count)
        case let .noise(count): interrupts = Array(repeating: { chip.injectNoise() }, count: count)
        default: return []
        }
        var inputs: [VenueInput] = []
        for interrupt in interrupts {
            interrupt()
            guard chip.irqHigh else { continue }  // a masked disturber raises nothing
            inputs += await source.serviceInterrupt(at: now)
        }
        return inputs
    }
}

/// A simulated bus's read lane.
final class BusLane: Sendable {}

/// Sets a chip twin's clock to the sample instant before its driver runs.
struct TimedSource: InterruptSource, @unchecked Sendable {
    let inner: any SensorSource
    let environment: ChipEnvironment
    let lane: BusLane
    var id: SensorID { inner.id }
    var readLane: ObjectIdentifier? { ObjectIdentifier(lane) }

    init(_ inner: any SensorSource, environment: ChipEnvironment, lane: BusLane) {
        self.inner = inner
        self.environment = environment
        self.lane = lane
    }

    func sample(at now: MonotonicInstant) async -> SensorSample? {
        environment.now = now
        if environment.fault == .wedged { Wedge.block() }
        return await inner.sample(at: now)
    }

    func serviceInterrupt(at now: MonotonicInstant) async -> [VenueInput] {
        environment.now = now
        return await (inner as? any InterruptSource)?.serviceInterrupt(at: now) ?? []
    }
}
