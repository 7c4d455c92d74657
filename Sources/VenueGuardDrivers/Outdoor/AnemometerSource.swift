import Synchronization
import VenueGuardCore

/// A cup anemometer on a GPIO line as a sensor source: the line's edge events (from its
/// event file descriptor) are fed in as they come; each sample is the mean wind over the
/// window and the gust. A line with no pulses is calm, not a fault; it is reported stuck only
/// when another wind sensor (`reference`) shows wind meanwhile.
public final class AnemometerSource: SensorSource {
    public let id: SensorID
    private let counter: Mutex<AnemometerCounter>
    private let now: @Sendable () -> Int64
    /// How long without pulses, while the reference shows wind, before the line is reported stuck.
    public let stuckAfter: Duration
    /// Another wind sensor's latest wind, if one is configured, for the stuck check.
    public let reference: WindReference?
    /// Wind elsewhere at least this strong (m/s) turns the cups of any working anemometer.
    public static let referenceWind = 3.0
    private let startedAt: Int64

    /// A source with `counter`; `now` gives the monotonic clock in nanoseconds (the edges' clock).
    public init(id: SensorID, counter: AnemometerCounter, stuckAfter: Duration = .seconds(1800), reference: WindReference? = nil,
                now: @escaping @Sendable () -> Int64) {
        self.id = id
        self.counter = Mutex(counter)
        self.now = now
        self.stuckAfter = stuckAfter
        self.reference = reference
        startedAt = now()
    }

    /// Edges from the line (called from the GPIO event handler's queue).
    public func feed(_ edges: [GPIOEdge]) {
        counter.withLock { $0.feed(edges) }
    }

    public func sample(at instant: MonotonicInstant) async -> SensorSample? {
        let t = now()
        let (wind, lastEdge) = counter.withLock { [startedAt] counter in (counter.measure(at: t, countingSince: startedAt), counter.lastEdge) }
        let quiet = t - (lastEdge ?? startedAt)
        if quiet >= stuckAfter.nanoseconds, let reference, let windElsewhere = reference.wind(at: instant), windElsewhere >= Self.referenceWind {
            return .fault(.other("no pulses for \(DurationText.format(.nanoseconds(quiet))) while \(reference.sensor) measures \(NumberText.format(windElsewhere)) m/s: line stuck or cups jammed"))
        }
        guard let (mean, gust) = wind else { return .alive }  // still counting its first seconds
        return .values([.windSpeed: mean, .windGust: gust])
    }
}
