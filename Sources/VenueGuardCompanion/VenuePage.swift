import Foundation
import Logging
import VenueGuardConfiguration
import VenueGuardFeeds

/// What the page shows, kept current: the daemon's state file is looked at once a second (a
/// `stat`; it is read only when it changed), judged for freshness the way the lamps are, and
/// recorded once a minute in the daily records. The page's live parts are rendered once per
/// change and language and shared by every open page, so many phones cost no more than one.
public actor VenuePage {
    /// What an open page needs to know to update itself.
    public struct Parts: Sendable {
        /// Changes whenever `live` does.
        public var liveVersion: Int
        /// The live part (status, reasons, areas, alerts).
        public var live: String
        /// Changes whenever `charts` does.
        public var chartsVersion: Int
        /// Today's curves.
        public var charts: String
    }

    private let site: CompanionSiteConfiguration
    private let daemonStateFile: String
    /// The daily records (`nil`: not kept).
    public let recorder: DailyRecorder?
    /// The notifications (`nil`: none configured).
    public let notifications: NotificationOutbox?
    private let forecast: @Sendable () async -> WBGTForecastSummary?
    private let wallClock: @Sendable () -> Double
    private let bootClock: @Sendable () -> BootClockReading?
    private var snapshot: DaemonSnapshot?
    private var freshness: DaemonFreshness = .missing(why: "not read yet")
    private var fileStamp: (modified: Date, size: Int)?
    private var version = 0
    private var chartsVersion = -1
    private var cache: [PageLanguage: (version: Int, live: String)] = [:]
    private var chartsCache: [PageLanguage: (version: Int, charts: String)] = [:]
    private var forecastNow: WBGTForecastSummary?
    private var lastFreshnessKind = ""
    /// Set at stop: open event streams end.
    public private(set) var stopping = false
    /// Open event streams.
    public private(set) var openStreams = 0
    /// The most event streams open at once; more are refused with 503.
    public static let maximumStreams = 32

    /// A page for `site`, reading `daemonStateFile`; the file's freshness is judged on
    /// `bootClock` when the file has a stamp of this boot, else on `wallClock`.
    public init(site: CompanionSiteConfiguration, daemonStateFile: String, recorder: DailyRecorder?,
                notifications: NotificationOutbox? = nil, forecast: @escaping @Sendable () async -> WBGTForecastSummary? = { nil },
                wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
                bootClock: @escaping @Sendable () -> BootClockReading? = { BootClockReading.now() }) {
        self.site = site
        self.daemonStateFile = daemonStateFile
        self.recorder = recorder
        self.notifications = notifications
        self.forecast = forecast
        self.wallClock = wallClock
        self.bootClock = bootClock
    }

    /// Area names by id, from the daemon's file.
    public func areaNames() -> [String: String] { snapshot?.state?.areas.mapValues(\.name) ?? [:] }

    /// The site's name (the daemon's, else the site file's).
    public var siteName: String { snapshot?.siteFacts?.name ?? site.siteName }

    /// Looks at the state file and records the minute; run once a second by `run()`.
    public func refresh() async {
        let now = wallClock(), boot = bootClock()
        // A plain stat(2): FileManager's attributes would look up the owner's name (reading
        // /etc/passwd and /etc/group) once a second.
        var info = stat()
        let stamp: (Date, Int)? = stat(daemonStateFile, &info) == 0
            ? (Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9), Int(info.st_size)) : nil
        var changed = false
        if stamp?.0 != fileStamp?.modified || stamp?.1 != fileStamp?.size {
            fileStamp = stamp.map { (modified: $0.0, size: $0.1) }
            let read = SnapshotProblem.read(daemonStateFile)
            snapshot = try? read.get()
            freshness = DaemonFreshness.judge(read, now: now, boot: boot)
            changed = true
        } else if let snapshot {
            freshness = DaemonFreshness.judge(.success(snapshot), now: now, boot: boot)
        } else {
            freshness = DaemonFreshness.judge(SnapshotProblem.read(daemonStateFile), now: now, boot: boot)
        }
        // A change of kind (running → stale) changes the page even when the file did not.
        let kind = switch freshness {
        case .running: "running"
        case .stopped: "stopped"
        case .stale: "stale"
        case .missing: "missing"
        }
        if kind != lastFreshnessKind { lastFreshnessKind = kind; changed = true }
        let newForecast = await forecast()
        if newForecast != forecastNow { forecastNow = newForecast; changed = true }
        if changed { version += 1 }
        await recorder?.record(snapshot, freshness: freshness, at: now)
        await notifications?.observe(VenueObservation.of(snapshot, freshness: freshness), at: now)
    }

    /// Refreshes once a second until cancelled or stopped, then writes the waiting records.
    public func run() async {
        while !Task.isCancelled && !stopping {
            await refresh()
            try? await Task.sleep(for: .seconds(1))
        }
        await recorder?.finish()
    }

    /// Ends the event streams and the refresh loop.
    public func stop() { stopping = true }

    private func view(_ language: PageLanguage) async -> StatusPage {
        var records: [(area: String, rows: [RecordRow])] = []
        if let recorder {
            for area in await recorder.areas() { records.append((area, await recorder.rows(area: area))) }
        }
        return StatusPage(snapshot: snapshot, freshness: freshness, siteName: snapshot?.siteFacts?.name ?? site.siteName,
                          utcOffsetSeconds: site.utcOffsetSeconds, emergency: site.emergency, forecast: forecastNow,
                          officialConfigured: site.official != nil, officialFetched: OfficialSourcesFetched(site.official), records: records, now: wallClock(), language: language)
    }

    /// The whole page in `language`.
    public func page(_ language: PageLanguage) async -> String {
        await view(language).page()
    }

    /// The live parts in `language`, rendered at most once per change.
    public func parts(_ language: PageLanguage) async -> Parts {
        let recordsVersion = await recorder?.version ?? 0
        if cache[language]?.version != version { cache[language] = (version, await view(language).live()) }
        let chartsKey = recordsVersion &* 1_000_003 &+ (snapshot?.siteFacts == nil ? 0 : 1)
        if chartsCache[language]?.version != chartsKey { chartsCache[language] = (chartsKey, await view(language).charts()) }
        return Parts(liveVersion: version, live: cache[language]!.live, chartsVersion: chartsKey, charts: chartsCache[language]!.charts)
    }

    /// The legend card at `size`, with the thresholds in force (the standard ones before the daemon ran).
    func legend(_ size: LegendCard.Size) -> String {
        let facts = snapshot?.siteFacts
        return LegendCard(size: size, siteName: facts?.name ?? site.siteName, wbgt: facts?.wbgtThresholds ?? .standardWBGT,
                          dryBulb: facts?.dryBulbThresholds ?? .standardDryBulb, allClearMinutes: (facts?.lightning.allClearS ?? 1800) / 60,
                          emergency: site.emergency).html()
    }

    /// Counts an event stream in; `false` when too many are open.
    func openStream() -> Bool {
        guard openStreams < Self.maximumStreams, !stopping else { return false }
        openStreams += 1
        return true
    }

    /// Counts an event stream out.
    func closeStream() { openStreams -= 1 }
}
