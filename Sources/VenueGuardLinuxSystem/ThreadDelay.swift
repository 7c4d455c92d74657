import Glibc
import VenueGuardDrivers

/// Waits by sleeping the calling thread: for drivers on a bus's I/O queue, where a few
/// milliseconds of conversion time must pass before the result is read.
public struct ThreadDelay: Delay {
    /// Creates the delay.
    public init() {}

    public func wait(_ duration: Duration) {
        let ns = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        guard ns > 0 else { return }
        var request = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
