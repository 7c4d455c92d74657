import Foundation
import Logging
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardFeeds

/// The companion service's work: polls the official feeds for the site's area, judges what it
/// fetched (VenueGuardFeeds), hands the safety daemon the validated alert and advisory inputs
/// over `DaemonChannelClient`, and writes what it knows (and since when it does not) to its
/// state file for `venueguard status`, the page and the notifications.
///
/// Polling etiquette (FEEDS.md): the Ministry's alert files once per `poll_interval`, each
/// issuance fetched once when found; the JMA's Atom feed once a minute at about :20 s with
/// `If-Modified-Since`, each warning document downloaded once; the long feed only on the first
/// poll, to learn an advisory issued before the box started.
public actor CompanionService {
    /// Where the documents come from (tests point these at a local server).
    public struct Endpoints: Sendable {
        /// The Ministry of the Environment's heat-illness site, ending in `/`.
        public var environmentBase: String
        /// The JMA's Atom feed (short: the last minutes).
        public var jmaFeed: String
        /// The JMA's long Atom feed (the last days), read once at start.
        public var jmaLongFeed: String

        /// The official services.
        public static let official = Endpoints(environmentBase: HeatAlertIssuance.baseURL,
                                               jmaFeed: "https://www.data.jma.go.jp/developer/xml/feed/extra.xml",
                                               jmaLongFeed: "https://www.data.jma.go.jp/developer/xml/feed/extra_l.xml")

        /// Endpoints with the given bases.
        public init(environmentBase: String, jmaFeed: String, jmaLongFeed: String) {
            self.environmentBase = environmentBase
            self.jmaFeed = jmaFeed
            self.jmaLongFeed = jmaLongFeed
        }
    }

    /// Counters, for the state file and the logs.
    public struct Counters: Sendable, Equatable {
        /// HTTP requests made.
        public var requests = 0
        /// Documents refused (malformed, stale, wrong area…).
        public var feedFaults = 0
        /// Requests that failed (no reply, 5xx…).
        public var fetchFailures = 0
        /// Inputs the daemon's socket took.
        public var inputsSent = 0
        /// Inputs the daemon's socket did not take (daemon stopped).
        public var inputsUnsent = 0
    }

    private let official: OfficialFeedsConfiguration
    private let endpoints: Endpoints
    private let http: FeedHTTPClient
    private let channel: DaemonChannelClient
    private let stateFile: String?
    private let clock: @Sendable () -> Timestamp
    private let logger: Logger

    private var heat = HeatAlertState()
    private var thunder = ThunderAdvisoryState()
    private var forecast: WBGTForecastSummary?
    private var forecastProblem: String?
    /// When the forecast was last fetched or confirmed unchanged.
    private var forecastConfirmed: WallClockTime?
    /// The latest hours of the official estimate (実況推定値), sent to the daemon every round.
    private var estimates: [WBGTEstimateCSV.Sample] = []
    private var estimateLastModified: (month: String, value: String)?
    /// How many of the latest estimate hours are sent (a restarted daemon learns them at once).
    public static let estimateHoursSent = 3
    private var fetchedIssuances: Set<HeatAlertIssuance> = []
    private var fetchedDocuments: [String] = []
    private var feedLastModified: String?
    private var forecastLastModified: String?
    /// When the JMA feed was last read (200 or 304); after a gap the long feed is read again.
    private var lastFeedRead: MonotonicInstant?
    /// When the short feed last changed (a 200); 304s for longer than `feedStall` mean it stalled.
    private var lastFeedChange: MonotonicInstant?
    /// A warning document that could not be read: it stays a fault until a newer one is read.
    private var documentFault: (fault: FeedFault, updated: WallClockTime)?
    private var thunderWasInForce = false
    /// JMA feed fetches that failed in a row (for the log's rate).
    private var feedFailuresInARow = 0
    /// Whether writing the state file failed last time (logged once per failure spell).
    private var stateWriteFailed = false
    /// The short feed covers about the last 10 minutes: a longer gap needs the long one.
    static let feedGap = Duration.seconds(8 * 60)
    /// The short feed is rewritten every minute: unchanged this long, delivery has stalled.
    static let feedStall = Duration.seconds(10 * 60)
    private var lastHeatPoll: Timestamp?
    private var lastForecastPoll: Timestamp?
    /// What the service has counted so far.
    public private(set) var counters = Counters()

    /// A service for `official`; `clock` gives the time (tests fix it).
    public init(official: OfficialFeedsConfiguration, endpoints: Endpoints = .official, http: FeedHTTPClient,
                channel: DaemonChannelClient, stateFile: String?, logger: Logger,
                clock: @escaping @Sendable () -> Timestamp) {
        self.official = official
        self.endpoints = endpoints
        self.http = http
        self.channel = channel
        self.stateFile = stateFile
        self.logger = logger
        self.clock = clock
    }

    /// Runs until cancelled: one thunder poll a minute (at about :20 s), heat alerts and the
    /// forecast every `poll_interval`.
    public func run() async {
        while !Task.isCancelled {
            await pollOnce()
            let now = Date().timeIntervalSince1970
            let second = now.truncatingRemainder(dividingBy: 60)
            // At least once a minute: the daemon hears what is known (and that the companion is alive).
            let wait = official.thunderMunicipality == nil ? 60 : (second < 20 ? 20 - second : 80 - second)
            try? await Task.sleep(for: .seconds(max(1, wait)))
        }
    }

    /// One round: whatever is due is fetched and judged, the daemon is told, the state written.
    public func pollOnce() async {
        let now = clock()
        notCheckedLastPoll = []
        if official.heatAlertArea != nil, lastHeatPoll.map({ now.monotonic - $0.monotonic >= official.pollInterval - .seconds(1) }) ?? true {
            lastHeatPoll = now
            await pollHeatAlerts(now: now)
        }
        if official.thunderMunicipality != nil { await pollThunder(now: now) }
        if official.wbgtPoint != nil, lastForecastPoll.map({ now.monotonic - $0.monotonic >= official.pollInterval - .seconds(1) }) ?? true {
            lastForecastPoll = now
            await pollForecast(now: now)
            await pollEstimate(now: now)
        }
        // Stopped mid-fetch: what was cut short is not a feed fault; nothing is reported.
        guard !Task.isCancelled else { return }
        tellDaemon(now: now)
        writeState(now: now)
    }

    /// The configured feeds the last poll did not ask for, and why (out of season), one line each:
    /// `--once` says so, since a code that was not asked for was not checked.
    public private(set) var notCheckedLastPoll: [String] = []

    /// The heat alert status now (for tests and the state file).
    public func heatStatus() -> HeatAlertStatus { heat.status(at: clock()) }
    /// The thunder advisory now.
    public func thunderStatus() -> ThunderAdvisoryNow { thunder.status(at: clock()) }
    /// The last forecast summary.
    public func forecastSummary() -> WBGTForecastSummary? { forecast }

    // MARK: - Heat alerts

    private func pollHeatAlerts(now: Timestamp) async {
        guard let area = official.heatAlertArea else { return }
        let jst = JSTDateTime(now.wall)
        guard heat.policy.season.contains(jst.date) || heat.policy.season.contains(jst.date.adding(days: -1)) else {
            notCheckedLastPoll.append("heat alerts for area \(area): not asked, out of season (the Ministry publishes them from late April to late October)")
            return
        }
        for issuance in HeatAlertIssuance.candidates(at: jst) {
            // Each issuance is fetched once: once found, the newest is known and older ones add nothing.
            if fetchedIssuances.contains(issuance) { return }
            counters.requests += 1
            switch await http.get(endpoints.environmentBase + issuance.path) {
            case let .document(data, _):
                do throws(FeedFault) {
                    let document = try HeatAlertCSV.parse(data)
                    let judgement = try HeatAlertJudgement.judge(document, requested: issuance, areaCode: area, now: jst, policy: heat.policy)
                    heat.record(judgement, at: now)
                    fetchedIssuances.insert(issuance)
                    if fetchedIssuances.count > 64 { fetchedIssuances = Set(fetchedIssuances.sorted().suffix(32)) }
                    logger.info("heat alerts: \(issuance) for \(judgement.areaName) (\(area)): today \(judgement.day1), tomorrow \(judgement.day2)")
                } catch {
                    counters.feedFaults += 1
                    // Refused documents are not asked for again (the service's etiquette).
                    fetchedIssuances.insert(issuance)
                    if error.kind == .stale, let document = try? HeatAlertCSV.parse(data),
                       let older = try? HeatAlertJudgement.judge(document, requested: issuance, areaCode: area,
                                                                 now: issuance.reportTime.adding(seconds: 60), policy: heat.policy) {
                        // An older issuance still says what it said: recording it can only raise
                        // the floor; the newest issuance stays "not known".
                        heat.record(older, at: now)
                    }
                    heat.recordFault(error, at: now)
                    logger.warning("heat alerts: \(issuance.fileName) refused: \(error)")
                }
                return
            case .notModified:
                return
            case .notFound:
                continue  // not (yet) published: try the one before
            case let .failed(why):
                guard !Task.isCancelled else { return }
                counters.fetchFailures += 1
                heat.recordFault(FeedFault(.unreachable, .heatAlertCSV, "\(issuance.fileName): \(why)"), at: now)
                logger.warning("heat alerts: \(issuance.fileName) could not be fetched: \(why)")
                return
            }
        }
    }

    // MARK: - Thunder advisories

    private func pollThunder(now: Timestamp) async {
        guard let municipality = official.thunderMunicipality, let office = official.jmaOffice else { return }
        // The short feed covers the last minutes: at start and after a gap the long one is read.
        let long = lastFeedRead.map { now.monotonic - $0 > Self.feedGap } ?? true
        let url = long ? endpoints.jmaLongFeed : endpoints.jmaFeed
        counters.requests += 1
        let outcome = await http.get(url, ifModifiedSince: long ? nil : feedLastModified)
        switch outcome {
        case .notModified:
            lastFeedRead = now.monotonic
            if let changed = lastFeedChange, now.monotonic - changed > Self.feedStall {
                thunder.recordFault(FeedFault(.stale, .jmaAtomFeed, "the JMA feed has not changed for \(Int((now.monotonic - changed).seconds / 60)) minutes (it is rewritten every minute)"), at: now)
            } else {
                thunder.recordConfirmation(at: now)
                if let documentFault { thunder.recordFault(documentFault.fault, at: now) }
            }
            return
        case .notFound, .failed:
            counters.fetchFailures += 1
            let why = { if case let .failed(text) = outcome { return text } else { return "HTTP 404" } }()
            guard !Task.isCancelled else { return }
            thunder.recordFault(FeedFault(.unreachable, .jmaAtomFeed, why), at: now)
            // The first failure at once, then one line an hour while it lasts (not 1,440 a day).
            feedFailuresInARow += 1
            if feedFailuresInARow == 1 || feedFailuresInARow % 60 == 0 {
                logger.warning("thunder advisories: the JMA feed could not be fetched (\(feedFailuresInARow) time(s) in a row): \(why)")
            }
            return
        case let .document(data, lastModified):
            let feed: JMAAtomFeed
            do throws(FeedFault) {
                feed = try JMAAtomFeed.parse(data)
                try feed.checkCurrent(now: now.wall, maximumAge: .seconds(15 * 60))
            } catch {
                counters.feedFaults += 1
                thunder.recordFault(error, at: now)
                logger.warning("thunder advisories: feed refused: \(error)")
                return
            }
            if feedFailuresInARow > 0 { logger.notice("thunder advisories: the JMA feed is read again after \(feedFailuresInARow) failure(s)") }
            feedFailuresInARow = 0
            lastFeedRead = now.monotonic
            lastFeedChange = now.monotonic
            if !long { feedLastModified = lastModified }
            thunder.recordConfirmation(at: now)
            // The new system's documents only (VPWW61, その他の注意報), oldest first so that the
            // newest report is recorded last.
            let entries = feed.warningEntries(kinds: [.vpww61], officeCodes: [office], limit: 20)
            if let documentFault, entries.contains(where: { $0.updated > documentFault.updated && !fetchedDocuments.contains($0.key) }) {
                self.documentFault = nil
            }
            for entry in entries.reversed() where !fetchedDocuments.contains(entry.key) {
                fetchedDocuments.append(entry.key)
                if fetchedDocuments.count > 500 { fetchedDocuments.removeFirst(fetchedDocuments.count - 500) }
                // Links are followed only to the JMA's own data host (or the configured feed's).
                guard entry.link.hasPrefix("https://www.data.jma.go.jp/") || entry.link.hasPrefix(Self.origin(of: endpoints.jmaFeed)) else {
                    counters.feedFaults += 1
                    documentFault = (FeedFault(.malformed, .jmaAtomFeed, "an entry links outside the JMA: \(entry.link.prefix(80))"), entry.updated)
                    continue
                }
                counters.requests += 1
                switch await http.get(entry.link) {
                case let .document(body, _):
                    do throws(FeedFault) {
                        let report = try JMAWarningDocument.parse(body).thunderAdvisory(municipality: municipality)
                        if thunder.record(report, at: now) {
                            logger.info("thunder advisory for \(municipality): \(report.statusText) (report \(JSTDateTime(report.reportTime)))")
                        }
                    } catch {
                        counters.feedFaults += 1
                        documentFault = (error, entry.updated)
                        logger.warning("thunder advisories: \(entry.link.suffix(80)) refused: \(error)")
                    }
                case .notModified:
                    break
                case .notFound:
                    counters.fetchFailures += 1
                    documentFault = (FeedFault(.unreachable, .jmaWarningXML, "\(entry.link.suffix(80)): HTTP 404"), entry.updated)
                case let .failed(why):
                    counters.fetchFailures += 1
                    // Not fetched after all: it is asked for again next minute.
                    fetchedDocuments.removeAll { $0 == entry.key }
                    documentFault = (FeedFault(.unreachable, .jmaWarningXML, why), entry.updated)
                }
            }
            if let documentFault { thunder.recordFault(documentFault.fault, at: now) }
        }
    }

    /// `scheme://host/` of `url`.
    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        return String(url[..<scheme.upperBound]) + (rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? "") + "/"
    }

    // MARK: - Forecast

    private func pollForecast(now: Timestamp) async {
        guard let point = official.wbgtPoint else { return }
        guard heat.policy.season.contains(JSTDateTime(now.wall).date) else {
            forecast = nil
            forecastProblem = "out of season (the forecast is published 22 April – 21 October)"
            notCheckedLastPoll.append("WBGT forecast for point \(point): not asked, out of season (published 22 April – 21 October)")
            return
        }
        counters.requests += 1
        switch await http.get(endpoints.environmentBase + "prev15WG/dl/yohou_\(point).csv", ifModifiedSince: forecastLastModified) {
        case let .document(data, lastModified):
            do throws(FeedFault) {
                forecast = try WBGTForecastCSV.parse(data).summary(point: point, now: JSTDateTime(now.wall))
                forecastProblem = nil
                forecastConfirmed = now.wall
                forecastLastModified = lastModified
            } catch {
                counters.feedFaults += 1
                forecastProblem = error.description
            }
        case .notModified:
            if forecast != nil && forecastProblem == nil { forecastConfirmed = now.wall }
        case .notFound:
            forecastProblem = "no forecast published for point \(point) (out of season?)"
        case let .failed(why):
            counters.fetchFailures += 1
            forecastProblem = why
        }
    }

    // MARK: - The hourly estimate

    /// The month's estimate file for the point (`est15WG/dl/wbgt_<point>_<YYYYMM>.csv`), in
    /// season, asked with If-Modified-Since; its latest hours are kept for the daemon's
    /// comparison with the box's own outdoor WBGT. A fault keeps the hours already known.
    private func pollEstimate(now: Timestamp) async {
        guard let point = official.wbgtPoint else { return }
        let jst = JSTDateTime(now.wall)
        guard heat.policy.season.contains(jst.date) else { return }
        let month = String(jst.date.description.prefix(7).filter { $0 != "-" })  // YYYYMM
        counters.requests += 1
        let since = estimateLastModified.flatMap { $0.month == month ? $0.value : nil }
        switch await http.get(endpoints.environmentBase + "est15WG/dl/wbgt_\(point)_\(month).csv", ifModifiedSince: since) {
        case let .document(data, lastModified):
            do throws(FeedFault) {
                let csv = try WBGTEstimateCSV.parse(data, point: point)
                let limit = jst.adding(seconds: 600)  // never an hour ahead of the clock
                estimates = Array(csv.samples.filter { $0.celsius != nil && $0.time <= limit }.suffix(Self.estimateHoursSent))
                estimateLastModified = lastModified.map { (month, $0) }
            } catch {
                counters.feedFaults += 1
                logger.warning("WBGT estimate for point \(point) refused: \(error)")
            }
        case .notModified, .notFound:
            break
        case let .failed(why):
            counters.fetchFailures += 1
            logger.warning("WBGT estimate for point \(point) could not be fetched: \(why)")
        }
    }

    // MARK: - The daemon

    /// Sends the floors in force now. Alerts are sent again every round (a restarted daemon
    /// learns them within a round); an advisory's end is sent once, when the JMA lifts it.
    private func tellDaemon(now: Timestamp) {
        let status = heat.status(at: now)
        if status.alert != .none, let until = status.until, until.secondsSince1970 > now.wall.secondsSince1970 {
            send("alert", #"{"heat_alert":"\#(status.alert.rawValue)","until":"\#(JSTDateTime(until))"}"#)
        }
        let advisory = thunder.status(at: now)
        if advisory.inForce {
            // Renewed every minute; if the companion stops, the daemon lets it lapse after 3 h.
            let until = JSTDateTime(now.wall.adding(seconds: 3 * 3600))
            send("alert", #"{"thunder_advisory":true,"until":"\#(until)"}"#)
        } else if thunderWasInForce && advisory.status == .lifted {
            send("alert", #"{"thunder_advisory":false}"#)
        }
        thunderWasInForce = advisory.inForce
        // What is known about each source, every round: the daemon shows "not known since" on
        // its lamps' status, MQTT and Home Assistant, and takes silence as "not known" too.
        if official.heatAlertArea != nil { send("feed", Self.feedReport(.heatAlerts, status.availability)) }
        if official.thunderMunicipality != nil { send("feed", Self.feedReport(.thunderAdvisory, advisory.availability)) }
        if official.wbgtPoint != nil {
            send("feed", Self.feedReport(.forecast, forecastAvailability(now: now)))
            if let forecast, forecastProblem == nil, let report = Self.forecastReport(forecast) { send("forecast", report) }
            for sample in estimates {
                if let wbgt = sample.celsius, let point = official.wbgtPoint {
                    send("estimate", #"{"point":"\#(point)","hour":"\#(sample.time)","wbgt":\#(wbgt)}"#)
                }
            }
        }
    }

    /// The forecast's availability: out of season, known as of its last fetch, or not known.
    func forecastAvailability(now: Timestamp) -> FeedAvailability {
        if forecast == nil, now.wallClockSynchronized, !heat.policy.season.contains(JSTDateTime(now.wall).date) { return .outOfSeason }
        if forecast != nil, forecastProblem == nil, let confirmed = forecastConfirmed { return .known(asOf: JSTDateTime(confirmed)) }
        return .notKnown(since: forecastConfirmed.map(JSTDateTime.init), reason: forecastProblem ?? "no forecast read yet")
    }

    /// The `feed` report of `source`.
    static func feedReport(_ source: OfficialSource, _ availability: FeedAvailability) -> String {
        switch availability {
        case let .known(asOf): #"{"source":"\#(source.rawValue)","state":"known","as_of":"\#(asOf)"}"#
        case let .notKnown(since?, _): #"{"source":"\#(source.rawValue)","state":"not-known","since":"\#(since)"}"#
        case .notKnown(nil, _): #"{"source":"\#(source.rawValue)","state":"not-known"}"#
        case .outOfSeason: #"{"source":"\#(source.rawValue)","state":"out-of-season"}"#
        }
    }

    /// The `forecast` report (the shape `CompanionInputParser` takes).
    static func forecastReport(_ summary: WBGTForecastSummary) -> String? {
        struct Day: Encodable {
            var date: String
            var max_wbgt: Double?
            var level: String?
            var at_or_above: [String: [String]]
        }
        struct Report: Encodable {
            var point: String
            var generated: String
            var today: Day
            var tomorrow: Day
        }
        func day(_ d: WBGTForecastSummary.Day) -> Day {
            Day(date: d.date.description, max_wbgt: d.maximum.map { ($0 * 10).rounded() / 10 }, level: d.level?.rawValue,
                at_or_above: Dictionary(uniqueKeysWithValues: d.timesAtOrAbove.map { ($0.key.rawValue, $0.value.map(\.hourMinute)) }))
        }
        let report = Report(point: summary.point, generated: summary.generated.description, today: day(summary.today), tomorrow: day(summary.tomorrow))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) }
    }


    private func send(_ name: String, _ json: String) {
        do {
            try channel.send(name: name, json: json)
            counters.inputsSent += 1
        } catch {
            counters.inputsUnsent += 1
            if counters.inputsUnsent == 1 || counters.inputsUnsent % 60 == 0 {
                logger.warning("the safety daemon did not take an input (\(error)); it is sent again next round")
            }
        }
    }

    // MARK: - State file

    /// The companion's state document (`venueguard-companion/state/1`), shown by `venueguard status`.
    public func stateDocument(now: Timestamp) -> [String: Any] {
        let heatNow = heat.status(at: now)
        let thunderNow = thunder.status(at: now)
        var document: [String: Any] = [
            "schema": "venueguard-companion/state/1",
            "time": JSTDateTime(now.wall).description,
            "counters": ["requests": counters.requests, "feed_faults": counters.feedFaults, "fetch_failures": counters.fetchFailures,
                         "inputs_sent": counters.inputsSent, "inputs_unsent": counters.inputsUnsent],
        ]
        if let area = official.heatAlertArea {
            var h: [String: Any] = ["area": area, "alert": heatNow.alert.rawValue, "known": heatNow.availability.isKnown,
                                    "text_en": heatNow.availability.englishText(source: "heat alerts"),
                                    "text_ja": heatNow.availability.japaneseText(source: "熱中症警戒アラート"),
                                    "source": HeatAlertStatus.attribution]
            if let until = heatNow.until { h["until"] = JSTDateTime(until).description }
            if let tomorrow = heatNow.tomorrow { h["tomorrow"] = tomorrow.rawValue }
            document["heat_alerts"] = h
        }
        if let municipality = official.thunderMunicipality {
            var t: [String: Any] = ["municipality": municipality, "in_force": thunderNow.inForce, "known": thunderNow.availability.isKnown,
                                    "text_en": thunderNow.availability.englishText(source: "thunder advisories"),
                                    "text_ja": thunderNow.availability.japaneseText(source: "雷注意報"),
                                    "source": ThunderAdvisoryNow.attribution]
            if let status = thunderNow.status { t["status"] = status.rawValue }
            if let report = thunderNow.reportTime { t["report_time"] = JSTDateTime(report).description }
            document["thunder_advisory"] = t
        }
        if let point = official.wbgtPoint {
            var f: [String: Any] = ["point": point, "source": HeatAlertStatus.attribution]
            if let forecast {
                f["generated"] = forecast.generated.description
                for (key, day) in [("today", forecast.today), ("tomorrow", forecast.tomorrow)] {
                    var d: [String: Any] = ["date": day.date.description]
                    if let maximum = day.maximum { d["max_wbgt"] = maximum }
                    if let level = day.level { d["level"] = level.rawValue }
                    d["hours_at_or_above"] = Dictionary(uniqueKeysWithValues: day.timesAtOrAbove.map { ($0.key.rawValue, $0.value.map(\.hourMinute)) })
                    f[key] = d
                }
            }
            if let forecastProblem { f["problem"] = forecastProblem }
            document["forecast"] = f
        }
        return document
    }

    private func writeState(now: Timestamp) {
        guard let stateFile else { return }
        guard let data = try? JSONSerialization.data(withJSONObject: stateDocument(now: now), options: [.sortedKeys]) else { return }
        let temporary = stateFile + ".tmp"
        let written = FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o644])
            && rename(temporary, stateFile) == 0
        if !written && !stateWriteFailed { logger.error("cannot write the state file \(stateFile): venueguard status will not show the official feeds") }
        if written && stateWriteFailed { logger.notice("the state file \(stateFile) is written again") }
        stateWriteFailed = !written
    }
}
