import VenueGuardCore

/// Drives the signal tower's lamps and the buzzer from the safety logic's intent: evaluates
/// each pattern at the caller's clock and writes a line only when its level changes.
public final class SignalLines {
    private let lamps: [Lamp: GPIOOutputLine]
    private let buzzer: GPIOOutputLine?
    private var player = BuzzerPlayer()
    private var written: [String: Bool] = [:]
    /// Writes that failed, so far.
    public private(set) var failedWrites = 0
    /// Frames drawn so far (for the watchdog's progress check).
    public private(set) var frames = 0

    /// Creates a driver for the given lines.
    public init(lamps: [Lamp: GPIOOutputLine], buzzer: GPIOOutputLine?) {
        self.lamps = lamps
        self.buzzer = buzzer
    }

    /// The level each output should have at `seconds` on the renderer's clock (pure; for tests and the panel).
    public static func levels(intent: SignalIntent, lamps: [Lamp], seconds: Double, buzzer: inout BuzzerPlayer) -> (lamps: [Lamp: Bool], buzzer: Bool) {
        var result: [Lamp: Bool] = [:]
        for lamp in lamps { result[lamp] = intent.pattern(of: lamp).isOn(atSeconds: seconds) }
        return (result, buzzer.isOn(intent: intent, now: seconds))
    }

    /// Draws one frame of `intent` at `seconds`.
    public func render(_ intent: SignalIntent, seconds: Double) {
        let levels = Self.levels(intent: intent, lamps: Array(lamps.keys), seconds: seconds, buzzer: &player)
        for (lamp, on) in levels.lamps { write(lamp.rawValue, on, lamps[lamp]!) }
        if let buzzer { write("buzzer", levels.buzzer, buzzer) }
        frames += 1
    }

    /// When, after `seconds`, the next frame is needed for `intent`: the earliest edge of any
    /// lamp's pattern or of the buzzer's, or `nil` when nothing will change by itself.
    public func nextChange(_ intent: SignalIntent, afterSeconds seconds: Double) -> Double? {
        let edges = lamps.keys.compactMap { intent.pattern(of: $0).nextChange(afterSeconds: seconds) }
            + [player.nextChange(after: seconds)].compactMap { $0 }
        return edges.min()
    }

    /// Puts every output in the "not monitoring" state: lamps off, buzzer silent.
    public func shutDown() {
        for (lamp, line) in lamps { write(lamp.rawValue, false, line, force: true) }
        if let buzzer { write("buzzer", false, buzzer, force: true) }
    }

    private func write(_ name: String, _ on: Bool, _ line: GPIOOutputLine, force: Bool = false) {
        guard force || written[name] != on else { return }
        do {
            try line.set(on)
            written[name] = on
        } catch {
            failedWrites += 1
            written[name] = nil  // try again next frame
        }
    }
}
