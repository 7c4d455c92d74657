import VenueGuardCore

/// A configured sensor the daemon can sample: a chip behind its driver, a kernel sensor, a
/// serial board, or a simulated twin. The scheduler calls `sample(at:)` once per period.
public protocol SensorSource: Sendable {
    /// The sensor's configuration id.
    var id: SensorID { get }
    /// Takes one sample at the scheduler's instant `now`. Never throws: failures are
    /// reported as `.fault` samples, which the safety logic counts and fails safe on.
    func sample(at now: MonotonicInstant) async -> SensorSample
}
