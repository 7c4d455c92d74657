/// One use of a GPIO line by a site file, kept so that a line used twice is found before
/// anything is wired: two outputs on one line fight each other, and a sensor's supply switch
/// or interrupt on a lamp's line would blink the lamp or cut the sensor (ESPHome refuses a pin
/// used twice for the same reasons).
public struct GPIOLineUse: Sendable, Hashable {
    /// The gpiochip, as written.
    public var chip: String
    /// The line offset.
    public var line: Int
    /// Who uses it, in words (`the red lamp`, `sensor 'hall-climate' (power_gpio)`).
    public var user: String
    /// A sensor's supply switch: several sensors may share one supply rail.
    public var isSupplySwitch: Bool
    /// Where it is written.
    public var file: String
    /// The line in the file, when written there (the built-in signal lines have none).
    public var configLine: Int?
    /// The key path.
    public var key: String

    /// Whether `self` and `other` may use the same line.
    func mayShare(with other: GPIOLineUse) -> Bool { isSupplySwitch && other.isSupplySwitch }

    /// The first line used twice in `uses` (in file order), as an error at the later use.
    static func conflict(in uses: [GPIOLineUse]) -> ConfigError? {
        for (index, use) in uses.enumerated() {
            for earlier in uses[..<index] where earlier.chip == use.chip && earlier.line == use.line && !earlier.mayShare(with: use) {
                let place = earlier.configLine.map { " (line \($0))" } ?? " (the default when 'signal' is not written)"
                return ConfigError(file: use.file, line: use.configLine, key: use.key,
                                   message: "GPIO \(use.chip) line \(use.line) for \(use.user) is already used by \(earlier.user)\(place): each line can do one thing")
            }
        }
        return nil
    }
}
