import Dispatch
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDrivers
import VenueGuardLinuxGPIO
import VenueGuardLinuxI2C
import VenueGuardLinuxSerial
import VenueGuardLinuxSysfs
import VenueGuardLinuxSystem
import Synchronization

/// The Linux backend of a configuration: I2C buses through i2c-dev, 1-Wire and kernel
/// sensors through sysfs, the lamps, buzzer, button and lightning IRQ through libgpiod.
/// A device that cannot be opened makes its sensor report a fault (the area fails safe);
/// outputs that cannot be opened stop the start-up, because a box that cannot signal must
/// not pretend to run.
public final class LinuxHardware: @unchecked Sendable {
    /// The sensor sources sampled at their periods, in configuration order.
    public private(set) var sources: [any SensorSource] = []
    /// The serial boards.
    public private(set) var pushSources: [any PushSource] = []
    /// The lamps and buzzer.
    public private(set) var signal: SignalLines?
    /// Problems met while opening devices (one line each), for the log.
    public private(set) var problems: [String] = []
    private var buses: [Int: LinuxI2CBus] = [:]
    private var chips: [String: LinuxGPIOChip] = [:]
    private var inputs: [LinuxGPIOEdgeInput] = []
    private var keep: [AnyObject] = []
    /// The lightning detector source and its IRQ line, if configured.
    public private(set) var lightningSource: LightningDetectorSource?
    private let configuration: SiteConfiguration

    /// Opens the devices of `configuration`. Throws when the outputs cannot be opened.
    public init(configuration: SiteConfiguration) throws {
        self.configuration = configuration
        let delay = ThreadDelay()
        let sysfs = LinuxSysfs(root: configuration.linux.sysfsRoot)
        let sysfsContext = DispatchIOContext(label: "sysfs")

        // Outputs first: without them there is nothing to show.
        if configuration.signal.outputs == .gpio {
            var lamps: [Lamp: GPIOOutputLine] = [:]
            for (lamp, line) in configuration.signal.lamps {
                lamps[lamp] = try chip(line.chip).output(line.line, activeLow: line.activeLow)
            }
            let buzzer = try configuration.signal.buzzer.map { try chip($0.chip).output($0.line, activeLow: $0.activeLow) }
            signal = SignalLines(lamps: lamps, buzzer: buzzer)
        }

        let references = configuration.windReferences()
        for sensor in configuration.sensors {
            let descriptor = sensor.descriptor
            var power: PowerSwitch?
            if let line = sensor.powerLine {
                do {
                    let output = try chip(line.chip).output(line.line, activeLow: line.activeLow)
                    try output.set(true)
                    power = GPIOPowerSwitch(line: output)
                } catch {
                    problems.append("sensor \(descriptor.id): power_gpio unavailable: \(error)")
                }
            }
            func supervised(_ driver: ChipDriver, _ context: IOContext) -> any SensorSource {
                ChipSensorSource(id: descriptor.id,
                                 supervisor: SupervisedSensor(driver: driver, period: descriptor.samplingPeriod, power: power, delay: delay),
                                 context: context)
            }
            switch sensor.kind {
            case .anemometer:
                let a = sensor.anemometer!
                let clock = SystemClock()
                let source = AnemometerSource(id: descriptor.id, counter: AnemometerCounter(hzPerMps: a.hzPerMps, debounce: a.debounce, window: a.window),
                                              stuckAfter: a.stuckAfter, reference: a.stuckReference.flatMap { references[$0] }) {
                    clock.kernelMonotonicNanoseconds
                }
                do {
                    // A reed switch to ground: pull-up on, both edges read from the event descriptor.
                    inputs.append(try chip(a.chip).edges(a.line, pullUp: true) { edges in source.feed(edges) })
                } catch {
                    problems.append("sensor \(descriptor.id): anemometer line unavailable: \(error)")
                }
                sources.append(source)
            case .sht3x, .sht4x, .aht20, .bme280, .as3935, .ads1115, .bh1750:
                let (number, address) = sensor.i2c!
                guard let bus = bus(number) else {
                    sources.append(UnavailableSource(id: descriptor.id, reason: .noResponse))
                    continue
                }
                let device = bus.device(at: address)
                switch sensor.kind {
                case .sht3x: sources.append(supervised(SHT3x(device: device, delay: delay), bus.context))
                case .sht4x: sources.append(supervised(SHT4x(device: device, delay: delay), bus.context))
                case .aht20: sources.append(supervised(AHT20(device: device, delay: delay), bus.context))
                case .bme280: sources.append(supervised(BME280(device: device, delay: delay), bus.context))
                case .ads1115:
                    let adc = sensor.adc!
                    sources.append(supervised(ADS1115(device: device, delay: delay, channel: adc.channel, fullScale: adc.fullScale, scale: adc.scale,
                                                      offset: adc.offset, quantity: descriptor.quantities.first ?? .solarRadiation), bus.context))
                case .bh1750:
                    sources.append(supervised(BH1750(device: device, delay: delay, wm2PerLux: sensor.wm2PerLux ?? BH1750.defaultWm2PerLux), bus.context))
                default:
                    let settings = AS3935.Settings(configured: sensor.lightning)
                    let source = LightningDetectorSource(id: descriptor.id, detector: AS3935(device: device, delay: delay, settings: settings),
                                                         context: bus.context)
                    lightningSource = source
                    sources.append(source)
                }
            case .ds18b20:
                sources.append(supervised(DS18B20(files: sysfs, device: sensor.device, quantity: descriptor.quantities.first ?? .airTemperature),
                                          sysfsContext))
            case .hwmon, .iio:
                sources.append(supervised(KernelSensor(files: sysfs, interface: sensor.kind == .iio ? .iio : .hwmon,
                                                       device: sensor.device ?? "", quantities: descriptor.quantities), sysfsContext))
            case .serial:
                let settings = sensor.serial!
                let spec: SerialPortLocator.Spec = settings.usb.map { .usb(vendor: $0.vendor, product: $0.product) } ?? .path(settings.port!)
                let locator = SerialPortLocator(spec: spec, sysfsRoot: configuration.linux.sysfsRoot, devRoot: configuration.linux.devRoot)
                pushSources.append(SerialBoardSource(id: descriptor.id, locator: locator, baud: settings.baud,
                                                     decoder: SerialBoardDecoder(sensor: descriptor.id, parser: Self.parser(settings),
                                                                                 maxLineBytes: settings.maxLineBytes)))
            case .simulated:
                problems.append("sensor \(descriptor.id): kind \(sensor.kind.rawValue) has no Linux backend in this build; it reports a fault")
                sources.append(UnavailableSource(id: descriptor.id,
                                                 reason: .initialisation("kind \(sensor.kind.rawValue) has no Linux backend in this build")))
            }
        }
        sources = sources.map { source in references[source.id].map { WindRecordingSource(source, reference: $0) } ?? source }
        pushSources = pushSources.map { source in references[source.id].map { WindRecordingPushSource(source, reference: $0) } ?? source }
    }

    /// The line parser of a serial board's settings.
    public static func parser(_ settings: SerialSettings) -> SerialLineParser {
        let format: SerialLineFormat
        switch settings.format {
        case "makecode": format = .makecode
        case "keyvalue": format = .keyValue
        case "json": format = .json
        case "csv": format = .csv(columns: settings.columns)
        default: format = .auto(columns: settings.columns.isEmpty ? nil : settings.columns)
        }
        let keys = settings.keys.mapValues { SerialKeyMapping(quantity: $0.quantity, unit: $0.unit, scale: $0.scale, offset: $0.offset) }
        return SerialLineParser(format: format, keys: keys)
    }

    /// Connects the button and the lightning IRQ to `runtime`.
    public func connect(to runtime: VenueRuntime, clock: SystemClock) {
        if let button = configuration.signal.button, configuration.signal.outputs == .gpio {
            do {
                // Edges only say the line moved; its level, read once it has been quiet for the
                // debounce time, says whether this was a press (ButtonDebouncer).
                let debouncer = Mutex(ButtonDebouncer(debounce: button.debounce, activeLow: button.activeLow))
                let watched = WeakEdgeInput()  // weak: the input's own handler must not keep it open
                let settle = DispatchQueue(label: "venueguard.button")
                let input = try chip(button.chip).edges(button.line, pullUp: button.activeLow) { _ in
                    let token = debouncer.withLock { $0.edge() }
                    settle.asyncAfter(deadline: .now() + button.debounce.seconds) {
                        guard let high = watched.input?.level() else { return }
                        if debouncer.withLock({ $0.settled(level: high, token: token) }) { runtime.acknowledge(source: "button") }
                    }
                }
                if let high = input.level() { debouncer.withLock { $0.start(level: high) } }
                watched.input = input
                inputs.append(input)
            } catch {
                problems.append("acknowledge button unavailable: \(error)")
            }
        }
        if let source = lightningSource, let irq = configuration.sensors.first(where: { $0.kind == .as3935 })?.lightning?.irq {
            do {
                inputs.append(try chip(irq.chip).edges(irq.line, pullUp: false) { edges in
                    for edge in edges where edge.rising {
                        runtime.interrupt(source, at: clock.instant(kernelMonotonicNanoseconds: edge.nanoseconds))
                    }
                })
            } catch {
                problems.append("lightning IRQ unavailable: \(error); strikes will not be heard")
            }
        }
    }

    /// Releases every line and closes the buses.
    public func close() {
        inputs = []
        signal = nil
        chips = [:]
        buses = [:]
    }

    private func chip(_ name: String) throws -> LinuxGPIOChip {
        if let chip = chips[name] { return chip }
        let chip = try LinuxGPIOChip(name)
        chips[name] = chip
        return chip
    }

    private func bus(_ number: Int) -> LinuxI2CBus? {
        if let bus = buses[number] { return bus }
        do {
            let bus = try LinuxI2CBus(number: number, path: "\(configuration.linux.devRoot)/i2c-\(number)")
            buses[number] = bus
            return bus
        } catch {
            problems.append("I2C bus \(number): \(error)")
            return nil
        }
    }
}

/// The button's input, held weakly by its own settle reads.
final class WeakEdgeInput: @unchecked Sendable {
    private let lock = Mutex(())
    private weak var stored: LinuxGPIOEdgeInput?
    var input: LinuxGPIOEdgeInput? {
        get { lock.withLock { _ in stored } }
        set { lock.withLock { _ in stored = newValue } }
    }
}

/// A sensor whose device could not be opened: it reports the same fault every period, so the
/// areas that need it fail safe and the reason is visible.
struct UnavailableSource: SensorSource {
    let id: SensorID
    let reason: FaultReason
    func sample(at now: MonotonicInstant) async -> SensorSample? { .fault(reason) }
}
