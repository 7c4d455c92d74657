/// What the signal outputs should show: a pattern per lamp and a buzzer pattern.
public struct SignalIntent: Hashable, Sendable {
    /// The pattern of each lamp.
    public var lamps: [Lamp: LEDPattern]
    /// The buzzer pattern.
    public var buzzer: BuzzerPattern
    /// Increases each time a new buzzer pattern must start from its beginning (a new chirp,
    /// a re-armed alarm), so a renderer can tell a new chirp from the same one.
    public var buzzerGeneration: Int

    /// Creates an intent.
    public init(lamps: [Lamp: LEDPattern], buzzer: BuzzerPattern, buzzerGeneration: Int = 0) {
        self.lamps = lamps
        self.buzzer = buzzer
        self.buzzerGeneration = buzzerGeneration
    }

    /// The documented "not monitoring" state the outputs are put in when the daemon stops:
    /// every lamp off, buzzer silent. (A dead daemon that could not do this shows a lamp
    /// that no longer blips, which the heartbeat rule makes visible.)
    public static let notMonitoring = SignalIntent(lamps: Dictionary(uniqueKeysWithValues: Lamp.allCases.map { ($0, .off) }), buzzer: .off)

    /// The pattern of `lamp` (off when not set).
    public func pattern(of lamp: Lamp) -> LEDPattern { lamps[lamp] ?? .off }
}
