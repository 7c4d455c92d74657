import Foundation
import VenueGuardCore
import VenueGuardTelemetry

/// What the state file holds: the venue as the MQTT `state` payload has it, every sensor as
/// its `sensors/<id>` payload has it (values, health, rejected-input counters; with MQTT, the
/// payload last published), the MQTT connection, and the daemon itself (pid, configuration,
/// running or stopped and why), then when it was written.
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

        /// The latest payload published for each sensor (`sensors/<id>`), spliced into the file
        /// instead of being encoded again.
        public var sensorPayloads: [SensorID: [UInt8]]

        /// Creates figures.
        public init(broker: String, connected: Bool, backlog: Int, dropped: Int64, lastError: String?, problems: [String] = [],
                    sensorPayloads: [SensorID: [UInt8]] = [:]) {
            self.broker = broker
            self.connected = connected
            self.backlog = backlog
            self.dropped = dropped
            self.lastError = lastError
            self.problems = problems
            self.sensorPayloads = sensorPayloads
        }
    }

    /// Builds the file's bytes: `body` stamped with when it was written.
    /// `written` is the wall clock (shown to people); `boot` the kernel's boot id and
    /// CLOCK_BOOTTIME at the write, by which `status` and the companion judge freshness (a wall clock can be
    /// stepped). `problems` are lasting ones a person must see (storage full, …).
    public static func encode(status: VenueStatus?, payloads: TelemetryPayloads, mqtt: MQTT?, pid: Int32, configuration: String,
                              running: Bool, stoppedBecause: String?, written: WallClockTime,
                              boot: (id: String, nanoseconds: Int64)? = nil, problems: [String] = [],
                              siteFacts: [UInt8]? = nil) -> [UInt8] {
        stamped(body(status: status, payloads: payloads, mqtt: mqtt, pid: pid, configuration: configuration, running: running,
                     stoppedBecause: stoppedBecause, problems: problems, siteFacts: siteFacts),
                payloads: payloads, written: written, boot: boot)
    }

    /// Everything but the time of writing: when it has not changed, the file need not be
    /// written (until the heartbeat). Each sensor's payload is `sensorPayload(sensor)` when
    /// given (the bytes MQTT already published, spliced in as they are), else encoded here.
    public static func body(status: VenueStatus?, payloads: TelemetryPayloads, mqtt: MQTT?, pid: Int32, configuration: String,
                            running: Bool, stoppedBecause: String?, problems: [String], siteFacts: [UInt8]? = nil,
                            sensorPayload: ((SensorStatus) -> [UInt8]?)? = nil) -> [UInt8] {
        JSONWriter.object(capacity: 8192) { o in
            o.field("schema", schema)
            if let siteFacts { o.field("site_facts", raw: siteFacts) }
            o.field("pid", Int64(pid))
            o.field("configuration", configuration)
            o.field("running", running)
            o.field("stopped_because", stoppedBecause)
            o.field("problems", strings: problems)
            if let mqtt {
                o.field("mqtt") { m in
                    m.field("broker", mqtt.broker)
                    m.field("connected", mqtt.connected)
                    m.field("backlog", mqtt.backlog)
                    m.field("dropped", mqtt.dropped)
                    m.field("last_error", mqtt.lastError)
                    m.field("problems", strings: mqtt.problems)
                }
            }
            if let status {
                o.field("state", raw: payloads.state(status, seq: 0, backlog: mqtt?.backlog ?? 0, dropped: mqtt?.dropped ?? 0))
                o.field("sensors") { sensors in
                    for sensor in status.sensors {
                        sensors.add(raw: sensorPayload?(sensor) ?? payloads.sensor(sensor, at: status.at, seq: 0))
                    }
                }
            }
        }
    }

    /// What the companion's page needs to draw the levels and is not in the MQTT `state`: the
    /// site's name, its areas in configuration order, and the thresholds and lightning radii in
    /// force (after the region and site layers), as `{"name", "areas": [id…], "wbgt_thresholds": {"caution", "warning", "severe", "stop"} (°C),
    /// "dry_bulb_thresholds": {…} (°C), "lightning": {"danger_km", "watch_km", "all_clear_s"}}`.
    public static func siteFacts(_ model: VenueModel) -> [UInt8] {
        func thresholds(_ t: HeatThresholds) -> (inout JSONWriter.Object) -> Void {
            { o in
                o.field("caution", t.caution)
                o.field("warning", t.warning)
                o.field("severe", t.severe)
                o.field("stop", t.stop)
            }
        }
        let lightning = model.parameters.lightning
        return JSONWriter.object { o in
            o.field("name", model.site.name)
            o.field("areas", strings: model.areas.map(\.id.rawValue))
            o.field("wbgt_thresholds", object: thresholds(model.parameters.wbgtThresholds))
            o.field("dry_bulb_thresholds", object: thresholds(model.parameters.dryBulbThresholds))
            o.field("lightning") { l in
                l.field("danger_km", lightning.dangerRadiusKm)
                l.field("watch_km", lightning.watchRadiusKm)
                l.field("all_clear_s", Int64(lightning.allClear.components.seconds))
            }
        }
    }

    /// `body` with the time of writing added, and a final newline.
    public static func stamped(_ body: [UInt8], payloads: TelemetryPayloads, written: WallClockTime,
                               boot: (id: String, nanoseconds: Int64)?) -> [UInt8] {
        JSONWriter.extend(body) { o in
            o.field("written", payloads.time(written))
            // Whole milliseconds: the wall clock is shown, freshness is judged on the boot clock.
            o.field("written_unix", (written.secondsSince1970 * 100).rounded() / 100)
            if let boot {
                o.field("boot_id", boot.id)
                o.field("boottime_ns", boot.nanoseconds)
            }
        } + [0x0A]
    }
}
