import Foundation
import Logging
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardMosquitto

/// Every venue on a regional broker at a glance (`/region`): the companion subscribes to
/// `<prefix>/+/state` and `<prefix>/+/status` (the boxes' availability, their MQTT will) and
/// keeps each venue's latest state. A venue is shown as its status in the lamps' colours with
/// its alerts and areas, and loudly as not current when its box says it is offline, or its
/// latest state is older than `staleAfter` (the boxes send it at least every `state_interval`,
/// 5 min by default), or the view itself has lost the regional broker.
///
/// Input from the broker is bounded: payloads over 64 KiB, topics whose site is not a site id,
/// states that do not decode are refused and counted; at most 1000 venues are kept.
public actor RegionalView {
    /// One venue as last heard.
    public struct Venue: Sendable {
        /// The site id (the topic's second level).
        public var site: String
        /// The latest state, when one decoded.
        public var state: DaemonSnapshot.State?
        /// The state's own time, seconds since 1970.
        public var stateTime: Double?
        /// The availability the box last published (`online`, `offline`), when any.
        public var availability: String?
    }

    private let broker: CompanionConfiguration.RegionalBroker
    private let password: String?
    private let logger: Logger
    private var venues: [String: Venue] = [:]
    private var connected = false
    private var lastProblem: String?
    /// Messages refused (too large, bad topic, not a state).
    public private(set) var refused = 0
    /// Subscriptions the broker granted since the start.
    public private(set) var subscriptionsGranted = 0
    /// A venue whose latest state is older than this is shown as not current, seconds.
    public static let staleAfter = 11.0 * 60
    static let maximumVenues = 1000

    /// A view of `broker`, logging in with `password` when given.
    public init(broker: CompanionConfiguration.RegionalBroker, password: String?, logger: Logger) {
        self.broker = broker
        self.password = password
        self.logger = logger
    }

    /// Connects, subscribes, and keeps the venues until cancelled.
    public func run() async {
        let settings = MQTTSettings(host: broker.host, port: broker.port, protocolVersion: .v5,
                                    clientID: "venueguard-region-\(UInt32.random(in: 0...UInt32.max))", cleanSession: true,
                                    username: broker.username, password: password)
        let client: MosquittoClient
        do {
            client = try MosquittoClient(settings: settings)
            try client.start()
        } catch {
            lastProblem = "\(error)"
            logger.error("regional view: cannot start the MQTT client for \(broker.host):\(broker.port): \(error)")
            return
        }
        logger.info("regional view: venues from \(broker.host):\(broker.port) under \(broker.topicPrefix)/+/state")
        for await events in client.events {
            if Task.isCancelled { break }
            for event in events { handle(event, client: client) }
        }
        client.stop()
    }

    private func handle(_ event: MQTTEvent, client: MosquittoClient) {
        switch event {
        case .connected:
            connected = true
            lastProblem = nil
            do {
                try client.subscribe("\(broker.topicPrefix)/+/state", qos: 1)
                try client.subscribe("\(broker.topicPrefix)/+/status", qos: 1)
            } catch {
                lastProblem = "subscribe: \(error)"
            }
        case let .refused(_, reason):
            connected = false
            lastProblem = "the broker refused the connection: \(reason)"
        case let .disconnected(_, reason):
            connected = false
            lastProblem = "disconnected: \(reason)"
        case let .message(topic, payload, _):
            take(topic: topic, payload: payload)
        case let .error(text):
            lastProblem = text
        case .subscribed:
            subscriptionsGranted += 1
        default:
            break
        }
    }

    /// Takes one message (public for tests that feed it without a broker).
    public func take(topic: String, payload: [UInt8]) {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.dropLast(2).joined(separator: "/") == broker.topicPrefix, payload.count <= 64 * 1024 else {
            refused += 1
            return
        }
        let site = String(parts[parts.count - 2])
        guard (1...64).contains(site.count), site.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }),
              venues[site] != nil || venues.count < Self.maximumVenues else {
            refused += 1
            return
        }
        var venue = venues[site] ?? Venue(site: site)
        switch parts.last {
        case "state":
            guard !payload.isEmpty else {
                venues[site] = nil  // a cleared retained state: the venue was removed
                return
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            guard let state = try? decoder.decode(DaemonSnapshot.State.self, from: Data(payload)) else {
                refused += 1
                return
            }
            venue.state = state
            venue.stateTime = DailyRecorder.unixTime(state.time)
        case "status":
            let text = String(decoding: payload.prefix(64), as: UTF8.self)
            venue.availability = text.contains("offline") ? "offline" : text.contains("online") ? "online" : venue.availability
        default:
            refused += 1
            return
        }
        venues[site] = venue
    }

    /// The venues, most urgent first (stop, unknown or not current, severe …), then by site.
    public func snapshot() -> (venues: [Venue], connected: Bool, problem: String?) {
        (Array(venues.values), connected, lastProblem)
    }

    /// The regional page at wall time `now`.
    public func page(_ language: PageLanguage, now: Double) -> String {
        RegionalPage(venues: Array(venues.values), connected: connected, problem: lastProblem, broker: "\(broker.host):\(broker.port)",
                     now: now, language: language).html()
    }
}

/// The regional page: one card per venue.
struct RegionalPage {
    var venues: [RegionalView.Venue]
    var connected: Bool
    var problem: String?
    var broker: String
    var now: Double
    var language: PageLanguage

    private func t(_ b: Bilingual) -> String { HTMLText.escape(b(language)) }

    /// Whether a venue's state is the venue's now.
    static func isCurrent(_ venue: RegionalView.Venue, now: Double) -> Bool {
        guard venue.availability != "offline", let time = venue.stateTime, venue.state != nil else { return false }
        return now - time <= RegionalView.staleAfter
    }

    static func urgency(_ venue: RegionalView.Venue, now: Double) -> Int {
        guard isCurrent(venue, now: now), let status = venue.state?.status else { return 5 }
        return ["stop": 6, "unknown": 5, "severe": 4, "warning": 3, "caution": 2, "safe": 1][status] ?? 5
    }

    func html() -> String {
        let sorted = venues.sorted { (Self.urgency($0, now: now), $1.site) > (Self.urgency($1, now: now), $0.site) }
        var cards = ""
        for venue in sorted {
            let current = Self.isCurrent(venue, now: now)
            let status = current ? venue.state?.status ?? "unknown" : "down"
            cards += "<section class=\"status s-\(HTMLText.escape(status))\"><h2>\(HTMLText.escape(venue.site))</h2>"
            if current, let state = venue.state {
                cards += "<p class=\"todo\"><strong>\(t(VenueWords.status(state.status)))</strong>"
                if state.lightning.state != "clear" { cards += " · \(t(VenueWords.lightning(state.lightning.state)))" }
                if state.alerts.heatAlert != "none" { cards += " · \(t(VenueWords.heatAlert(state.alerts.heatAlert)))" }
                if state.alerts.thunderAdvisory { cards += " · \(t(Bilingual("雷注意報", "thunder advisory")))" }
                cards += "</p><p class=\"small\">"
                for (_, area) in state.areas.sorted(by: { $0.key < $1.key }) {
                    cards += "\(HTMLText.escape(area.name)): \(t(VenueWords.status(area.heatLevel))) \(area.wbgt.map { "WBGT \(HTMLText.number($0)) °C" } ?? "") · "
                }
                cards += "</p>"
            } else {
                let why = venue.availability == "offline" ? Bilingual("本体がオフラインです", "the box is offline")
                    : venue.state == nil ? Bilingual("状態が届いていません", "no state received")
                    : Bilingual("状態が古いままです", "its state is old")
                cards += "<p class=\"todo\"><strong>\(t(Bilingual("現在の状況は不明", "Not current")))</strong>: \(t(why))</p>"
            }
            let heard = venue.stateTime.map { time -> String in
                let minutes = Int(max(0, now - time) / 60)
                return "\(HTMLText.clock(venue.state?.time)) (\(t(Bilingual("\(minutes)分前", "\(minutes) min ago"))))"
            } ?? "–"
            cards += "<p class=\"updated\">\(t(Bilingual("最後の状態", "last state"))): \(heard)</p></section>"
        }
        if venues.isEmpty { cards = "<section class=\"card\"><p>\(t(Bilingual("まだどの会場の状態も届いていません。", "No venue has reported yet.")))</p></section>" }
        let banner = connected ? "" : "<div class=\"status s-down\" role=\"alert\"><h1>\(t(Bilingual("地域ブローカーに接続していません", "Not connected to the regional broker")))</h1><p>\(HTMLText.escape(problem ?? ""))</p><p>\(t(Bilingual("下の状態は最新ではありません。", "What follows is not current.")))</p></div>"
        return """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="15">
        <title>\(t(Bilingual("地域の会場", "Venues in the region")))</title><link rel="stylesheet" href="/page.css"></head>
        <body><header><span class="site">\(t(Bilingual("地域の会場", "Venues in the region"))) – \(HTMLText.escape(broker))</span>
        <nav><a href="/region?lang=\(language.other.rawValue)">\(language == .ja ? "English" : "日本語")</a></nav></header>
        <main>\(banner)<div class="areas">\(cards)</div></main>
        <footer>\(t(Bilingual("15秒ごとに更新。状態が\(Int(RegionalView.staleAfter / 60))分以上届かない会場は「不明」と表示します。",
                               "Refreshes every 15 s. A venue whose state is more than \(Int(RegionalView.staleAfter / 60)) min old is shown as not current.")))</footer>
        </body></html>
        """
    }
}
