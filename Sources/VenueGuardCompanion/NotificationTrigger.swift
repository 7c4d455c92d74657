import Foundation
import VenueGuardCore

/// What the venue looks like to the notifications at one moment (built from the daemon's file).
public struct VenueObservation: Sendable, Equatable {
    /// The daemon is running and its file fresh.
    public var live: Bool
    /// The venue's status (`safe` … `stop`, `unknown`) while live.
    public var status: String?
    /// The lightning state while live.
    public var lightning: String?
    /// The venue's heat level while live (the status less lightning and alert stops).
    public var heatLevel: String?
    /// `none`, `alert`, `special-alert`.
    public var heatAlert: String
    /// Whether a thunder advisory is in force.
    public var thunderAdvisory: Bool
    /// Official sources not known now, by name, with the daemon's words.
    public var feedsNotKnown: [String: Bilingual]
    /// The areas' WBGT in a line ("Schoolyard 29.4 °C, Hall 24.0 °C").
    public var summary: Bilingual
    /// The last strike ("6.0 km at 14:05"), when there was one.
    public var strike: Bilingual?
    /// Why the daemon is not live.
    public var down: Bilingual?

    /// An observation.
    public init(live: Bool, status: String? = nil, lightning: String? = nil, heatLevel: String? = nil, heatAlert: String = "none",
                thunderAdvisory: Bool = false, feedsNotKnown: [String: Bilingual] = [:], summary: Bilingual = Bilingual("", ""),
                strike: Bilingual? = nil, down: Bilingual? = nil) {
        self.heatLevel = heatLevel
        self.live = live
        self.status = status
        self.lightning = lightning
        self.heatAlert = heatAlert
        self.thunderAdvisory = thunderAdvisory
        self.feedsNotKnown = feedsNotKnown
        self.summary = summary
        self.strike = strike
        self.down = down
    }

    /// The observation of a daemon state file judged `freshness`.
    public static func of(_ snapshot: DaemonSnapshot?, freshness: DaemonFreshness) -> VenueObservation {
        guard freshness.isLive, let snapshot, let state = snapshot.state else {
            let down: Bilingual = switch freshness {
            case let .stopped(because): Bilingual("VenueGuardが停止しました\(because.map { "(\($0.prefix(80)))" } ?? "")",
                                                  "VenueGuard stopped\(because.map { " (\($0.prefix(80)))" } ?? "")")
            case .stale: Bilingual("VenueGuardが応答していません", "VenueGuard is not responding")
            default: Bilingual("VenueGuardが動いていません", "VenueGuard is not running")
            }
            return VenueObservation(live: false, down: down)
        }
        var notKnown: [String: Bilingual] = [:]
        for (name, source) in [("heat_alerts", state.official?.heatAlerts), ("thunder_advisory", state.official?.thunderAdvisory),
                               ("forecast", state.official?.forecast)] {
            if let source, source.state == "not-known" { notKnown[name] = Bilingual(source.textJa, source.textEn) }
        }
        let parts = snapshot.orderedAreas.map { _, area -> Bilingual in
            let value = area.wbgt.map { "\(HTMLText.number($0)) °C" } ?? "–"
            return Bilingual("\(area.name) \(value)", "\(area.name) \(value)")
        }
        let strike = state.lightning.lastStrikeKm.map { km in
            Bilingual("\(HTMLText.clock(state.lightning.lastStrikeTime))に\(HTMLText.number(km)) km先",
                      "\(HTMLText.number(km)) km away at \(HTMLText.clock(state.lightning.lastStrikeTime))")
        }
        return VenueObservation(live: true, status: state.status, lightning: state.lightning.state, heatLevel: state.heatLevel,
                                heatAlert: state.alerts.heatAlert,
                                thunderAdvisory: state.alerts.thunderAdvisory, feedsNotKnown: notKnown,
                                summary: Bilingual(parts.map(\.ja).joined(separator: "、"), parts.map(\.en).joined(separator: ", ")),
                                strike: strike)
    }
}

/// A message a mentor must read.
public struct VenueNotification: Sendable, Equatable, Codable {
    /// What it is about: `level-severe`, `level-stop`, `level-eased`, `lightning-danger`,
    /// `lightning-clear`, `heat-alert`, `thunder-advisory`, `box-unknown`, `box-silent`,
    /// `box-back`, `feed-stopped`.
    public var kind: String
    /// The message in Japanese.
    public var ja: String
    /// The message in English.
    public var en: String
    /// The venue's status when it was made (`nil` while the daemon is down).
    public var status: String?
    /// The lightning state when it was made.
    public var lightning: String?
}

/// When to tell a mentor, from one observation to the next (pure: no clock, no I/O).
///
/// - A level reaching `severe` or `stop`, and easing below `severe` after such a message.
/// - Lightning `danger`; its easing to `watch` (still stay ready, outdoor activity may still be
///   stopped); its all-clear only once lightning is `clear` (never on `unknown`).
/// - An official heat-stroke alert or special alert, a thunder advisory, newly in force.
/// - The box `unknown`, or the daemon stopped or silent, for `silentAfter`; and back again.
/// - An official feed that stopped (not known).
///
/// Rate: the same kind at most once per `minInterval` (a level flapping around a threshold sends
/// one message per interval, not one per flap); lightning danger and its all-clear, the box and
/// the feeds are never suppressed by it. What was last told (`Told`) is kept across restarts, so
/// a restarted companion does not repeat a message about a state that has not changed.
public struct NotificationTrigger: Sendable {
    /// What the mentors were last told (persisted).
    public struct Told: Sendable, Equatable, Codable {
        /// `severe` or `stop` when a level message is standing, else `nil`.
        public var level: String?
        /// A lightning danger message is standing.
        public var lightningDanger = false
        /// Danger eased to watch was told; the all-clear is still to come.
        public var lightningEased = false
        /// The heat alert last told (`none` when none).
        public var heatAlert = "none"
        /// A thunder advisory message is standing.
        public var thunderAdvisory = false
        /// A box-unknown or box-silent message is standing.
        public var boxDown = false
        /// Feeds told as stopped.
        public var feedsDown: [String] = []
        /// When each kind was last sent, seconds since 1970.
        public var lastSent: [String: Double] = [:]

        /// Nothing told yet.
        public init() {}
    }

    /// What was told.
    public var told: Told
    /// How long the box may be unknown or down before a message, seconds.
    public var silentAfter: Double
    /// The same kind at most this often, seconds.
    public var minInterval: Double
    /// The site's name, at the head of each message.
    public var siteName: String
    private var downSince: Double?
    private var unknownSince: Double?

    /// A trigger starting from `told`.
    public init(told: Told, silentAfter: Double, minInterval: Double, siteName: String) {
        self.told = told
        self.silentAfter = silentAfter
        self.minInterval = minInterval
        self.siteName = siteName
    }

    static func rank(_ status: String?) -> Int {
        ["safe": 0, "caution": 1, "warning": 2, "severe": 3, "stop": 4][status ?? ""] ?? -1
    }

    private mutating func allowed(_ kind: String, at t: Double, rateLimited: Bool = true) -> Bool {
        if rateLimited, let last = told.lastSent[kind], t - last < minInterval { return false }
        told.lastSent[kind] = t
        return true
    }

    private func message(_ kind: String, _ o: VenueObservation, ja: String, en: String) -> VenueNotification {
        VenueNotification(kind: kind, ja: "【\(siteName)】" + ja, en: "[\(siteName)] " + en, status: o.status, lightning: o.lightning)
    }

    /// The messages `o` calls for at wall time `t` (seconds since 1970).
    public mutating func observe(_ o: VenueObservation, at t: Double) -> [VenueNotification] {
        var out: [VenueNotification] = []
        guard o.live, let status = o.status else {
            unknownSince = nil
            downSince = downSince ?? t
            if t - downSince! >= silentAfter && !told.boxDown {
                told.boxDown = true
                _ = allowed("box-silent", at: t, rateLimited: false)
                let why = o.down ?? Bilingual("VenueGuardが動いていません", "VenueGuard is not running")
                out.append(message("box-silent", o, ja: "\(why.ja)。ランプは会場の今を示していません。手持ちの計器で判断し、担当者に連絡してください。",
                                   en: "\(why.en). The lamps do not show the venue now: judge with a hand-held meter and tell the person in charge."))
            }
            return out
        }
        downSince = nil
        if status == "unknown" {
            unknownSince = unknownSince ?? t
            if t - unknownSince! >= silentAfter && !told.boxDown {
                told.boxDown = true
                _ = allowed("box-unknown", at: t, rateLimited: false)
                out.append(message("box-unknown", o, ja: "暑さ指数がわかりません(センサーの故障・未接続)。ランプは黄色の速い点滅です。手持ちのWBGT計で測ってください。",
                                   en: "The heat level is unknown (a sensor is faulted or missing); the yellow lamp blinks fast. Measure with a hand-held WBGT meter."))
            }
        } else {
            unknownSince = nil
            if told.boxDown {
                told.boxDown = false
                _ = allowed("box-back", at: t, rateLimited: false)
                let level = VenueWords.status(status)
                out.append(message("box-back", o, ja: "VenueGuardの値が戻りました:\(level.ja)。\(o.summary.ja)", en: "VenueGuard has data again: \(level.en). \(o.summary.en)"))
            }
            // Levels.
            let r = Self.rank(status), toldRank = Self.rank(told.level)
            if r >= 3 && r > toldRank {
                let kind = r == 4 ? "level-stop" : "level-severe"
                let suppressed = !allowed(kind, at: t) || (kind == "level-severe" && told.lastSent["level-stop"].map { t - $0 < minInterval } == true)
                if !suppressed {
                    let level = VenueWords.status(status)
                    let todo = VenueWords.whatToDo(status: status, heatLevel: o.heatLevel ?? status, lightning: o.lightning ?? "clear",
                                                   heatAlert: o.heatAlert, thunderAdvisory: o.thunderAdvisory, allClearMinutes: 30)
                    out.append(message(kind, o, ja: "\(level.ja):\(o.summary.ja)。\(todo.ja)", en: "\(level.en): \(o.summary.en). \(todo.en)"))
                }
                told.level = status
            } else if told.level != nil && r < toldRank {
                let eased = r >= 3 ? status : nil
                if allowed("level-eased", at: t) {
                    let level = VenueWords.status(status), todo = VenueWords.guidance(status)
                    out.append(message("level-eased", o, ja: "レベルが下がりました:\(level.ja)。\(o.summary.ja)。\(todo.ja)",
                                       en: "The level eased: \(level.en). \(o.summary.en). \(todo.en)"))
                }
                told.level = eased
            }
        }
        // Lightning (never rate-limited: each danger is news, and so is its end).
        if o.lightning == "danger" && !told.lightningDanger {
            told.lightningDanger = true
            _ = allowed("lightning-danger", at: t, rateLimited: false)
            let wait = VenueWords.lightningGuidance("danger", allClearMinutes: 30)
            out.append(message("lightning-danger", o, ja: "雷の危険\(o.strike.map { "(\($0.ja))" } ?? "")。\(wait.ja)",
                               en: "Lightning danger\(o.strike.map { " (\($0.en))" } ?? ""). \(wait.en)"))
        } else if told.lightningDanger && o.lightning == "watch" {
            // Not an all-clear: storms are still about, and an advisory may still stop outdoor activity.
            told.lightningDanger = false
            told.lightningEased = true
            _ = allowed("lightning-eased", at: t, rateLimited: false)
            let outdoors = o.thunderAdvisory ? Bilingual("雷注意報が出ているため屋外の活動は中止のまま。", "A thunder advisory is in force: outdoor activity stays stopped.")
                                             : Bilingual("", "")
            out.append(message("lightning-eased", o, ja: "雷の危険は「注意」に下がりました。まだ解除ではありません。すぐ屋内に移れるよう準備を。\(outdoors.ja)",
                               en: "Lightning danger has eased to watch. This is not the all-clear: stay ready to move indoors. \(outdoors.en)"))
        } else if (told.lightningDanger || told.lightningEased) && o.lightning == "clear" {
            told.lightningDanger = false
            told.lightningEased = false
            _ = allowed("lightning-clear", at: t, rateLimited: false)
            out.append(message("lightning-clear", o, ja: "雷は解除されました(近くの雷がなくなり、雷注意報もありません)。", en: "Lightning all-clear: no strike nearby any more and no thunder advisory."))
        }
        // Official alerts, newly in force or raised.
        let alertRank = ["none": 0, "alert": 1, "special-alert": 2]
        if (alertRank[o.heatAlert] ?? 0) > (alertRank[told.heatAlert] ?? 0) {
            _ = allowed("heat-alert", at: t, rateLimited: false)
            let name = VenueWords.heatAlert(o.heatAlert)
            let rule = o.heatAlert == "special-alert"
                ? Bilingual("屋内も屋外もすべての運動を中止します。", "All activity stops, indoors and outdoors.")
                : Bilingual("屋外の運動は中止、屋内は厳重警戒で行います。", "Outdoor activity stops; indoors is at least a severe warning.")
            out.append(message("heat-alert", o, ja: "\(name.ja)が発表されています。\(rule.ja)", en: "A \(name.en) is in force. \(rule.en)"))
        }
        told.heatAlert = o.heatAlert
        if o.thunderAdvisory && !told.thunderAdvisory {
            _ = allowed("thunder-advisory", at: t, rateLimited: false)
            out.append(message("thunder-advisory", o, ja: "雷注意報が発表されています。屋外の活動は中止します。", en: "A thunder advisory is in force: outdoor activity stops."))
        }
        told.thunderAdvisory = o.thunderAdvisory
        // Feeds that stopped.
        for (name, text) in o.feedsNotKnown.sorted(by: { $0.key < $1.key }) where !told.feedsDown.contains(name) {
            told.feedsDown.append(name)
            _ = allowed("feed-stopped", at: t, rateLimited: false)
            out.append(message("feed-stopped", o, ja: "公式情報が取得できません:\(text.ja)", en: "An official feed stopped: \(text.en)"))
        }
        told.feedsDown.removeAll { o.feedsNotKnown[$0] == nil }
        return out
    }
}
