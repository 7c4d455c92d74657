import Foundation
import Logging
import VenueGuardConfiguration

/// One minute of one area in the daily record.
public struct RecordRow: Sendable, Equatable {
    /// Minutes since the site's local midnight, 0…1439.
    public var minute: Int
    /// WBGT (or the dry-bulb temperature on the `dry-bulb` scale), °C; `nil` when not known.
    public var wbgt: Double?
    /// `wbgt` or `dry-bulb`; `nil` when not known.
    public var scale: String?
    /// The area's heat level (`safe` … `stop`, `unknown`), or `no-data` while the daemon was not running.
    public var heatLevel: String
    /// The area's overall status (with lightning and alert stops), or `no-data`.
    public var status: String
    /// How WBGT was worked out (`measured`, `globe`, …), when it was.
    public var method: String?
    /// The lightning state (`clear`, `watch`, `danger`, `unknown`), or `no-data`.
    public var lightning: String
    /// The distance of a strike first seen in this minute, km.
    public var strikeKm: Double?
    /// `none`, `alert` or `special-alert`; `unknown` while the daemon ran but the official heat
    /// alerts were not known (and none was in force), `no-data` while the daemon was not running.
    public var heatAlert: String
    /// Whether a thunder advisory was in force; `nil` when not known (written `unknown`, or
    /// `no-data` while the daemon was not running).
    public var thunderAdvisory: Bool?
    /// The daemon: `running`, `stopped`, `stale` or `missing`.
    public var daemon: String

    /// The CSV header.
    public static let header = "time,wbgt_c,scale,heat_level,status,method,lightning,strike_km,heat_alert,thunder_advisory,daemon"

    static let levelWords: Set<String> = ["safe", "caution", "warning", "severe", "stop", "unknown", "no-data"]
    static let lightningWords: Set<String> = ["clear", "watch", "danger", "unknown", "no-data"]
    static let heatAlertWords: Set<String> = ["none", "alert", "special-alert", "unknown", "no-data"]
    static let methods: Set<String> = ["measured", "iso7243", "globe", "liljegren", "moe-regression", "indoor-chart", "temperature-only"]

    /// The row as a CSV line for `date` (YYYY-MM-DD) at UTC offset `offset` (`+09:00`).
    func csv(date: String, offset: String) -> String {
        let time = String(format: "%@T%02d:%02d%@", date, minute / 60, minute % 60, offset)
        let number: (Double?) -> String = { $0.map { String(format: "%.1f", $0) } ?? "" }
        // No state at all (the daemon down, or up without an evaluation yet) is no-data, like heat_alert.
        let advisory = thunderAdvisory.map { $0 ? "true" : "false" } ?? (heatAlert == "no-data" ? "no-data" : "unknown")
        return [time, number(wbgt), scale ?? "", heatLevel, status, method ?? "", lightning, number(strikeKm), heatAlert,
                advisory, daemon].joined(separator: ",")
    }

    /// Reads a line this recorder wrote; `nil` for anything else (counted by the caller).
    static func parse(_ line: Substring) -> RecordRow? {
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 11, f[0].count >= 16 else { return nil }
        let clock = f[0].dropFirst(11).prefix(5)
        guard clock.count == 5, let hour = Int(clock.prefix(2)), let min = Int(clock.suffix(2)), (0..<24).contains(hour), (0..<60).contains(min)
        else { return nil }
        func number(_ text: String, _ range: ClosedRange<Double>) -> Double?? {
            if text.isEmpty { return .some(nil) }
            guard let value = Double(text), range.contains(value) else { return nil }
            return .some(value)
        }
        guard let wbgt = number(f[1], -40...70), let strike = number(f[7], 0...100),
              ["", "wbgt", "dry-bulb"].contains(f[2]), levelWords.contains(f[3]), levelWords.contains(f[4]),
              f[5].isEmpty || methods.contains(f[5]), lightningWords.contains(f[6]),
              Self.heatAlertWords.contains(f[8]), ["true", "false", "unknown", "no-data"].contains(f[9]),
              ["running", "stopped", "stale", "missing"].contains(f[10])
        else { return nil }
        return RecordRow(minute: hour * 60 + min, wbgt: wbgt, scale: f[2].isEmpty ? nil : f[2], heatLevel: f[3], status: f[4],
                         method: f[5].isEmpty ? nil : f[5], lightning: f[6], strikeKm: strike, heatAlert: f[8],
                         thunderAdvisory: f[9] == "true" ? true : f[9] == "false" ? false : nil, daemon: f[10])
    }
}

/// The club's daily safety log: one row a minute per area (WBGT, level, method, lightning,
/// alerts, whether the daemon was running), kept as one CSV per area per day under
/// `<directory>/<area>/<YYYY-MM-DD>.csv` for `keepDays` days.
///
/// Writes are batched to spare the SD card: rows wait in memory and are appended every
/// `flushInterval` (default 10 min), at the day's end and when the service stops, so a power
/// cut loses at most that interval of the record (the lamps and the daemon lose nothing). A
/// write that fails (disk full) keeps the rows for the next attempt until the day ends; what is
/// still unwritten then, or at stop, is lost and logged with its count.
/// On start, today's files are read back, so the page's curve survives a restart.
public actor DailyRecorder {
    /// A day's summary for the records table.
    public struct DaySummary: Sendable, Equatable {
        /// The area.
        public var area: String
        /// YYYY-MM-DD.
        public var date: String
        /// The day's highest WBGT, °C.
        public var maximum: Double?
        /// The day's highest heat level.
        public var highestLevel: String
        /// Minutes at `severe` or above.
        public var minutesSevereOrAbove: Int
        /// Minutes of lightning danger.
        public var minutesLightningDanger: Int
        /// Minutes without the daemon.
        public var minutesWithoutData: Int
        /// Rows in all.
        public var rows: Int
    }

    private let directory: String
    private let keepDays: Int
    private let utcOffsetSeconds: Int
    private let flushInterval: Double
    private let logger: Logger
    private var day: String?
    private var today: [String: [RecordRow]] = [:]
    private var pending: [String: [RecordRow]] = [:]
    private var lastFlush: Double?
    /// The minutes of `day` already recorded (read back or recorded here): each once. A set, not
    /// the latest: a row from the future (a damaged file, a wall clock stepped back) must not
    /// stop the record until that time comes round.
    private var recordedMinutes = Set<Int>()
    private var lastStrikeTime: String?
    private var knownAreas: [String] = []
    private var writeFailing = false
    /// Lines in today's files that could not be read back.
    public private(set) var unreadableLines = 0
    /// Rows appended to files.
    public private(set) var rowsWritten = 0
    /// File writes (appends), for the SD-card budget.
    public private(set) var fileWrites = 0
    /// Whether the last attempt to append rows failed (the rows wait in memory).
    public var isWriteFailing: Bool { writeFailing }
    /// Changes each time a row is added (the page redraws its curves).
    public private(set) var version = 0

    /// Which official sources the companion is configured to fetch: the daemon's state must
    /// then say each is known, else the minute's alert is recorded as `unknown`.
    private let officialFetched: OfficialSourcesFetched

    /// A recorder writing under `directory`; `officialFetched` names the official sources the
    /// companion fetches (a daemon state that does not say them known records `unknown`).
    public init(directory: String, keepDays: Int, utcOffsetSeconds: Int, flushInterval: Double = 600,
                officialFetched: OfficialSourcesFetched = OfficialSourcesFetched(nil), logger: Logger) {
        self.officialFetched = officialFetched
        self.directory = directory
        self.keepDays = max(1, keepDays)
        self.utcOffsetSeconds = utcOffsetSeconds
        self.flushInterval = flushInterval
        self.logger = logger
    }

    /// The local date (YYYY-MM-DD) and minute of the day of `unix` at the site's offset.
    public nonisolated func localMinute(_ unix: Double) -> (date: String, minute: Int) {
        let local = Int((unix + Double(utcOffsetSeconds)).rounded(.down))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let minute = (local - days * 86_400) / 60
        let date = Date(timeIntervalSince1970: Double(days) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return (String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!), minute)
    }

    var offsetText: String {
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let a = abs(utcOffsetSeconds)
        return String(format: "%@%02d:%02d", sign, a / 3600, (a % 3600) / 60)
    }

    /// An area id usable as a folder name (the daemon's ids are `[A-Za-z0-9_-]{1,64}`; anything
    /// else is not written).
    static func isSafeName(_ id: String) -> Bool {
        (1...64).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
    }

    /// Records the minute of `unix` from the daemon's file (once per minute; later calls in the
    /// same minute do nothing).
    public func record(_ snapshot: DaemonSnapshot?, freshness: DaemonFreshness, at unix: Double) {
        let (date, minute) = localMinute(unix)
        if day != date { startDay(date, at: unix) }
        guard recordedMinutes.insert(minute).inserted else { return }
        let live = freshness.isLive
        let daemon: String = switch freshness {
        case .running: "running"
        case .stopped: "stopped"
        case .stale: "stale"
        case .missing: "missing"
        }
        let state = live ? snapshot?.state : nil
        if state != nil, let snapshot { knownAreas = snapshot.orderedAreas.map(\.id).filter(Self.isSafeName) }
        var strike: Double?
        // The state names the last strike only: one strike per minute is recorded (the nearest
        // distance matters for the rules, and the timeline shows it), and only a recent one (an
        // hours-old strike seen at start is not today's news).
        if let state, let time = state.lightning.lastStrikeTime, time != lastStrikeTime {
            // Judged on the daemon's own clock (a scenario's is not the wall clock).
            if let at = Self.unixTime(time), let now = Self.unixTime(state.time), now - at <= 120 {
                strike = state.lightning.lastStrikeKm.map { min(max($0, 0), 100) }
            }
            lastStrikeTime = time
        }
        // An alert the daemon holds is recorded as it is; "none" only when the official source
        // (if configured) was known: a feed that is down is not "no alert".
        let heatAlert: String, advisory: Bool?
        if let state {
            // Not known: the daemon says so, or says nothing of a source the companion fetches
            // (it could not reach the daemon's channel, say).
            let heatNotKnown = officialFetched.heatAlertsNotKnown(daemonSays: state.official?.heatAlerts?.state)
            heatAlert = state.alerts.heatAlert == "none" && heatNotKnown ? "unknown" : state.alerts.heatAlert
            let thunderNotKnown = officialFetched.thunderAdvisoryNotKnown(daemonSays: state.official?.thunderAdvisory?.state)
            advisory = !state.alerts.thunderAdvisory && thunderNotKnown ? nil : state.alerts.thunderAdvisory
        } else {
            heatAlert = "no-data"
            advisory = nil
        }
        for id in knownAreas {
            let area = state?.areas[id]
            let wbgt = area?.wbgt.flatMap { (-40...70).contains($0) ? $0 : nil }
            let row = RecordRow(minute: minute, wbgt: wbgt, scale: wbgt == nil ? nil : area?.scale, heatLevel: area.map(\.heatLevel) ?? "no-data",
                                status: area.map(\.status) ?? "no-data", method: wbgt == nil ? nil : area?.wbgtMethod,
                                lightning: state?.lightning.state ?? "no-data", strikeKm: strike, heatAlert: heatAlert,
                                thunderAdvisory: advisory, daemon: daemon)
            // In time order even if the wall clock stepped back (the curve is drawn in order).
            var rows = today[id, default: []]
            rows.insert(row, at: rows.lastIndex { $0.minute <= minute }.map { $0 + 1 } ?? 0)
            today[id] = rows
            pending[id, default: []].append(row)
        }
        version += 1
        if let lastFlush, unix - lastFlush < flushInterval { return }
        flush(at: unix)
    }

    /// Seconds since 1970 of an ISO 8601 time with an offset (the state's times).
    static func unixTime(_ text: String) -> Double? {
        ISO8601Time.parse(text)?.time.secondsSince1970
    }

    /// Today's rows for `area`, in time order.
    public func rows(area: String) -> [RecordRow] { today[area] ?? [] }

    /// The areas recorded today.
    public func areas() -> [String] { knownAreas.isEmpty ? today.keys.sorted() : knownAreas }

    /// Writes what is waiting as the service stops, and says in the log how many rows could not
    /// be written and are lost (a failing disk must not lose the record silently).
    public func finish() {
        flush()
        let lost = pending.values.reduce(0) { $0 + $1.count }
        if lost > 0 {
            logger.error("records: \(lost) rows of \(day ?? "today") could not be written and are lost as the service stops (areas: \(pending.filter { !$0.value.isEmpty }.keys.sorted().joined(separator: ", ")))")
        }
    }

    /// Writes what is waiting (called at intervals, at the day's end and at stop).
    public func flush(at unix: Double? = nil) {
        if let unix { lastFlush = unix }
        guard let day else { return }
        var failed = false
        for (area, rows) in pending where !rows.isEmpty {
            do {
                try append(rows, area: area, date: day)
                pending[area] = []
            } catch {
                failed = true
                if !writeFailing { logger.error("records: cannot write \(area)/\(day).csv: \(error); rows wait in memory") }
                // At most a day's rows wait: beyond that the oldest go (the curve still has them today).
                if rows.count > 1440 { pending[area] = Array(rows.suffix(1440)) }
            }
        }
        if writeFailing && !failed { logger.notice("records: writing again") }
        writeFailing = failed
    }

    private func path(area: String, date: String) -> String { "\(directory)/\(area)/\(date).csv" }

    private func append(_ rows: [RecordRow], area: String, date: String) throws {
        guard Self.isSafeName(area) else { return }
        let folder = "\(directory)/\(area)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = path(area: area, date: date)
        var text = FileManager.default.fileExists(atPath: file) ? "" : RecordRow.header + "\n"
        for row in rows { text += row.csv(date: date, offset: offsetText) + "\n" }
        if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
        // The thrown error names the real cause (no space, too many open files, permission).
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        rowsWritten += rows.count
        fileWrites += 1
    }

    private func startDay(_ date: String, at unix: Double) {
        if let previous = day {
            flush(at: unix)
            let lost = pending.values.reduce(0) { $0 + $1.count }
            if lost > 0 {
                logger.error("records: \(lost) rows of \(previous) could not be written by the day's end and are lost (areas: \(pending.filter { !$0.value.isEmpty }.keys.sorted().joined(separator: ", ")))")
            }
        }
        day = date
        today = [:]
        pending = [:]
        recordedMinutes = []
        loadDay(date)
        prune(today: date)
    }

    /// Reads `date`'s files back (after a restart), refusing what this recorder would not write.
    private func loadDay(_ date: String) {
        guard let areas = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for area in areas.sorted() where Self.isSafeName(area) {
            let file = path(area: area, date: date)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int else { continue }
            guard size <= 2 << 20, let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                logger.warning("records: \(file) is not a record this service wrote; left alone")
                continue
            }
            var rows: [RecordRow] = []
            for line in text.split(separator: "\n").dropFirst() {
                if line.hasPrefix(date), let row = RecordRow.parse(line) { rows.append(row) } else { unreadableLines += 1 }
            }
            today[area] = rows.enumerated().sorted { ($0.element.minute, $0.offset) < ($1.element.minute, $1.offset) }.map(\.element)
            if !knownAreas.contains(area) { knownAreas.append(area) }
            recordedMinutes.formUnion(rows.map(\.minute))
        }
    }

    /// Removes day files older than `keepDays` (today counts as one).
    private func prune(today date: String) {
        guard let areas = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        guard let todayDate = formatter.date(from: date) else { return }
        let oldest = todayDate.addingTimeInterval(-Double(keepDays - 1) * 86_400)
        for area in areas where Self.isSafeName(area) {
            let folder = "\(directory)/\(area)"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".csv") {
                let stem = String(name.dropLast(4))
                guard ISO8601Time.isCalendarDate(stem), let fileDate = formatter.date(from: stem), fileDate < oldest else { continue }
                do {
                    try FileManager.default.removeItem(atPath: "\(folder)/\(name)")
                    logger.info("records: removed \(area)/\(name) (kept \(keepDays) days)")
                } catch {
                    logger.warning("records: cannot remove \(area)/\(name): \(error)")
                }
            }
        }
    }

    /// Every stored day, newest first, summarised (reads the files; for the records page). Today
    /// is listed from memory, so rows that wait because a write failed are listed too.
    public func summaries() -> [DaySummary] {
        var result: [DaySummary] = []
        let areas = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for area in areas.sorted() where Self.isSafeName(area) {
            let folder = "\(directory)/\(area)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().reversed() where name.hasSuffix(".csv") {
                let date = String(name.dropLast(4))
                guard ISO8601Time.isCalendarDate(date) else { continue }
                let rows = date == day ? (today[area] ?? []) : (csvRows(area: area, date: date) ?? [])
                result.append(Self.summarise(rows, area: area, date: date))
            }
        }
        if let day {
            for (area, rows) in today where !rows.isEmpty && !result.contains(where: { $0.area == area && $0.date == day }) {
                result.append(Self.summarise(rows, area: area, date: day))
            }
        }
        return result.sorted { ($0.date, $1.area) > ($1.date, $0.area) }
    }

    /// The CSV text of a stored day (with rows still waiting), `nil` when there is none. Only
    /// rows this recorder would write are served, written out again: a line it cannot read (a
    /// foreign or damaged one, a spreadsheet formula) never reaches the download.
    public func csv(area: String, date: String) -> String? {
        guard Self.isSafeName(area), ISO8601Time.isCalendarDate(date) else { return nil }
        let rows = date == day ? today[area] : csvRows(area: area, date: date)
        guard let rows, !rows.isEmpty else { return nil }
        var text = RecordRow.header + "\n"
        for row in rows { text += row.csv(date: date, offset: offsetText) + "\n" }
        return text
    }

    private func csvRows(area: String, date: String) -> [RecordRow]? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path(area: area, date: date)))?[.size] as? Int, size <= 2 << 20,
              let text = try? String(contentsOfFile: path(area: area, date: date), encoding: .utf8) else { return nil }
        return text.split(separator: "\n").dropFirst().filter { $0.hasPrefix(date) }.compactMap(RecordRow.parse)
    }

    static func summarise(_ rows: [RecordRow], area: String, date: String) -> DaySummary {
        let order = ["no-data", "unknown", "safe", "caution", "warning", "severe", "stop"]
        let highest = rows.map(\.heatLevel).filter { $0 != "no-data" && $0 != "unknown" }.max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }
        return DaySummary(area: area, date: date, maximum: rows.compactMap(\.wbgt).max(), highestLevel: highest ?? "unknown",
                          minutesSevereOrAbove: rows.filter { $0.heatLevel == "severe" || $0.heatLevel == "stop" }.count,
                          minutesLightningDanger: rows.filter { $0.lightning == "danger" }.count,
                          minutesWithoutData: rows.filter { $0.daemon != "running" }.count, rows: rows.count)
    }
}
