/// Turns the edges of a bouncing push-button into presses, without timers: a press is an
/// edge to the active level after the line has been quiet for the debounce time. Bounces
/// on press and release all fall inside that time and are ignored.
public struct ButtonDebouncer: Sendable {
    /// The debounce time (default 30 ms).
    public let debounce: Duration
    /// Whether the pressed button pulls the line low (the usual wiring, with a pull-up).
    public let activeLow: Bool
    private var lastEdge: Int64?

    /// Creates a debouncer.
    public init(debounce: Duration = .milliseconds(30), activeLow: Bool = true) {
        self.debounce = debounce
        self.activeLow = activeLow
    }

    /// Feeds one edge; `true` when it is a press.
    public mutating func isPress(_ edge: GPIOEdge) -> Bool {
        defer { lastEdge = edge.nanoseconds }
        let toActive = edge.rising != activeLow
        guard toActive else { return false }
        guard let lastEdge else { return true }
        return edge.nanoseconds - lastEdge >= debounce.nanoseconds
    }
}
