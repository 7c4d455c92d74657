/// The topics under the site's prefix (default `venueguard/<site-id>`).
public struct TopicScheme: Sendable, Hashable {
    /// The prefix.
    public let prefix: String

    /// Creates the scheme for `prefix`.
    public init(prefix: String) { self.prefix = prefix }

    /// Retained `online` / `offline` (the Last Will).
    public var status: String { "\(prefix)/status" }
    /// Retained JSON of the whole venue.
    public var state: String { "\(prefix)/state" }
    /// Retained JSON of one sensor's latest values.
    public func sensor(_ id: String) -> String { "\(prefix)/sensors/\(id)" }
    /// Retained `{"instance": "…"}`: which box publishes as this site (two boxes configured
    /// with the same site id see each other here).
    public var instance: String { "\(prefix)/instance" }
    /// Retained JSON of the official WBGT forecast (only when the site reads one).
    public var forecast: String { "\(prefix)/forecast" }
    /// Not retained, QoS 1: changes, strikes, faults, acknowledgements, command results.
    public var events: String { "\(prefix)/events" }
    /// Where a backlog message of `topic` is replayed after an outage (never retained).
    public func history(of topic: String) -> String {
        if topic.hasPrefix("\(prefix)/sensors/") { return "\(prefix)/history/\(topic.dropFirst("\(prefix)/sensors/".count))" }
        if topic == state { return "\(prefix)/history/state" }
        if topic == forecast { return "\(prefix)/history/forecast" }
        return "\(prefix)/history/events"
    }
    /// Commands (only when enabled).
    public var commandAcknowledge: String { "\(prefix)/cmd/ack" }
    public var commandAlert: String { "\(prefix)/cmd/alert" }
    public var commandPing: String { "\(prefix)/cmd/ping" }
    /// The command topics' pattern.
    public var commands: String { "\(prefix)/cmd/+" }
}
