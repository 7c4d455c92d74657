import VenueGuardCore

/// Shows what the signal outputs should do: a terminal panel, plain log lines, or (on a
/// board) the GPIO lines. `render` is called at a steady cadence with the renderer's own
/// real-time clock, so blinking is at human speed even when a scenario is accelerated.
public protocol SignalRenderer: AnyObject {
    /// Draws `status` at `seconds` since the renderer started (pattern phase).
    func render(_ status: VenueStatus, scenarioSeconds: Double, realSeconds: Double)
    /// Puts the outputs in the documented "not monitoring" state (all lamps off, buzzer silent).
    func shutDown(reason: String)
    /// Sees every evaluated status, even those no frame shows (an accelerated run evaluates
    /// many times per frame): a log prints each change from here.
    func observe(_ status: VenueStatus)
    /// Whether it animates (a terminal panel drawing blinking lamps) and so wants frames at a
    /// steady cadence; otherwise frames come only at pattern edges.
    var animates: Bool { get }
}

extension SignalRenderer {
    public func observe(_ status: VenueStatus) {}
    public var animates: Bool { false }
}
