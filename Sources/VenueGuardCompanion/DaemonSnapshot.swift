import Foundation

/// The safety daemon's state file (`/run/venueguard/state.json`, schema
/// `venueguard/daemon-state/1`) as the page reads it: the MQTT `state` payload, each sensor's
/// payload, the site's thresholds, and whether the daemon is running. Only what the page shows
/// is decoded; unknown fields are ignored (the file is the daemon's, not an input), and every
/// number shown is checked against physical bounds before use.
public struct DaemonSnapshot: Decodable, Sendable, Equatable {
    /// The site's facts the page draws with (`site_facts`).
    public struct SiteFacts: Decodable, Sendable, Equatable {
        /// Lower bounds of caution, warning, severe and stop, °C.
        public struct Thresholds: Decodable, Sendable, Equatable {
            /// `caution` as the daemon wrote it, °C.
            public var caution: Double
            /// `warning` as the daemon wrote it, °C.
            public var warning: Double
            /// `severe` as the daemon wrote it, °C.
            public var severe: Double
            /// `stop` as the daemon wrote it, °C.
            public var stop: Double

            /// The guideline's WBGT thresholds (21/25/28/31 °C).
            public static let standardWBGT = Thresholds(caution: 21, warning: 25, severe: 28, stop: 31)
            /// The guideline's dry-bulb thresholds (24/28/31/35 °C).
            public static let standardDryBulb = Thresholds(caution: 24, warning: 28, severe: 31, stop: 35)

            /// The four bounds in order.
            public var bounds: [Double] { [caution, warning, severe, stop] }
        }

        /// The lightning radii in force.
        public struct Lightning: Decodable, Sendable, Equatable {
            /// `danger_km` as the daemon wrote it.
            public var dangerKm: Double
            /// `watch_km` as the daemon wrote it.
            public var watchKm: Double
            /// `all_clear_s` as the daemon wrote it.
            public var allClearS: Int
        }

        /// `name` as the daemon wrote it.
        public var name: String
        /// `areas` as the daemon wrote it.
        public var areas: [String]
        /// `wbgt_thresholds` as the daemon wrote it.
        public var wbgtThresholds: Thresholds
        /// `dry_bulb_thresholds` as the daemon wrote it.
        public var dryBulbThresholds: Thresholds
        /// `lightning` as the daemon wrote it.
        public var lightning: Lightning
    }

    /// The venue (the MQTT `state` payload, schema `venueguard/state/1`).
    public struct State: Decodable, Sendable, Equatable {
        /// The `_area` shape of the file.
        public struct Area: Decodable, Sendable, Equatable {
            /// The `_input` shape of the file.
            public struct Input: Decodable, Sendable, Equatable {
                /// `value` as the daemon wrote it.
                public var value: Double
                /// `unit` as the daemon wrote it.
                public var unit: String
                /// `source` as the daemon wrote it.
                public var source: String
                /// `sensor` as the daemon wrote it.
                public var sensor: String?
            }

            /// `name` as the daemon wrote it.
            public var name: String
            /// `exposure` as the daemon wrote it.
            public var exposure: String
            /// `status` as the daemon wrote it.
            public var status: String
            /// `heat_level` as the daemon wrote it.
            public var heatLevel: String
            /// `wbgt` as the daemon wrote it, °C.
            public var wbgt: Double?
            /// `wbgt_method` as the daemon wrote it.
            public var wbgtMethod: String?
            /// `scale` as the daemon wrote it.
            public var scale: String?
            /// `ta` as the daemon wrote it, °C.
            public var ta: Double?
            /// `tg` as the daemon wrote it, °C.
            public var tg: Double?
            /// `tnw` as the daemon wrote it, °C.
            public var tnw: Double?
            /// `inputs` as the daemon wrote it.
            public var inputs: [String: Input]
            /// `reasons` as the daemon wrote it.
            public var reasons: [String]
        }

        /// The `_lightning` shape of the file.
        public struct Lightning: Decodable, Sendable, Equatable {
            /// `state` as the daemon wrote it.
            public var state: String
            /// `last_strike_km` as the daemon wrote it.
            public var lastStrikeKm: Double?
            /// `last_strike_time` as the daemon wrote it.
            public var lastStrikeTime: String?
        }

        /// The `_alerts` shape of the file.
        public struct Alerts: Decodable, Sendable, Equatable {
            /// `heat_alert` as the daemon wrote it.
            public var heatAlert: String
            /// `thunder_advisory` as the daemon wrote it.
            public var thunderAdvisory: Bool
        }

        /// The `_official_source` shape of the file.
        public struct OfficialSource: Decodable, Sendable, Equatable {
            /// `state` as the daemon wrote it.
            public var state: String
            /// `companion_silent` as the daemon wrote it.
            public var companionSilent: Bool
            /// `text_en` as the daemon wrote it.
            public var textEn: String
            /// `text_ja` as the daemon wrote it.
            public var textJa: String
        }

        /// The `_official` shape of the file.
        public struct Official: Decodable, Sendable, Equatable {
            /// `heat_alerts` as the daemon wrote it.
            public var heatAlerts: OfficialSource?
            /// `thunder_advisory` as the daemon wrote it.
            public var thunderAdvisory: OfficialSource?
            /// `forecast` as the daemon wrote it.
            public var forecast: OfficialSource?
        }

        /// The `_outputs` shape of the file.
        public struct Outputs: Decodable, Sendable, Equatable {
            /// `lamps` as the daemon wrote it.
            public var lamps: [String: String]
            /// `buzzer` as the daemon wrote it.
            public var buzzer: String
        }

        /// `time` as the daemon wrote it.
        public var time: String
        /// `clock_synchronized` as the daemon wrote it.
        public var clockSynchronized: Bool
        /// `status` as the daemon wrote it.
        public var status: String
        /// `heat_level` as the daemon wrote it.
        public var heatLevel: String
        /// `areas` as the daemon wrote it.
        public var areas: [String: Area]
        /// `lightning` as the daemon wrote it.
        public var lightning: Lightning
        /// `alerts` as the daemon wrote it.
        public var alerts: Alerts
        /// `official` as the daemon wrote it.
        public var official: Official?
        /// `reasons` as the daemon wrote it.
        public var reasons: [String]
        /// `problems` as the daemon wrote it.
        public var problems: [String]
        /// `outputs` as the daemon wrote it.
        public var outputs: Outputs
    }

    /// One sensor (the `sensors/<id>` payload, schema `venueguard/sensor/1`).
    public struct Sensor: Decodable, Sendable, Equatable {
        /// The `_value` shape of the file.
        public struct Value: Decodable, Sendable, Equatable {
            /// `value` as the daemon wrote it.
            public var value: Double
            /// `unit` as the daemon wrote it.
            public var unit: String
            /// `suspect` as the daemon wrote it.
            public var suspect: String?
        }

        /// `sensor` as the daemon wrote it.
        public var sensor: String
        /// `kind` as the daemon wrote it.
        public var kind: String
        /// `trust` as the daemon wrote it.
        public var trust: String
        /// `quality` as the daemon wrote it.
        public var quality: String
        /// `reason` as the daemon wrote it.
        public var reason: String?
        /// `values` as the daemon wrote it.
        public var values: [String: Value]
    }

    /// `running` as the daemon wrote it.
    public var running: Bool
    /// `stopped_because` as the daemon wrote it.
    public var stoppedBecause: String?
    /// `problems` as the daemon wrote it.
    public var problems: [String]?
    /// `site_facts` as the daemon wrote it.
    public var siteFacts: SiteFacts?
    /// `state` as the daemon wrote it.
    public var state: State?
    /// `sensors` as the daemon wrote it.
    public var sensors: [Sensor]?
    /// When the daemon wrote the file, seconds since 1970 (shown to people).
    public var writtenUnix: Double?
    /// `boot_id`: the boot the daemon wrote the file in.
    public var bootId: String?
    /// `boottime_ns`: CLOCK_BOOTTIME when the daemon wrote the file, nanoseconds.
    public var boottimeNs: Int64?

    /// The file's boot-clock stamp, when it has one.
    public var bootStamp: BootClockReading? {
        guard let bootId, let boottimeNs else { return nil }
        return BootClockReading(id: bootId, nanoseconds: boottimeNs)
    }

    /// The largest file read: the daemon's is a few kB.
    public static let maximumBytes = 1 << 20

    /// Decodes a state file's bytes.
    /// - Throws: `DecodingError` when the bytes are not a daemon state file.
    public static func decode(_ data: Data) throws -> DaemonSnapshot {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(DaemonSnapshot.self, from: data)
    }

    /// The areas in the site's order (the file's `site_facts.areas`, else by id).
    public var orderedAreas: [(id: String, area: State.Area)] {
        guard let areas = state?.areas else { return [] }
        let order = siteFacts?.areas ?? []
        let known = order.compactMap { id in areas[id].map { (id, $0) } }
        let rest = areas.keys.filter { !order.contains($0) }.sorted().map { ($0, areas[$0]!) }
        return known + rest
    }
}

/// Whether the daemon's view can be shown as the venue's now, judged the way the lamps are:
/// a stopped or silent daemon's last levels are not the venue's.
public enum DaemonFreshness: Sendable, Equatable {
    /// Running, its file rewritten within `staleAfter`.
    case running(ageSeconds: Double)
    /// It said it stopped (and why).
    case stopped(because: String?)
    /// The file says running but has not been rewritten for this long: hung or killed.
    case stale(ageSeconds: Double)
    /// No readable file: not started, or not this daemon's.
    case missing(why: String)

    /// The daemon rewrites its file at least every 5 s while it runs; older than this (three
    /// heartbeats), it is not up. `venueguard status` says "not updating" after 10 s.
    public static let staleAfter = 15.0

    /// Judges `snapshot` (or why there is none) at wall time `now` (seconds since 1970) and
    /// boot clock `boot` (`nil`: none to judge by): on the boot clock when the file has a stamp
    /// of this boot, as `venueguard status` does; a file of an earlier boot is stale, one that
    /// claims a time ahead of now cannot be believed.
    public static func judge(_ snapshot: Result<DaemonSnapshot, SnapshotProblem>, now: Double,
                             boot: BootClockReading? = nil) -> DaemonFreshness {
        switch snapshot {
        case let .failure(problem): return .missing(why: problem.description)
        case let .success(snapshot):
            guard snapshot.running else { return .stopped(because: snapshot.stoppedBecause) }
            switch age(writtenUnix: snapshot.writtenUnix, stamp: snapshot.bootStamp, now: now, boot: boot) {
            case let .seconds(age): return age <= staleAfter ? .running(ageSeconds: age) : .stale(ageSeconds: age)
            case let .earlierBoot(wallAge): return .stale(ageSeconds: wallAge)
            case .unbelievable: return .missing(why: "the state file's time cannot be believed: ahead of now or impossible (forged or damaged)")
            }
        }
    }

    /// How old a state file is.
    public enum FileAge: Sendable, Equatable {
        /// This old, seconds (on the boot clock when both sides have one, else on the wall clock).
        case seconds(Double)
        /// Written in an earlier boot; `wallAge` is its age on the wall clock (shown only).
        case earlierBoot(wallAge: Double)
        /// Claims a time ahead of now (more than 1 s on the boot clock, 5 s on the wall clock)
        /// or an impossible one (a negative boot time).
        case unbelievable
    }

    /// The age of a file stamped `writtenUnix` (wall, seconds since 1970; `nil`: none) and
    /// `stamp`, seen at wall time `now` and boot clock `boot`.
    public static func age(writtenUnix: Double?, stamp: BootClockReading?, now: Double, boot: BootClockReading?) -> FileAge {
        let wallAge = writtenUnix.map { now - $0 } ?? .infinity
        if let stamp, let boot {
            guard stamp.id == boot.id else { return .earlierBoot(wallAge: max(0, wallAge)) }
            // In Doubles: a forged stamp (Int64.min, …) cannot overflow the subtraction.
            let seconds = (Double(boot.nanoseconds) - Double(stamp.nanoseconds)) / 1e9
            guard stamp.nanoseconds >= 0, seconds >= -1 else { return .unbelievable }
            return .seconds(max(0, seconds))
        }
        return wallAge < -5 ? .unbelievable : .seconds(max(0, wallAge))
    }

    /// Whether the daemon's levels are the venue's now.
    public var isLive: Bool {
        if case .running = self { return true }
        return false
    }
}

/// Why there is no snapshot.
public enum SnapshotProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not there (the daemon never started, or `/run` was cleared).
    case noFile(String)
    /// The file is larger than any state file.
    case tooLarge(String)
    /// The file is not a daemon state file.
    case unreadable(String)

    /// One line for the page and the logs.
    public var description: String {
        switch self {
        case let .noFile(path): "\(path) does not exist"
        case let .tooLarge(path): "\(path) is larger than 1 MiB: not the daemon's"
        case let .unreadable(why): "unreadable: \(why)"
        }
    }

    /// Reads and decodes the state file at `path`.
    public static func read(_ path: String) -> Result<DaemonSnapshot, SnapshotProblem> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(.noFile(path)) }
        guard Int(info.st_size) <= DaemonSnapshot.maximumBytes else { return .failure(.tooLarge(path)) }
        // There but not readable by the companion (its files used up, permissions): said as
        // such, not as "does not exist".
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            return .failure(.unreadable("\(path) cannot be read: \(error.localizedDescription)".prefix(200).description))
        }
        do {
            return .success(try DaemonSnapshot.decode(data))
        } catch {
            return .failure(.unreadable("\(error)".prefix(200).description))
        }
    }
}
