import CLinuxTime
import Glibc
import VenueGuardCore

/// The board's clocks: a monotonic clock for every duration, and the wall clock with the
/// kernel's word on whether it is synchronised (a board without a real-time clock starts
/// with a stale date until NTP syncs).
public struct SystemClock: Sendable {
    private let start: ContinuousClock.Instant
    private let clock = ContinuousClock()
    /// For a simulated venue at real speed: the wall clock starts at the scenario's start and
    /// the synchronisation is the scenario's (the sun's position and alert expiries follow the
    /// scenario, not today's date).
    private let simulatedWall: (start: WallClockTime, synchronized: Bool)?

    /// A clock whose monotonic origin is now.
    public init() {
        start = clock.now
        simulatedWall = nil
    }

    /// A clock whose monotonic origin is now and whose wall clock starts at `wallStart`.
    public init(wallStart: WallClockTime, synchronized: Bool) {
        start = clock.now
        simulatedWall = (wallStart, synchronized)
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

    /// CLOCK_BOOTTIME now, nanoseconds: monotonic, counting suspend too, never stepped by NTP
    /// or by hand. Comparable between processes on the same boot.
    public static var bootTimeNanoseconds: Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_BOOTTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    /// The kernel's id of this boot (`/proc/sys/kernel/random/boot_id`), so a reader can tell
    /// a boot-time stamp of this boot from one of an earlier boot. Read once: it cannot
    /// change while the process lives.
    public static let bootID: String? = {
        guard let file = fopen("/proc/sys/kernel/random/boot_id", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = fread(&buffer, 1, 63, file)
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingWhitespace()
        return text.isEmpty ? nil : text
    }()

    /// Both clocks now.
    public var now: Timestamp {
        let monotonic = self.monotonic
        if let simulatedWall {
            return Timestamp(monotonic: monotonic, wall: simulatedWall.start.adding(seconds: monotonic.seconds),
                             wallClockSynchronized: simulatedWall.synchronized)
        }
        return Timestamp(monotonic: monotonic, wall: Self.wall, wallClockSynchronized: Self.wallClockSynchronized)
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
