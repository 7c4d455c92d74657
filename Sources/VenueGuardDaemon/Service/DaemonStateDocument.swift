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
        /// Lasting problems (a damaged outbox set aside, storage full, a client id taken over,
        /// another box with the same site id), one line each.
        public var problems: [String]

        /// Creates figures.
        public init(broker: String, connected: Bool, backlog: Int, dropped: Int64, lastError: String?, problems: [String] = []) {
            self.broker = broker
            self.connected = connected
            self.backlog = backlog
            self.dropped = dropped
            self.lastError = lastError
            self.problems = problems
        }
    }

    /// Builds the file's bytes. The payloads are spliced in as they are (no parsing and
    /// re-encoding: this runs every second on a small board).
    /// `written` is the wall clock (shown to people); `boot` the kernel's boot id and
    /// CLOCK_BOOTTIME at the write, by which `status` judges freshness (a wall clock can be
    /// stepped). `problems` are lasting ones a person must see (storage full, …).
    public static func encode(status: VenueStatus?, payloads: TelemetryPayloads, mqtt: MQTT?, pid: Int32, configuration: String,
                              running: Bool, stoppedBecause: String?, written: WallClockTime,
                              boot: (id: String, nanoseconds: Int64)? = nil, problems: [String] = []) -> [UInt8] {
        var header: [String: Any] = [
            "schema": schema, "pid": Int(pid), "configuration": configuration, "running": running,
            "stopped_because": stoppedBecause ?? NSNull(), "written": payloads.time(written),
            "written_unix": written.secondsSince1970, "problems": problems,
        ]
        if let boot {
            header["boot_id"] = boot.id
            header["boottime_ns"] = boot.nanoseconds
        }
        if let mqtt {
            header["mqtt"] = ["broker": mqtt.broker, "connected": mqtt.connected, "backlog": mqtt.backlog, "dropped": mqtt.dropped,
                              "last_error": mqtt.lastError ?? NSNull(), "problems": mqtt.problems] as [String: Any]
        }
        var bytes = Array((try? JSONSerialization.data(withJSONObject: header)) ?? Data("{}".utf8))
        guard let status, bytes.last == UInt8(ascii: "}") else { return bytes + [0x0A] }
        bytes.removeLast()
        bytes += Array(",\"state\":".utf8) + payloads.state(status, seq: 0, backlog: mqtt?.backlog ?? 0, dropped: mqtt?.dropped ?? 0)
        bytes += Array(",\"sensors\":[".utf8)
        for (index, sensor) in status.sensors.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += payloads.sensor(sensor, at: status.at, seq: 0)
        }
        bytes += Array("]}\n".utf8)
        return bytes
    }
}
