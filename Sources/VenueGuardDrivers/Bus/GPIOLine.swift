/// A GPIO output line, in logical terms: `true` lights the lamp or sounds the buzzer,
/// whatever the line's active level (the implementation applies active-low).
public protocol GPIOOutputLine: AnyObject {
    /// Drives the line to the logical value.
    func set(_ active: Bool) throws
}

/// An edge seen on an input line, with the kernel's monotonic timestamp.
public struct GPIOEdge: Hashable, Sendable {
    /// Rising (`true`) or falling edge, in electrical terms.
    public var rising: Bool
    /// When, in nanoseconds on the monotonic clock.
    public var nanoseconds: Int64

    /// Creates an edge.
    public init(rising: Bool, nanoseconds: Int64) {
        self.rising = rising
        self.nanoseconds = nanoseconds
    }
}

/// Output lines that drop and return the supply of a sensor, for power-cycling a hung chip.
public protocol PowerSwitch: AnyObject {
    /// Switches the sensor's supply on or off.
    func setPowered(_ on: Bool) throws
}

/// A power switch on a GPIO output line (a transistor in the sensor's supply).
public final class GPIOPowerSwitch: PowerSwitch {
    private let line: GPIOOutputLine
    /// Creates a switch on `line` (logical `true` = powered).
    public init(line: GPIOOutputLine) { self.line = line }
    public func setPowered(_ on: Bool) throws { try line.set(on) }
}
