/// How one lamp should behave. Patterns are defined on the renderer's own clock, so an
/// accelerated scenario still blinks at a speed a person can read.
public enum LEDPattern: String, CaseIterable, Hashable, Sendable {
    /// Off.
    case off
    /// On, with a short heartbeat blip (off 0.15 s every 3 s): a frozen daemon shows as a
    /// light that stops blipping, so a steady light never lasts longer than 3 s.
    case steady
    /// On 0.5 s, off 0.5 s.
    case blink
    /// On 1 s, off 1 s.
    case blinkSlow = "blink-slow"
    /// On 0.2 s, off 0.2 s.
    case blinkFast = "blink-fast"
    /// A 0.1 s flash every 2 s.
    case flash

    /// The heartbeat period of `steady`, seconds.
    public static let heartbeatPeriod = 3.0
    /// How long `steady` is off in each heartbeat, seconds.
    public static let heartbeatBlip = 0.15

    /// The edges of one cycle: (period, the offsets within it where the lamp switches).
    var edges: (period: Double, at: [Double])? {
        switch self {
        case .off: nil
        case .steady: (Self.heartbeatPeriod, [0, Self.heartbeatBlip])
        case .blink: (1.0, [0, 0.5])
        case .blinkSlow: (2.0, [0, 1.0])
        case .blinkFast: (0.4, [0, 0.2])
        case .flash: (2.0, [0, 0.1])
        }
    }

    /// The first time after `seconds` at which the lamp switches, or `nil` when it never does
    /// (off). The output thread sleeps until then: a steady lamp costs two wake-ups per
    /// heartbeat, not a frame every 50 ms.
    public func nextChange(afterSeconds seconds: Double) -> Double? {
        guard let (period, offsets) = edges else { return nil }
        let cycleStart = (seconds / period).rounded(.down) * period
        for cycle in [cycleStart, cycleStart + period] {
            for offset in offsets where cycle + offset > seconds + 1e-9 { return cycle + offset }
        }
        return cycleStart + 2 * period
    }

    /// Whether the lamp is lit `seconds` into the pattern.
    public func isOn(atSeconds seconds: Double) -> Bool {
        func phase(_ period: Double) -> Double {
            let r = seconds.truncatingRemainder(dividingBy: period)
            return r < 0 ? r + period : r
        }
        switch self {
        case .off: return false
        case .steady: return phase(Self.heartbeatPeriod) >= Self.heartbeatBlip
        case .blink: return phase(1.0) < 0.5
        case .blinkSlow: return phase(2.0) < 1.0
        case .blinkFast: return phase(0.4) < 0.2
        case .flash: return phase(2.0) < 0.1
        }
    }
}

/// The lamps of the signal tower.
public enum Lamp: String, CaseIterable, Hashable, Comparable, Sendable {
    case green
    case yellow
    case red
    /// The optional lightning lamp.
    case blue

    public static func < (lhs: Lamp, rhs: Lamp) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
