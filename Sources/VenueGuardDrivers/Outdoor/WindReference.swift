import Synchronization
import VenueGuardCore

/// The latest wind measured by another sensor, kept for an anemometer's stuck check: a line
/// silent for half an hour is calm unless this sensor saw wind meanwhile.
public final class WindReference: Sendable {
    /// Which sensor's wind this is.
    public let sensor: SensorID
    /// How old a recorded wind may be and still count.
    public let maxAge: Duration
    private let latest = Mutex<(wind: Double, at: MonotonicInstant)?>(nil)

    /// A reference on `sensor`'s wind, trusted for `maxAge`.
    public init(sensor: SensorID, maxAge: Duration = .seconds(600)) {
        self.sensor = sensor
        self.maxAge = maxAge
    }

    /// Notes the wind in `sample`, if any.
    public func record(_ sample: SensorSample, at instant: MonotonicInstant) {
        guard case let .values(values, _, _, _) = sample, let wind = values[.windSpeed] else { return }
        latest.withLock { $0 = (wind, instant) }
    }

    /// Notes the wind in a push source's inputs from this sensor.
    public func record(_ inputs: [VenueInput]) {
        for case let .sensor(report) in inputs where report.sensor == sensor {
            record(report.sample, at: report.at)
        }
    }

    /// The wind recorded at most `maxAge` before `now`, m/s.
    public func wind(at now: MonotonicInstant) -> Double? {
        latest.withLock { latest in
            guard let latest, now - latest.at <= maxAge else { return nil }
            return latest.wind
        }
    }
}

/// A source whose wind readings are also recorded in a `WindReference`.
public struct WindRecordingSource: SensorSource {
    /// The wrapped source.
    public let source: any SensorSource
    /// Where its wind goes.
    public let reference: WindReference
    public var id: SensorID { source.id }

    /// Records `source`'s wind in `reference`.
    public init(_ source: any SensorSource, reference: WindReference) {
        self.source = source
        self.reference = reference
    }

    public func sample(at now: MonotonicInstant) async -> SensorSample? {
        let sample = await source.sample(at: now)
        if let sample { reference.record(sample, at: now) }
        return sample
    }

    /// The wrapped source's lane.
    public var readLane: ObjectIdentifier? { source.readLane }
}

/// A push source (a serial weather board) whose wind readings are also recorded in a `WindReference`.
public struct WindRecordingPushSource: PushSource {
    /// The wrapped source.
    public let source: any PushSource
    /// Where its wind goes.
    public let reference: WindReference
    public var id: SensorID { source.id }

    /// Records `source`'s wind in `reference`.
    public init(_ source: any PushSource, reference: WindReference) {
        self.source = source
        self.reference = reference
    }

    public func start(now: @escaping @Sendable () -> MonotonicInstant, deliver: @escaping @Sendable ([VenueInput]) -> Void) {
        source.start(now: now) { [reference] inputs in
            reference.record(inputs)
            deliver(inputs)
        }
    }

    public func stop() { source.stop() }
}
