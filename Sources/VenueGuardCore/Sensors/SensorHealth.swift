/// A sensor's health at an instant.
public enum SensorHealth: Hashable, Sendable, CustomStringConvertible {
    /// Fresh, plausible readings.
    case ok
    /// No healthy reading for longer than the sensor's maximum age (`nil`: none yet).
    case stale(lastHeard: MonotonicInstant?, maxAge: Duration)
    /// The last attempt failed, or its data was rejected.
    case faulted(FaultReason)

    /// `ok`, `stale` or `faulted` — the quality published with readings.
    public var quality: String {
        switch self {
        case .ok: "ok"
        case .stale: "stale"
        case .faulted: "faulted"
        }
    }

    /// Whether the readings can be used.
    public var isUsable: Bool { self == .ok }

    public var description: String {
        switch self {
        case .ok: "ok"
        case let .stale(lastHeard, maxAge):
            lastHeard == nil ? "stale (no reading yet)" : "stale (no reading for more than \(DurationText.format(maxAge)))"
        case let .faulted(reason): "faulted: \(reason)"
        }
    }
}
