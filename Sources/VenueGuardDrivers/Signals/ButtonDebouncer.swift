/// Turns the edges of a bouncing push-button into presses by the line's level once it has
/// settled, not by the edges' direction. libgpiod 1.6's v1 interface gives each event the
/// level read when the kernel's interrupt thread ran, and can merge edges
/// (`drivers/gpio/gpiolib-cdev.c`, `lineevent_irq_thread`), so a bouncing release can arrive
/// labelled "falling" tens of milliseconds after the last edge. Edges therefore only say "the
/// line moved": `debounce` after the last one the line is read (`settled`), and a press is a
/// settled level that is active after a settled level that was not. A button held through a
/// restart is not a press until it has been released.
///
/// The owner schedules the reads: `edge()` returns a token, and the read `debounce` later is
/// handed in with it; a read whose token an edge has since replaced is ignored (that edge's
/// own read decides).
public struct ButtonDebouncer: Sendable {
    /// How long the line must be quiet before its level counts (default 30 ms).
    public let debounce: Duration
    /// Whether the pressed button pulls the line low (the usual wiring, with a pull-up).
    public let activeLow: Bool
    /// The last settled state: pressed or not (`nil`: not read yet).
    public private(set) var pressed: Bool?
    private var edges: UInt64 = 0

    /// Creates a debouncer.
    public init(debounce: Duration = .milliseconds(30), activeLow: Bool = true) {
        self.debounce = debounce
        self.activeLow = activeLow
    }

    /// The line's level when watching begins (high = `true`): a button already held does not
    /// count as a press.
    public mutating func start(level high: Bool) {
        pressed = high != activeLow
    }

    /// One or more edges arrived: returns the token for the read `debounce` from now.
    public mutating func edge() -> UInt64 {
        edges &+= 1
        return edges
    }

    /// The line read `debounce` after the edges of `token` (high = `true`); `true` when this
    /// is a press. A read that later edges have overtaken changes nothing.
    public mutating func settled(level high: Bool, token: UInt64) -> Bool {
        guard token == edges else { return false }
        let active = high != activeLow
        defer { pressed = active }
        return active && pressed == false
    }
}
