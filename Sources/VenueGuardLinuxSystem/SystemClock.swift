import CLinuxTime
import Glibc
import VenueGuardCore

/// The board's clocks: a monotonic clock for every duration, and the wall clock with the
/// kernel's word on whether it is synchronised (a board without a real-time clock starts
/// with a stale date until NTP syncs).
public struct SystemClock: Sendable {
    private let start: ContinuousClock.Instant
    private let clock = ContinuousClock()

    /// A clock whose monotonic origin is now.
    public init() {
        start = clock.now
    }

    /// The monotonic instant now, since this clock's origin.
    public var monotonic: MonotonicInstant {
        MonotonicInstant(nanoseconds: (clock.now - start).nanoseconds)
    }

    /// The wall-clock time now.
    public static var wall: WallClockTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WallClockTime(secondsSince1970: Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9)
    }

    /// Whether the kernel considers the wall clock synchronised (adjtimex: no STA_UNSYNC, no TIME_ERROR).
    public static var wallClockSynchronized: Bool {
        venueguard_clock_synchronized() == 1
    }

    /// Both clocks now.
    public var now: Timestamp {
        Timestamp(monotonic: monotonic, wall: Self.wall, wallClockSynchronized: Self.wallClockSynchronized)
    }

    /// CLOCK_MONOTONIC now, nanoseconds (the clock of GPIO edge timestamps).
    public var kernelMonotonicNanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// The monotonic instant of a kernel CLOCK_MONOTONIC timestamp (GPIO edge events), on this clock's scale.
    public func instant(kernelMonotonicNanoseconds ns: Int64) -> MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        let kernelNow = Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
        return MonotonicInstant(nanoseconds: monotonic.nanoseconds - (kernelNow - ns))
    }
}
