import VenueGuardCore

/// A cup anemometer's pulses turned into wind: edges are debounced (a reed switch bounces),
/// counted per second, and averaged over a window (default 60 s) for the mean, with the
/// strongest 3-second average as the gust. The conversion is the cup set's: `hzPerMps`
/// pulses per second for each m/s (the common 2.4 km/h per Hz sets: 1.5 Hz per m/s).
public struct AnemometerCounter: Sendable {
    /// Pulses per second at 1 m/s.
    public let hzPerMps: Double
    /// Edges closer than this to the last counted one are bounce.
    public let debounce: Duration
    /// The averaging window of the mean.
    public let window: Duration
    /// The gust's averaging time (WMO: 3 s).
    public let gustPeriod: Duration
    /// The shortest counting time that gives a mean.
    public static let minimumSpan = Duration.seconds(10)
    /// Which edge is a pulse: a reed switch to ground with a pull-up gives falling edges.
    public let countFalling: Bool
    private var lastCounted: Int64?
    private var pulses: [Int64] = []
    /// The newest edge seen (any), nanoseconds.
    public private(set) var lastEdge: Int64?
    /// Edges ignored as bounce so far.
    public private(set) var bounces = 0

    /// A counter for a cup set with `hzPerMps` pulses per second per m/s.
    public init(hzPerMps: Double, debounce: Duration = .milliseconds(5), window: Duration = .seconds(60),
                gustPeriod: Duration = .seconds(3), countFalling: Bool = true) {
        self.hzPerMps = hzPerMps
        self.debounce = debounce
        self.window = window
        self.gustPeriod = gustPeriod
        self.countFalling = countFalling
    }

    /// Feeds edges (kernel timestamps, nanoseconds on the monotonic clock).
    public mutating func feed(_ edges: [GPIOEdge]) {
        for edge in edges {
            lastEdge = max(lastEdge ?? edge.nanoseconds, edge.nanoseconds)
            guard edge.rising != countFalling else { continue }
            if let last = lastCounted, edge.nanoseconds - last < debounce.nanoseconds {
                bounces += 1
                continue
            }
            lastCounted = edge.nanoseconds
            pulses.append(edge.nanoseconds)
        }
    }

    /// The mean wind over the window ending at `now`, and the gust; both m/s. Older pulses
    /// are forgotten. Until a full window has passed since `countingSince` the mean is over the
    /// time counted so far; `nil` before `minimumSpan` (a mean of nothing is not calm).
    public mutating func measure(at now: Int64, countingSince: Int64) -> (mean: Double, gust: Double)? {
        let windowNanoseconds = window.nanoseconds
        let span = min(windowNanoseconds, now - countingSince)
        guard span >= Self.minimumSpan.nanoseconds else { return nil }
        let windowStart = now - windowNanoseconds
        pulses.removeAll { $0 <= windowStart }
        let mean = Double(pulses.count) / (Double(span) / 1e9) / hzPerMps
        // The strongest gust: the most pulses in any gust period ending at a pulse. (The
        // period's conversions are hoisted: this runs every second over up to a window of pulses.)
        let gustNanoseconds = gustPeriod.nanoseconds
        var most = 0
        var first = 0
        for (index, time) in pulses.enumerated() {
            while pulses[first] <= time - gustNanoseconds { first += 1 }
            most = max(most, index - first + 1)
        }
        let gust = Double(most) / gustPeriod.seconds / hzPerMps
        return (mean, max(gust, mean))
    }
}
