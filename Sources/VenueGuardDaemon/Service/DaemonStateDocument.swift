import Foundation
import VenueGuardCore
import VenueGuardTelemetry

/// What the state file holds: the venue as the MQTT `state` payload has it, every sensor as
/// its `sensors/<id>` payload has it (values, health, rejected-input counters), the MQTT
/// connection, and the daemon itself (pid, configuration, running or stopped and why).
public struct DaemonStateDocument {
    /// The schema name of the file.
    public static let schema = "venueguard/daemon-state/1"

    /// The MQTT figures, when MQTT is configured.
    public struct MQTT: Sendable {
        /// The broker, `host:port`.
        public var broker: String
        /// Connected now.
        public var connected: Bool
        /// Messages waiting in the outbox.
        public var backlog: Int
        /// Messages the outbox bounds dropped.
        public var dropped: Int64
        /// The last connection error, if any.
        public var lastError: String?

        /// Creates figures.
        public init(broker: String, connected: Bool, backlog: Int, dropped: Int64, lastError: String?) {
            self.broker = broker
            self.connected = connected
            self.backlog = backlog
            self.dropped = dropped
            self.lastError = lastError
        }
    }

    /// Builds the file's bytes.
    public static func encode(status: VenueStatus?, payloads: TelemetryPayloads, mqtt: MQTT?, pid: Int32, configuration: String,
                              running: Bool, stoppedBecause: String?, written: WallClockTime) -> [UInt8] {
        func object(_ bytes: [UInt8]) -> Any { (try? JSONSerialization.jsonObject(with: Data(bytes))) ?? NSNull() }
        var document: [String: Any] = [
            "schema": schema, "pid": Int(pid), "configuration": configuration, "running": running,
            "stopped_because": stoppedBecause ?? NSNull(), "written": payloads.time(written),
            "written_unix": written.secondsSince1970,
        ]
        if let status {
            document["state"] = object(payloads.state(status, seq: 0, backlog: mqtt?.backlog ?? 0, dropped: mqtt?.dropped ?? 0))
            document["sensors"] = status.sensors.map { object(payloads.sensor($0, at: status.at, seq: 0)) }
        }
        if let mqtt {
            document["mqtt"] = ["broker": mqtt.broker, "connected": mqtt.connected, "backlog": mqtt.backlog, "dropped": mqtt.dropped,
                                "last_error": mqtt.lastError ?? NSNull()] as [String: Any]
        }
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data) + [0x0A]
    }
}
