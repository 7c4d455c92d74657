/// What the caller's clocks said at one moment: the monotonic instant for measuring
/// durations, and the wall-clock time for civil meaning (sun position, alert expiry).
public struct Timestamp: Hashable, Sendable {
    /// The monotonic instant; all durations are measured on it.
    public var monotonic: MonotonicInstant
    /// The wall-clock time, which may be wrong until the clock is synchronised.
    public var wall: WallClockTime
    /// Whether the wall clock is known to be synchronised (NTP, RTC, or a scenario's fixed start).
    public var wallClockSynchronized: Bool

    /// Creates a timestamp from both clocks.
    public init(monotonic: MonotonicInstant, wall: WallClockTime, wallClockSynchronized: Bool = true) {
        self.monotonic = monotonic
        self.wall = wall
        self.wallClockSynchronized = wallClockSynchronized
    }

    /// The timestamp `duration` later on both clocks.
    public func advanced(by duration: Duration) -> Timestamp {
        Timestamp(monotonic: monotonic + duration, wall: wall.adding(seconds: duration.seconds),
                  wallClockSynchronized: wallClockSynchronized)
    }
}
