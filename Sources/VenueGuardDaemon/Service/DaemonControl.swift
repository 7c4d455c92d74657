import Synchronization
import VenueGuardConfiguration

/// What the signals ask of the run loop. SIGTERM/SIGINT end it; SIGHUP hands over a new,
/// already validated configuration, and the running one is stopped so the loop can start the
/// new one. Each configuration runs under its own `StopRequest` (a generation).
public final class DaemonControl: Sendable {
    private struct State {
        var current = StopRequest()
        var terminated: String?
        var pending: SiteConfiguration?
    }
    private let state = Mutex(State())

    /// Creates a control with nothing asked.
    public init() {}

    /// The stop request for a new generation (already set if termination was asked for).
    public func beginGeneration() -> StopRequest {
        state.withLock { state in
            let request = StopRequest()
            if let why = state.terminated { request.request(why) }
            state.current = request
            return request
        }
    }

    /// Ends the daemon (SIGTERM, SIGINT).
    public func terminate(_ why: String) {
        let current = state.withLock { state in
            if state.terminated == nil { state.terminated = why }
            return state.current
        }
        current.request(why)
    }

    /// Why termination was asked for, if it was.
    public var terminated: String? { state.withLock { $0.terminated } }

    /// Switches to `configuration` (validated by the caller): the running generation stops with reason "reload".
    public func reload(with configuration: SiteConfiguration) {
        let current = state.withLock { state -> StopRequest? in
            guard state.terminated == nil else { return nil }
            state.pending = configuration
            return state.current
        }
        current?.request(Self.reloadReason)
    }

    /// The configuration a reload handed over, if any (taken once).
    public func takePending() -> SiteConfiguration? {
        state.withLock { state in defer { state.pending = nil }; return state.pending }
    }

    /// The stop reason of a generation ended by a reload.
    public static let reloadReason = "reload"
}
