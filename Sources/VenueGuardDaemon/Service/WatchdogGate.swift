import VenueGuardCore

/// Decides whether the daemon may tell systemd it is alive. A process that merely runs is not
/// enough: the safety logic must have evaluated since the last check, the signal output must
/// have drawn frames (a dead LED loop could freeze a steady green), and no sensor read may be
/// stuck longer than `readLimit` (a wedged bus). Withholding the ping lets systemd's watchdog
/// kill and restart the daemon, and the restart puts the lamps through "not monitoring".
public struct WatchdogGate: Sendable {
    /// What the loops had done at one instant.
    public struct Snapshot: Sendable {
        /// When.
        public var at: MonotonicInstant
        /// Evaluations so far.
        public var evaluations: Int
        /// Output frames so far.
        public var outputFrames: Int
        /// The read in flight longest, and for how long, if any.
        public var oldestRead: (sensor: SensorID, age: Duration)?

        /// Creates a snapshot.
        public init(at: MonotonicInstant, evaluations: Int, outputFrames: Int, oldestRead: (sensor: SensorID, age: Duration)? = nil) {
            self.at = at
            self.evaluations = evaluations
            self.outputFrames = outputFrames
            self.oldestRead = oldestRead
        }
    }

    /// The verdict of one check.
    public enum Verdict: Equatable, Sendable {
        /// Ping.
        case alive
        /// Do not ping, and why.
        case stalled(String)
    }

    /// How long one sensor read may take before the daemon counts as stuck.
    public let readLimit: Duration
    private var previous: Snapshot?

    /// A gate allowing reads up to `readLimit`.
    public init(readLimit: Duration = .seconds(30)) {
        self.readLimit = readLimit
    }

    /// Checks `snapshot` against the previous one.
    public mutating func check(_ snapshot: Snapshot) -> Verdict {
        defer { previous = snapshot }
        if let read = snapshot.oldestRead, read.age > readLimit {
            return .stalled("the read of sensor \(read.sensor) has not returned for \(DurationText.format(read.age))")
        }
        guard let previous else {
            return snapshot.evaluations > 0 ? .alive : .stalled("no evaluation yet")
        }
        let span = DurationText.format(snapshot.at - previous.at)
        if snapshot.evaluations <= previous.evaluations { return .stalled("no evaluation for \(span)") }
        if snapshot.outputFrames <= previous.outputFrames { return .stalled("the signal output has drawn nothing for \(span)") }
        return .alive
    }
}
