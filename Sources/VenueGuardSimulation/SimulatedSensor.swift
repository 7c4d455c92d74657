import VenueGuardCore
import VenueGuardDrivers

/// A value-level simulated sensor: reads its quantities from a scenario, with a little
/// repeatable noise quantised like a real chip's output, and misbehaves as the scenario's
/// faults say. Stands in for any sensor kind of the configuration.
public struct SimulatedSensor: SensorSource {
    public let id: SensorID
    /// The sensor's configuration.
    public let descriptor: SensorDescriptor
    private let scenario: Scenario
    private let origin: MonotonicInstant

    /// Creates a sensor that plays `scenario`, whose start is the monotonic instant `origin`.
    public init(descriptor: SensorDescriptor, scenario: Scenario, origin: MonotonicInstant = .origin) {
        self.id = descriptor.id
        self.descriptor = descriptor
        self.scenario = scenario
        self.origin = origin
    }

    /// Noise amplitude and output resolution of each quantity (like an SHT3x / BME280 / DS18B20).
    static func noise(_ quantity: Quantity) -> (amplitude: Double, resolution: Double) {
        switch quantity {
        case .airTemperature, .globeTemperature, .naturalWetBulb, .wbgt: (0.03, 0.01)
        case .relativeHumidity: (0.15, 0.01)
        case .pressure: (0.05, 0.01)
        case .windSpeed, .windGust: (0.05, 0.01)
        case .solarRadiation: (2, 1)
        case .lightningDistance: (0, 1)
        }
    }

    public func sample(at now: MonotonicInstant) async -> SensorSample? {
        read(at: now)
    }

    /// The sample at `now` (synchronous: the simulation needs no I/O).
    public func read(at now: MonotonicInstant) -> SensorSample {
        let offset = now - origin
        let faults = scenario.faults(of: id, at: offset)
        if let fault = faults.first {
            switch fault.kind {
            case .noResponse, .hung: return .fault(.noResponse)
            case .wedged: Wedge.block()
            case .timeout, .busy: return .fault(.timeout)
            case .crc: return .fault(.crcMismatch)
            case .unplugged: return .fault(.unplugged)
            case .implausible:
                var values: [Quantity: Double] = [:]
                for quantity in descriptor.quantities {
                    values[quantity] = quantity == .relativeHumidity ? 100 : (quantity.unit == .celsius ? 130 : quantity.plausibleRange.upperBound * 2)
                }
                return .values(values)
            case .stuck:
                // The raw data frozen at the moment the fault began.
                let since = scenario.events.last { $0.at <= offset && $0.kind == .fault(fault) }?.at ?? offset
                return measure(at: since, index: Int64(since.seconds.rounded()))
            }
        }
        if descriptor.detectsLightning && descriptor.quantities.isEmpty { return .alive }
        return measure(at: offset, index: Int64((offset.seconds * 1000).rounded()))
    }

    private func measure(at offset: Duration, index: Int64) -> SensorSample {
        guard let series = scenario.samples[id] else { return .fault(.noResponse) }
        var values: [Quantity: Double] = [:]
        var fingerprint: [UInt32] = []
        for quantity in descriptor.quantities {
            guard let base = series[quantity]?.value(at: offset) else { continue }
            let (amplitude, resolution) = Self.noise(quantity)
            let noisy = base + amplitude * DeterministicNoise.unit(key: "\(id.rawValue)/\(quantity.rawValue)", index: index)
            var value = (noisy / resolution).rounded() * resolution
            value = min(max(value, quantity.plausibleRange.lowerBound), quantity.plausibleRange.upperBound)
            if quantity == .windSpeed || quantity == .solarRadiation { value = max(0, value) }
            values[quantity] = value
            fingerprint.append(UInt32(truncatingIfNeeded: Int64((value / resolution).rounded())))
        }
        if values.isEmpty { return .fault(.noResponse) }
        return .values(values, fingerprint: fingerprint)
    }
}
