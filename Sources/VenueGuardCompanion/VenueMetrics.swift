import CoreMetrics
import Foundation
import Prometheus
import VenueGuardConfiguration

/// The venue for Grafana and Prometheus: what the safety daemon's state file and the companion
/// say, as swift-metrics gauges and counters with swift-prometheus's backend, rendered in the
/// Prometheus text exposition format (version 0.0.4) for `GET /metrics`.
///
/// Pull model: each scrape reads the daemon's state file (`/run/venueguard/state.json`) once;
/// nothing runs between scrapes. Levels are numbers (`-1` unknown, `0` safe … `4` stop) and
/// also state sets (`{status="stop"} 1`, the others 0) so a dashboard can colour by either.
/// A missing value (no WBGT, no strike, never known) is `NaN`, never a made-up number. Counts
/// that only grow in the daemon are Prometheus counters here; a daemon restart (its counts
/// start again) is a counter reset, which `rate()` handles.
///
/// `@unchecked Sendable`: every call takes `lock`.
public final class VenueMetrics: @unchecked Sendable {
    /// The registry the text is rendered from.
    public let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let lock = NSLock()
    /// The last value seen of each counted figure, by metric name and labels.
    private var lastCounts: [String: Int64] = [:]
    /// The gauges set by the previous and the current render (name and labels): a gauge not set
    /// again (the daemon stopped, an area or sensor removed) becomes NaN, never a stale value.
    private var previouslySet: [String: (String, [(String, String)])] = [:]
    private var setNow: [String: (String, [(String, String)])] = [:]
    /// A state file older than this means the daemon is not up (it rewrites it at least every 5 s).
    public static let staleAfter = DaemonFreshness.staleAfter

    /// What the companion's other parts counted, exported beside the feeds' counters; `nil`
    /// for a part that is not configured (its metrics are then absent, not 0).
    public struct PartCounters: Sendable, Equatable {
        /// Notification deliveries taken, retried and given up, per channel.
        public var notifications: NotificationOutbox.Counters?
        /// The configured notification channels, the only ones exported (at 0 before anything was sent).
        public var notificationChannels: [String] = []
        /// Messages from the regional broker refused (too large, bad topic, not a state).
        public var regionalRefused: Int?
        /// Lines of today's records that could not be read back at start.
        public var recordsUnreadableLines: Int?
        /// Rows appended to the records' files.
        public var recordsRowsWritten: Int?
        /// Whether appending to the records fails now (disk full, folder not writable).
        public var recordsWriteFailing: Bool?
        /// The web server's connections open now.
        public var httpConnectionsOpen: Int?
        /// The most open at once since start.
        public var httpConnectionsPeak: Int?
        /// The most it holds (`HTTPConnectionLimit`); more wait in the listen queue.
        public var httpConnectionsMaximum: Int?

        /// Nothing configured.
        public init() {}
    }

    /// The official sources the companion fetches: a daemon state silent about one reads unknown.
    public let officialFetched: OfficialSourcesFetched

    /// A set of metrics with its own registry; `officialFetched` as the site's `official:` asks.
    public init(officialFetched: OfficialSourcesFetched = OfficialSourcesFetched(nil)) {
        self.officialFetched = officialFetched
        factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The machine level of a status word: -1 unknown, 0 safe … 4 stop.
    static func level(_ word: String?) -> Double {
        ["safe": 0, "caution": 1, "warning": 2, "severe": 3, "stop": 4][word ?? ""] ?? -1
    }

    static let statuses = ["safe", "caution", "warning", "severe", "stop", "unknown"]

    private func gauge(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        Gauge(label: name, dimensions: labels, factory: factory).record(value)
        setNow[name + labels.map { "|\($0.0)=\($0.1)" }.joined()] = (name, labels)
    }

    private func stateSet(_ name: String, _ labels: [(String, String)], key: String, states: [String], current: String?) {
        for state in states { gauge(name, labels + [(key, state)], state == current ? 1 : 0) }
    }

    /// A counter following a figure that only grows at its source (a smaller value: the source restarted).
    private func count(_ name: String, _ labels: [(String, String)], _ value: Int64) {
        let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
        let previous = lastCounts[key]
        let delta = previous.map { value >= $0 ? value - $0 : value } ?? value
        lastCounts[key] = value
        if delta > 0 || previous == nil { Counter(label: name, dimensions: labels, factory: factory).increment(by: delta) }
    }

    /// Updates every metric from the daemon's state file (`daemonState`: its bytes, `nil` when
    /// unreadable), the companion's counters and its other parts' (`parts`), at wall time `now`
    /// (seconds since 1970) and boot clock `boot` (the file's age is judged as the page's:
    /// `DaemonFreshness.age`), and renders the text.
    public func render(daemonState: Data?, companion: CompanionService.Counters, parts: PartCounters = PartCounters(), now: Double,
                       boot: BootClockReading? = nil) -> String {
        lock.lock()
        defer { lock.unlock() }
        let document = daemonState.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        // Judged as the page judges it, from the same decoding: a file the page cannot read
        // (a boot stamp of the wrong type, say) is not up here either. No file, or one whose
        // time cannot be believed: its age is not known (NaN); of an earlier boot: its wall age.
        let snapshot = daemonState.flatMap { try? DaemonSnapshot.decode($0) }
        let fileAge = snapshot.map { DaemonFreshness.age(writtenUnix: $0.writtenUnix, stamp: $0.bootStamp, now: now, boot: boot) }
        let age: Double = switch fileAge {
        case let .seconds(seconds)?: seconds.isFinite ? seconds : .nan
        case let .earlierBoot(wallAge)?: wallAge
        case .unbelievable?, nil: .nan
        }
        let fresh = if case let .seconds(seconds)? = fileAge { seconds <= Self.staleAfter } else { false }
        let up = snapshot?.running == true && fresh
        setNow = [:]
        gauge("venueguard_daemon_up", [], up ? 1 : 0)
        gauge("venueguard_daemon_state_age_seconds", [], age)
        // What the daemon says counts only while it is up: a stopped or silent daemon's last
        // levels are not the venue's now.
        if up, let state = document?["state"] as? [String: Any] { venue(state, now: now) }
        for sensor in up ? document?["sensors"] as? [[String: Any]] ?? [] : [] { self.sensor(sensor) }
        if up, let mqtt = document?["mqtt"] as? [String: Any] {
            gauge("venueguard_mqtt_connected", [], mqtt["connected"] as? Bool == true ? 1 : 0)
            gauge("venueguard_mqtt_backlog_messages", [], (mqtt["backlog"] as? NSNumber)?.doubleValue ?? .nan)
            count("venueguard_mqtt_dropped_messages_total", [], (mqtt["dropped"] as? NSNumber)?.int64Value ?? 0)
        }
        count("venueguard_companion_requests_total", [], Int64(companion.requests))
        count("venueguard_companion_feed_faults_total", [], Int64(companion.feedFaults))
        count("venueguard_companion_fetch_failures_total", [], Int64(companion.fetchFailures))
        count("venueguard_companion_inputs_sent_total", [], Int64(companion.inputsSent))
        count("venueguard_companion_inputs_unsent_total", [], Int64(companion.inputsUnsent))
        self.parts(parts)
        for (key, (name, labels)) in previouslySet where setNow[key] == nil {
            Gauge(label: name, dimensions: labels, factory: factory).record(Double.nan)
        }
        previouslySet.merge(setNow) { new, _ in new }
        return registry.emitToString()
    }

    private func venue(_ state: [String: Any], now: Double) {
        gauge("venueguard_venue_level", [], Self.level(state["status"] as? String))
        stateSet("venueguard_venue_status", [], key: "status", states: Self.statuses, current: state["status"] as? String)
        for (id, value) in (state["areas"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let area = value as? [String: Any] else { continue }
            let labels = [("area", String(id.prefix(64)))]
            gauge("venueguard_area_level", labels, Self.level(area["status"] as? String))
            gauge("venueguard_area_heat_level", labels, Self.level(area["heat_level"] as? String))
            stateSet("venueguard_area_status", labels, key: "status", states: Self.statuses, current: area["status"] as? String)
            gauge("venueguard_wbgt_celsius", labels, (area["wbgt"] as? NSNumber)?.doubleValue ?? .nan)
        }
        let lightning = state["lightning"] as? [String: Any]
        stateSet("venueguard_lightning_state", [], key: "state", states: ["clear", "watch", "danger", "unknown"],
                 current: lightning?["state"] as? String)
        gauge("venueguard_last_strike_kilometres", [], (lightning?["last_strike_km"] as? NSNumber)?.doubleValue ?? .nan)
        let alerts = state["alerts"] as? [String: Any]
        // No alert held while the official source is not known is "unknown" (NaN), never "none";
        // so is a source fetched here that the daemon's state says nothing of.
        let official = state["official"] as? [String: Any]
        func said(_ source: String) -> String? { (official?[source] as? [String: Any])?["state"] as? String }
        let heatAlert = alerts?["heat_alert"] as? String
        stateSet("venueguard_heat_alert", [], key: "alert", states: ["none", "alert", "special-alert", "unknown"],
                 current: heatAlert == "none" && officialFetched.heatAlertsNotKnown(daemonSays: said("heat_alerts")) ? "unknown" : heatAlert)
        let advisory = alerts?["thunder_advisory"] as? Bool == true
        gauge("venueguard_thunder_advisory", [], advisory ? 1
              : officialFetched.thunderAdvisoryNotKnown(daemonSays: said("thunder_advisory")) ? .nan : 0)
        gauge("venueguard_problems", [], Double((state["problems"] as? [Any])?.count ?? 0))
        for (source, value) in (state["official"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let feed = value as? [String: Any] else { continue }
            let labels = [("source", String(source.prefix(32)))]
            gauge("venueguard_official_known", labels, OfficialSourcesFetched.knownStates.contains(feed["state"] as? String ?? "") ? 1 : 0)
            // How old what is known is: since its last confirmation, or since it was last known.
            let time = (feed["as_of"] as? String ?? feed["since"] as? String).flatMap(ISO8601Time.parse)?.time.secondsSince1970
            gauge("venueguard_official_age_seconds", labels, time.map { max(0, now - $0) } ?? .nan)
        }
    }

    private func parts(_ parts: PartCounters) {
        if let notifications = parts.notifications {
            // The configured channels only (their names are fixed words: line, slack, webhook).
            for channel in Set(parts.notificationChannels).sorted() {
                let labels = [("channel", String(channel.prefix(32)))]
                count("venueguard_notifications_delivered_total", labels, Int64(notifications.delivered[channel] ?? 0))
                count("venueguard_notifications_retried_total", labels, Int64(notifications.retried[channel] ?? 0))
                count("venueguard_notifications_failed_total", labels, Int64(notifications.failed[channel] ?? 0))
            }
        }
        if let refused = parts.regionalRefused { count("venueguard_regional_refused_messages_total", [], Int64(refused)) }
        if let unreadable = parts.recordsUnreadableLines { count("venueguard_records_unreadable_lines_total", [], Int64(unreadable)) }
        if let written = parts.recordsRowsWritten { count("venueguard_records_rows_written_total", [], Int64(written)) }
        if let failing = parts.recordsWriteFailing { gauge("venueguard_records_write_failing", [], failing ? 1 : 0) }
        if let open = parts.httpConnectionsOpen { gauge("venueguard_companion_http_connections", [], Double(open)) }
        if let peak = parts.httpConnectionsPeak { gauge("venueguard_companion_http_connections_peak", [], Double(peak)) }
        if let maximum = parts.httpConnectionsMaximum { gauge("venueguard_companion_http_connections_maximum", [], Double(maximum)) }
    }

    private func sensor(_ sensor: [String: Any]) {
        guard let id = sensor["sensor"] as? String else { return }
        let labels = [("sensor", String(id.prefix(64)))]
        let quality = sensor["quality"] as? String
        gauge("venueguard_sensor_ok", labels, quality == "ok" ? 1 : 0)
        stateSet("venueguard_sensor_quality", labels, key: "quality", states: ["ok", "stale", "faulted"], current: quality)
        for (reason, value) in (sensor["rejected"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            count("venueguard_sensor_rejected_total", labels + [("reason", String(reason.prefix(48)))], (value as? NSNumber)?.int64Value ?? 0)
        }
    }
}
