import VenueGuardCore

/// Shows what the signal outputs should do: a terminal panel, plain log lines, or (on a
/// board) the GPIO lines. `render` is called at a steady cadence with the renderer's own
/// real-time clock, so blinking is at human speed even when a scenario is accelerated.
public protocol SignalRenderer: AnyObject {
    /// Draws `status` at `seconds` since the renderer started (pattern phase).
    func render(_ status: VenueStatus, scenarioSeconds: Double, realSeconds: Double)
    /// Puts the outputs in the documented "not monitoring" state (all lamps off, buzzer silent).
    func shutDown(reason: String)
}

/// Tracks when each buzzer pattern started on the renderer's clock, so a chirp plays whole
/// even if the next status no longer asks for it, and an alarm starts from its beginning.
struct BuzzerPlayer {
    private var pattern: BuzzerPattern = .off
    private var generation = -1
    private var startedAt = 0.0

    /// Whether the buzzer sounds at `now` (renderer seconds) given the latest intent.
    mutating func isOn(intent: SignalIntent, now: Double) -> Bool {
        if intent.buzzerGeneration != generation && intent.buzzer != .off {
            pattern = intent.buzzer
            generation = intent.buzzerGeneration
            startedAt = now
        } else if intent.buzzer == .off && pattern.repeats {
            pattern = .off  // an alarm stops at once when acknowledged or cleared; a chirp finishes
        }
        return pattern.isOn(atSeconds: now - startedAt)
    }

    /// The pattern playing (for display).
    var current: BuzzerPattern { pattern }
}
