import VenueGuardCore

/// Tracks when each buzzer pattern started on the renderer's own clock, so a chirp plays
/// whole even if the next status no longer asks for it, and an alarm starts from its
/// beginning (and stops at once when acknowledged).
public struct BuzzerPlayer: Sendable {
    private var pattern: BuzzerPattern = .off
    private var generation = -1
    private var startedAt = 0.0

    /// Creates a silent player.
    public init() {}

    /// Whether the buzzer sounds at `now` (renderer seconds) given the latest intent.
    public mutating func isOn(intent: SignalIntent, now: Double) -> Bool {
        if intent.buzzerGeneration != generation && intent.buzzer != .off {
            pattern = intent.buzzer
            generation = intent.buzzerGeneration
            startedAt = now
        } else if intent.buzzer == .off && pattern.repeats {
            pattern = .off
        }
        return pattern.isOn(atSeconds: now - startedAt)
    }

    /// The pattern playing (for display).
    public var current: BuzzerPattern { pattern }

    /// The next renderer time after `now` at which the buzzer switches, or `nil`.
    public func nextChange(after now: Double) -> Double? {
        pattern.nextChange(afterSeconds: now - startedAt).map { $0 + startedAt }
    }
}
