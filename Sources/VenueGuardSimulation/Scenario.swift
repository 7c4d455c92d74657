import VenueGuardCore

/// A scripted afternoon at a simulated venue: what every sensor reads over time, and the
/// strikes, alerts, faults and acknowledgements that happen. Times are offsets from the
/// scenario's start.
public struct Scenario: Hashable, Sendable {
    /// A short name.
    public var name: String
    /// What it shows.
    public var description: String
    /// The wall-clock time at the start (for the sun's position and alert expiry).
    public var start: WallClockTime
    /// The UTC offset to show times in, seconds.
    public var utcOffsetSeconds: Int
    /// How long it runs.
    public var duration: Duration
    /// Whether the simulated wall clock counts as synchronised.
    public var clockSynchronized: Bool
    /// For each sensor, for each quantity, the values over time.
    public var samples: [SensorID: [Quantity: SampleSeries]]
    /// Everything else that happens, in time order.
    public var events: [ScenarioEvent] {
        didSet { faultTimeline = Self.faultTimeline(events) }
    }
    /// Each sensor's fault and recovery events in time order (a chip twin asks at every read).
    private var faultTimeline: [SensorID: [FaultStep]] = [:]

    /// A fault starting, or a recovery, for one sensor.
    private struct FaultStep: Hashable, Sendable {
        var at: Duration
        var fault: ScenarioFault?  // nil: recovery
    }

    private static func faultTimeline(_ events: [ScenarioEvent]) -> [SensorID: [FaultStep]] {
        var timeline: [SensorID: [FaultStep]] = [:]
        for event in events {
            switch event.kind {
            case let .fault(fault): timeline[fault.sensor, default: []].append(FaultStep(at: event.at, fault: fault))
            case let .recover(sensor): timeline[sensor, default: []].append(FaultStep(at: event.at, fault: nil))
            default: break
            }
        }
        return timeline
    }

    /// Creates a scenario; events are sorted by time (stable).
    public init(name: String, description: String = "", start: WallClockTime, utcOffsetSeconds: Int = 9 * 3600, duration: Duration,
                clockSynchronized: Bool = true, samples: [SensorID: [Quantity: SampleSeries]], events: [ScenarioEvent]) {
        self.name = name
        self.description = description
        self.start = start
        self.utcOffsetSeconds = utcOffsetSeconds
        self.duration = duration
        self.clockSynchronized = clockSynchronized
        self.samples = samples
        self.events = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        faultTimeline = Self.faultTimeline(self.events)
    }

    /// The faults in force for `sensor` at `offset`, the latest started first.
    public func faults(of sensor: SensorID, at offset: Duration) -> [ScenarioFault] {
        activeFaults(of: sensor, at: offset).map(\.fault)
    }

    /// The faults in force for `sensor` at `offset` with when each began, the latest started first.
    public func activeFaults(of sensor: SensorID, at offset: Duration) -> [(fault: ScenarioFault, start: Duration)] {
        guard let steps = faultTimeline[sensor] else { return [] }
        var active: [(fault: ScenarioFault, start: Duration)] = []
        for step in steps {
            guard step.at <= offset else { break }
            if let fault = step.fault {
                if fault.until.map({ offset < $0 }) ?? true { active.append((fault, step.at)) }
            } else {
                active.removeAll()
            }
        }
        return active.reversed()
    }
}

/// Values of one quantity over time: straight lines between the given points, flat before
/// the first and after the last.
public struct SampleSeries: Hashable, Sendable {
    /// The points, in time order.
    public private(set) var points: [(at: Duration, value: Double)]

    /// Creates a series; points are sorted by time.
    public init(points: [(at: Duration, value: Double)]) {
        self.points = points.sorted { $0.at < $1.at }
    }

    /// The value at `offset`.
    public func value(at offset: Duration) -> Double? {
        guard let first = points.first, let last = points.last else { return nil }
        if offset <= first.at { return first.value }
        if offset >= last.at { return last.value }
        let index = points.firstIndex { $0.at > offset }!
        let a = points[index - 1], b = points[index]
        let fraction = (offset - a.at).seconds / (b.at - a.at).seconds
        return a.value + (b.value - a.value) * fraction
    }

    public static func == (lhs: SampleSeries, rhs: SampleSeries) -> Bool {
        lhs.points.map(\.at) == rhs.points.map(\.at) && lhs.points.map(\.value) == rhs.points.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        for point in points {
            hasher.combine(point.at)
            hasher.combine(point.value)
        }
    }
}

/// One thing that happens in a scenario.
public struct ScenarioEvent: Hashable, Sendable {
    /// What happens.
    public enum Kind: Hashable, Sendable {
        /// A lightning strike, heard by the venue's detector.
        case strike(LightningStrike.Distance, energy: Int?)
        /// Man-made disturbers heard by the detector (fluorescent lamps, motors), one interrupt each.
        case disturbers(Int)
        /// "Noise level too high" interrupts from the detector (an inverter, a monitor nearby).
        case noise(Int)
        /// A heat alert is issued or lifted, with an optional expiry offset.
        case heatAlert(HeatAlert, until: Duration?)
        /// A thunder advisory starts or ends, with an optional expiry offset.
        case thunderAdvisory(Bool, until: Duration?)
        /// A sensor develops a fault.
        case fault(ScenarioFault)
        /// Every fault of a sensor ends.
        case recover(SensorID)
        /// Someone presses the acknowledge button.
        case acknowledge
    }

    /// When, from the start.
    public var at: Duration
    /// What.
    public var kind: Kind

    /// Creates an event.
    public init(at: Duration, _ kind: Kind) {
        self.at = at
        self.kind = kind
    }
}

/// A fault injected into a simulated sensor.
public struct ScenarioFault: Hashable, Sendable {
    /// The kinds of fault a scenario can inject.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The device does not answer (I2C NACK).
        case noResponse = "no-response"
        /// The device answers too late.
        case timeout
        /// The data's checksum is wrong.
        case crc
        /// The device keeps returning the same raw data.
        case stuck
        /// The device is unplugged.
        case unplugged
        /// The device returns an impossible value (0xFFFF words: 130 °C, 100 %).
        case implausible
        /// The device hangs (stops answering) until its power is cycled, even after the fault's end.
        case hung
        /// A read never returns (a wedged kernel driver, a chip stretching the clock for ever):
        /// the daemon's own loops stall, and only the watchdog's restart helps.
        case wedged
        /// The chip answers but its busy (measuring) flag never clears: an AHT20 or BME280 whose
        /// conversion never ends.
        case busy
    }

    /// Which sensor.
    public var sensor: SensorID
    /// Which fault.
    public var kind: Kind
    /// When it ends by itself (offset from the start), if it does.
    public var until: Duration?

    /// Creates a fault.
    public init(sensor: SensorID, kind: Kind, until: Duration? = nil) {
        self.sensor = sensor
        self.kind = kind
        self.until = until
    }
}
