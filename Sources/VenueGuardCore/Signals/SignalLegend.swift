/// The lamp legend: which patterns each status and lightning state show. This is the one
/// place the legend in the README is implemented; the README table mirrors it.
///
/// | status   | green  | yellow     | red    |
/// |----------|--------|------------|--------|
/// | safe     | steady | off        | off    |
/// | caution  | steady | steady     | off    |
/// | warning  | off    | steady     | off    |
/// | severe   | off    | steady     | steady |
/// | stop     | off    | off        | blink  |
/// | unknown  | off    | blink-fast | off    |
///
/// Blue: clear off, watch blink-slow, danger blink-fast, unknown flash.
public enum SignalLegend {
    /// The lamp patterns for the combined status and the lightning state.
    public static func lamps(status: SafetyStatus, lightning: LightningState) -> [Lamp: LEDPattern] {
        var lamps: [Lamp: LEDPattern] = [.green: .off, .yellow: .off, .red: .off]
        switch status {
        case .safe: lamps[.green] = .steady
        case .caution: lamps[.green] = .steady; lamps[.yellow] = .steady
        case .warning: lamps[.yellow] = .steady
        case .severe: lamps[.yellow] = .steady; lamps[.red] = .steady
        case .stop: lamps[.red] = .blink
        case .unknown: lamps[.yellow] = .blinkFast
        }
        switch lightning {
        case .clear: lamps[.blue] = .off
        case .watch: lamps[.blue] = .blinkSlow
        case .danger: lamps[.blue] = .blinkFast
        case .unknown: lamps[.blue] = .flash
        }
        return lamps
    }
}
