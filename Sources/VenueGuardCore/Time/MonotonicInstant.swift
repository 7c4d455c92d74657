/// A point on a monotonic clock: seconds since an arbitrary origin that never jumps.
///
/// Every duration the safety logic measures (hysteresis dwell, lightning all-clear,
/// staleness) is the difference of two `MonotonicInstant`s, never of wall-clock times:
/// a board without a real-time clock boots with a wrong date and jumps when NTP syncs.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin (boot, or the start of a scenario).
    public var nanoseconds: Int64

    /// Creates an instant `nanoseconds` after the clock's origin.
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// Creates an instant `seconds` after the clock's origin.
    public init(seconds: Double) {
        self.nanoseconds = Int64((seconds * 1e9).rounded())
    }

    /// The clock's origin.
    public static let origin = MonotonicInstant(nanoseconds: 0)

    /// Seconds since the clock's origin.
    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// The instant `duration` later.
    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }

    /// The instant `duration` earlier.
    public static func - (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }

    /// The time elapsed from `rhs` to `lhs`.
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds - rhs.nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String { "t+\(DurationText.format(.nanoseconds(nanoseconds)))" }
}
