/// What the buzzer should do (an active buzzer: on or off).
public enum BuzzerPattern: String, CaseIterable, Hashable, Sendable {
    /// Silent.
    case off
    /// One short beep when the status rises (once).
    case chirp
    /// Two short beeps when data becomes unknown (once).
    case doubleChirp = "double-chirp"
    /// Repeating long beeps at `stop`, until acknowledged.
    case heatAlarm = "heat-alarm"
    /// Repeating triple beeps at lightning `danger`, until acknowledged.
    case lightningAlarm = "lightning-alarm"

    /// The on/off segments (seconds) of one cycle, starting with "on".
    public var segments: [Double] {
        switch self {
        case .off: []
        case .chirp: [0.15]
        case .doubleChirp: [0.1, 0.1, 0.1]
        case .heatAlarm: [1.0, 1.0]
        case .lightningAlarm: [0.15, 0.15, 0.15, 0.15, 0.15, 1.5]
        }
    }

    /// Whether the pattern repeats (alarms) or plays once (chirps).
    public var repeats: Bool { self == .heatAlarm || self == .lightningAlarm }

    /// The first time after `seconds` (since the pattern started) at which the buzzer switches,
    /// or `nil` when it never will again (silent, or a chirp that has ended).
    public func nextChange(afterSeconds seconds: Double) -> Double? {
        let segments = self.segments
        guard !segments.isEmpty else { return nil }
        let cycle = segments.reduce(0, +)
        if seconds < 0 { return 0 }
        let start = repeats ? (seconds / cycle).rounded(.down) * cycle : 0
        var edge = start
        for length in segments + (repeats ? segments : []) {
            edge += length
            if edge > seconds + 1e-9 { return edge }
        }
        return repeats ? start + 2 * cycle : nil
    }

    /// Whether the buzzer sounds `seconds` after the pattern started.
    public func isOn(atSeconds seconds: Double) -> Bool {
        let segments = self.segments
        guard !segments.isEmpty, seconds >= 0 else { return false }
        let cycle = segments.reduce(0, +)
        var t = seconds
        if repeats {
            t = t.truncatingRemainder(dividingBy: cycle)
        } else if t >= cycle {
            return false
        }
        var on = true
        for length in segments {
            if t < length { return on }
            t -= length
            on.toggle()
        }
        return false
    }
}
