import Foundation
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardFeeds

/// The venue's page on the LAN (served by `CompanionHTTPServer` at `/`): the status as a big block
/// in the lamps' colours with the level, what to do and why; the emergency action leading while
/// a heat stop or lightning danger is in force; each area's WBGT, method, trust and sensors;
/// alerts and the forecast; today's curves; the emergency plan. Rendered on the server as plain
/// HTML and SVG with one stylesheet and one small script from the same server (no external
/// request: the venue may have no internet). `live()` and `charts()` are the parts the script
/// replaces when the server sends an update (server-sent events).
///
/// A daemon that is stopped, silent or missing is said loudly in place of the levels: its last
/// levels are not the venue's now, exactly as the lamps go dark or blink unknown.
struct StatusPage {
    var snapshot: DaemonSnapshot?
    var freshness: DaemonFreshness
    var siteName: String
    var utcOffsetSeconds: Int
    var emergency: EmergencyPlan?
    var forecast: WBGTForecastSummary?
    /// Whether the site has an `official:` section (else nothing official is fetched).
    var officialConfigured = true
    /// The official sources the companion fetches (a state silent about one reads "not known").
    var officialFetched = OfficialSourcesFetched(heatAlerts: false, thunderAdvisory: false)
    var records: [(area: String, rows: [RecordRow])]
    var now: Double
    var language: PageLanguage

    private var t: (Bilingual) -> String { { [language] in HTMLText.escape($0(language)) } }

    /// The whole document.
    func page() -> String {
        let title = Bilingual("\(siteName) – 暑さ・雷の状況", "\(siteName) – heat and lightning")
        return """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(t(title))</title>
        <link rel="stylesheet" href="/page.css">
        <noscript><meta http-equiv="refresh" content="15"></noscript>
        <script src="/page.js" defer></script>
        </head><body data-lang="\(language.rawValue)">
        <div id="lost" role="alert">\(t(Bilingual("この画面は更新されていません(VenueGuardのページに接続できません)。ランプを見るか、手持ちの計器で判断してください。",
                                               "This page is not updating (the box cannot be reached). Look at the lamps, or judge with a hand-held meter.")))</div>
        <header><span class="site">\(HTMLText.escape(siteName))</span>
        <nav><a href="/?lang=\(language.other.rawValue)">\(language == .ja ? "English" : "日本語")</a>
        <a href="/legend?size=a4&amp;lang=\(language.rawValue)">\(t(Bilingual("掲示用の凡例", "legend card")))</a>
        <a href="/records?lang=\(language.rawValue)">\(t(Bilingual("記録", "records")))</a></nav></header>
        <main>
        <div id="live" aria-live="polite">\(live())</div>
        <div id="charts">\(charts())</div>
        \(plan())
        </main>
        <footer>\(officialConfigured ? t(Bilingual("出典:環境省熱中症予防情報サイト(暑さ指数・熱中症警戒アラート)、気象庁防災情報XML(雷注意報)。センサーの値は本体の計測です。",
                               "Sources: Ministry of the Environment heat-illness prevention site (WBGT, heat-stroke alerts); JMA disaster-prevention XML (thunder advisories). Sensor values are the box's own.")) : t(Bilingual("公式情報(熱中症アラート・雷注意報)は取得していません。センサーの値は本体の計測です。", "No official alerts are fetched (no official: section). Sensor values are the box's own.")))</footer>
        </body></html>
        """
    }

    /// The live part: emergency action, status block, reasons, areas, alerts.
    func live() -> String {
        guard freshness.isLive, let snapshot, let state = snapshot.state else { return down() }
        var s = emergencyLead(state: state)
        s += statusBlock(state: state, snapshot: snapshot)
        let reasons = PlainReasons.of(snapshot)
        if !reasons.isEmpty {
            s += "<section class=\"card\"><h2>\(t(Bilingual("理由", "Why")))</h2><ul class=\"reasons\">"
            for reason in reasons { s += "<li>\(t(reason))</li>" }
            s += "</ul>"
            let raw = state.reasons + state.problems + (snapshot.problems ?? [])
            if !raw.isEmpty {
                s += "<details><summary>\(t(Bilingual("技術的な詳細", "Technical details")))</summary><ul class=\"raw\">"
                for line in raw { s += "<li>\(HTMLText.escape(String(line.prefix(300))))</li>" }
                s += "</ul></details>"
            }
            s += "</section>"
        }
        s += "<div class=\"areas\">"
        for (id, area) in snapshot.orderedAreas { s += areaCard(id: id, area: area, snapshot: snapshot) }
        s += "</div>"
        s += alertsCard(state: state)
        return s
    }

    private func down() -> String {
        let last = snapshot?.writtenUnix.map { HTMLText.clock(unix: $0, utcOffsetSeconds: utcOffsetSeconds) } ?? "?"
        let (headline, detail): (Bilingual, Bilingual) = switch freshness {
        case let .stopped(because):
            (Bilingual("VenueGuardは停止しています", "VenueGuard is stopped"),
             Bilingual("ランプとこの画面は会場の今を示していません。\(because.map { "(停止理由: \($0.prefix(120)))" } ?? "")",
                       "The lamps and this page do not show the venue now.\(because.map { " (It stopped: \($0.prefix(120)).)" } ?? "")"))
        case .stale:
            // A time, not an age: the text stays true on an open page that is not re-sent.
            (Bilingual("VenueGuardが応答していません", "VenueGuard is not responding"),
             Bilingual("\(last)から状態が更新されていません。ランプを信じないでください。",
                       "Its state has not been updated since \(last). Do not trust the lamps."))
        case .missing, .running:
            (Bilingual("VenueGuardの状態がわかりません", "VenueGuard's state is not known"),
             Bilingual("安全装置(venueguard)が動いていません。ランプを信じないでください。", "The safety daemon (venueguard) is not running. Do not trust the lamps."))
        }
        return """
        <section class="status s-down" role="alert"><h1>\(t(headline))</h1>
        <p class="todo">\(t(detail))</p>
        <p class="todo">\(t(Bilingual("手持ちのWBGT計で測り、空と雷鳴に注意し、子どもの様子を見て判断してください。担当者に連絡してください。",
                                      "Measure with a hand-held WBGT meter, watch the sky and listen for thunder, watch the children, and tell the person in charge.")))</p>
        <p class="updated">\(t(Bilingual("最後の更新", "last update"))) \(last)</p>
        </section>
        """
    }

    private func statusBlock(state: DaemonSnapshot.State, snapshot: DaemonSnapshot) -> String {
        let status = VenueWords.status(state.status)
        let wait = (snapshot.siteFacts?.lightning.allClearS ?? 1800) / 60
        var s = "<section class=\"status s-\(HTMLText.escape(state.status))\">"
        s += "<div class=\"lamps\" aria-label=\"\(t(Bilingual("ランプ", "lamps")))\">"
        for lamp in ["green", "yellow", "red", "blue"] {
            let pattern = state.outputs.lamps[lamp] ?? "off"
            s += "<span class=\"lamp l-\(lamp) p-\(HTMLText.escape(pattern))\" title=\"\(t(VenueWords.lamp(lamp))): \(t(VenueWords.pattern(pattern)))\"></span>"
        }
        s += "</div><h1>\(t(status))</h1><p class=\"other\">\(HTMLText.escape(status(language.other)))</p>"
        let todo = VenueWords.whatToDo(status: state.status, heatLevel: state.heatLevel, lightning: state.lightning.state,
                                       heatAlert: state.alerts.heatAlert, thunderAdvisory: state.alerts.thunderAdvisory, allClearMinutes: wait)
        s += "<p class=\"todo\"><strong>\(t(Bilingual("対応", "What to do"))):</strong> \(t(todo))</p>"
        if state.lightning.state != "clear" && !(state.lightning.state == "danger" && state.status == "stop" && state.heatLevel != "stop") {
            s += "<p class=\"todo\"><strong>\(t(VenueWords.lightning(state.lightning.state))):</strong> \(t(VenueWords.lightningGuidance(state.lightning.state, allClearMinutes: wait)))</p>"
        }
        let lampText = ["green", "yellow", "red", "blue"].compactMap { lamp -> String? in
            guard let p = state.outputs.lamps[lamp], p != "off" else { return nil }
            return "\(VenueWords.lamp(lamp)(language)) \(VenueWords.pattern(p)(language))"
        }.joined(separator: language == .ja ? "、" : ", ")
        let stop = language == .ja ? "。" : ". "
        s += "<p class=\"small\">\(t(Bilingual("ランプ", "Lamps"))): \(HTMLText.escape(lampText.isEmpty ? VenueWords.pattern("off")(language) : lampText))\(stop)"
        s += "\(t(Bilingual("ブザー", "Buzzer"))): \(t(VenueWords.buzzer(state.outputs.buzzer)))\(stop.trimmingCharacters(in: .whitespaces))</p>"
        s += "<p class=\"updated\">\(t(Bilingual("更新", "updated"))) \(HTMLText.escape(HTMLText.clock(state.time)))"
        if let written = snapshot.writtenUnix { s += " (\(HTMLText.clock(unix: written, utcOffsetSeconds: utcOffsetSeconds)))" }
        s += "</p></section>"
        return s
    }

    /// While a heat stop or lightning danger is in force: the action, the AED, the numbers.
    private func emergencyLead(state: DaemonSnapshot.State) -> String {
        let heatStop = state.heatLevel == "stop" || state.alerts.heatAlert == "special-alert"
            || state.areas.values.contains { $0.heatLevel == "stop" }
        let lightningDanger = state.lightning.state == "danger"
        guard heatStop || lightningDanger else { return "" }
        var s = "<section class=\"emergency\" role=\"alert\">"
        if lightningDanger {
            let place = emergency?.indoors.map { Bilingual("(\($0))", " (\($0))") } ?? Bilingual("", "")
            s += "<h2>\(t(Bilingual("全員すぐ屋内へ\(place.ja)", "Everyone indoors now\(place.en)")))</h2>"
            s += "<p>\(t(Bilingual("送迎を待っている子も含めて建物の中へ。テント・木の下・車庫は安全ではありません。", "Including children waiting for pick-up: into the building. Tents, trees and car ports are not safe.")))</p>"
        }
        if heatStop {
            let place = emergency?.coolRoom.map { Bilingual("(\($0))", " (\($0))") } ?? Bilingual("", "")
            s += "<h2>\(t(Bilingual("運動を中止し、全員を涼しい部屋へ\(place.ja)", "Stop activity and move everyone to the cool room\(place.en)")))</h2>"
            let care = Bilingual("送迎を待っている子も含めて。水分と塩分をとらせ、一人ひとりの様子を確認。意識がおかしい子はすぐ119番。",
                                 "Including children waiting for pick-up. Give water and salt, check each child; call 119 at once for a child who is confused or unresponsive.")
            s += "<p>\(t(care))</p>"
        }
        s += numbers(compact: true)
        return s + "</section>"
    }

    /// The AED and the numbers to call.
    private func numbers(compact: Bool) -> String {
        var items: [String] = ["<li><strong>119</strong> \(t(Bilingual("救急・消防", "ambulance, fire")))</li>",
                               "<li><strong>110</strong> \(t(Bilingual("警察", "police")))</li>"]
        if let line = emergency?.adviceLine { items.append("<li><strong>\(HTMLText.escape(line))</strong> \(t(Bilingual("救急相談", "medical advice line")))</li>") }
        if let aed = emergency?.aed {
            let pads = aed.childPads.map { $0 ? Bilingual("小児用パッドあり", "child pads: yes") : Bilingual("小児用パッドなし", "child pads: no") }
                ?? Bilingual("小児用パッド:未確認", "child pads: not stated")
            items.append("<li><strong>AED</strong> \(HTMLText.escape(aed.place)) (\(t(pads)))</li>")
        } else if !compact {
            items.append("<li><strong>AED</strong> \(t(Bilingual("場所が登録されていません", "place not configured")))</li>")
        }
        if let c = emergency?.personInCharge { items.append("<li>\(t(Bilingual("責任者", "person in charge"))): \(contact(c))</li>") }
        return "<ul class=\"numbers\">" + items.joined() + "</ul>"
    }

    private func contact(_ c: EmergencyPlan.Contact) -> String {
        var s = ""
        if let role = c.role { s += HTMLText.escape(role) + ": " }
        s += HTMLText.escape(c.name)
        if let phone = c.phone {
            let dial = phone.filter { $0.isNumber || $0 == "+" || $0 == "#" || $0 == "*" }
            s += " <a href=\"tel:\(HTMLText.escape(dial))\">\(HTMLText.escape(phone))</a>"
        }
        return s
    }

    private func areaCard(id: String, area: DaemonSnapshot.State.Area, snapshot: DaemonSnapshot) -> String {
        let method = VenueWords.method(area.wbgt == nil ? nil : area.wbgtMethod)
        let dry = area.scale == "dry-bulb"
        var s = "<section class=\"card area\"><h2>\(HTMLText.escape(area.name)) <span class=\"small\">\(t(VenueWords.exposure(area.exposure)))</span></h2>"
        s += "<p class=\"big\"><span class=\"chip s-\(HTMLText.escape(area.heatLevel))\">\(t(VenueWords.status(area.heatLevel)))</span> "
        s += "<span class=\"value\">\(dry ? t(Bilingual("気温", "air")) + " " : "WBGT ")\(HTMLText.number(area.wbgt)) °C</span></p>"
        if area.status != area.heatLevel {
            s += "<p>\(t(Bilingual("この場所の判断", "Status here"))): <span class=\"chip s-\(HTMLText.escape(area.status))\">\(t(VenueWords.status(area.status)))</span></p>"
        }
        s += "<p class=\"small\">\(t(Bilingual("求め方", "Method"))): \(t(method.name))\(language == .ja ? "、" : "; ")\(t(Bilingual("信頼度", "trust"))): \(t(method.trust))</p>"
        let parts = [("Ta", area.ta), ("Tg", area.tg), ("Tnw", area.tnw)].compactMap { name, v in v.map { "\(name) \(HTMLText.number($0)) °C" } }
        if !parts.isEmpty { s += "<p class=\"small\">\(parts.joined(separator: " · "))</p>" }
        let used = Set(area.inputs.values.compactMap(\.sensor))
        let sensors = (snapshot.sensors ?? []).filter { used.contains($0.sensor) }
        if !sensors.isEmpty {
            s += "<ul class=\"sensors\">"
            for sensor in sensors {
                s += "<li class=\"q-\(HTMLText.escape(sensor.quality))\">\(HTMLText.escape(sensor.sensor)) <span class=\"small\">(\(HTMLText.escape(sensor.kind)))</span>: \(t(VenueWords.quality(sensor.quality)))"
                if let reason = sensor.reason, sensor.quality != "ok" { s += " – <span class=\"small\">\(HTMLText.escape(String(reason.prefix(160))))</span>" }
                s += "</li>"
            }
            s += "</ul>"
        }
        _ = id
        return s + "</section>"
    }

    private func alertsCard(state: DaemonSnapshot.State) -> String {
        var s = "<section class=\"card\"><h2>\(t(Bilingual("公式情報と予報", "Official alerts and forecast")))</h2><ul>"
        let unchecked = officialConfigured ? Bilingual("", "") : Bilingual("(公式情報は未取得:手動の設定のみ)", " (official feeds not configured: only what was set by hand)")
        // A feed that cannot be read is never "none": no alert held and the feed not known reads "not known".
        let notKnown = Bilingual("不明(公式情報を取得できていません)", "NOT KNOWN (the official feed cannot be read)")
        let heatWords = state.alerts.heatAlert == "none" && officialFetched.heatAlertsNotKnown(daemonSays: state.official?.heatAlerts?.state)
            ? notKnown : VenueWords.heatAlert(state.alerts.heatAlert)
        let thunderWords = state.alerts.thunderAdvisory ? Bilingual("発表中", "in force")
            : officialFetched.thunderAdvisoryNotKnown(daemonSays: state.official?.thunderAdvisory?.state) ? notKnown : Bilingual("なし", "none")
        s += "<li>\(t(Bilingual("熱中症アラート", "Heat-stroke alert"))): \(t(heatWords))\(t(unchecked))</li>"
        s += "<li>\(t(Bilingual("雷注意報", "Thunder advisory"))): \(t(thunderWords))\(t(unchecked))</li>"
        for source in [state.official?.heatAlerts, state.official?.thunderAdvisory, state.official?.forecast].compactMap({ $0 }) {
            s += "<li class=\"small\">\(HTMLText.escape(language == .ja ? source.textJa : source.textEn))</li>"
        }
        if let forecast {
            for (label, day) in [(Bilingual("今日", "Today"), forecast.today), (Bilingual("明日", "Tomorrow"), forecast.tomorrow)] {
                guard let maximum = day.maximum else { continue }
                var line = "\(t(label)) \(day.date.month)/\(day.date.day): \(t(Bilingual("予報最高", "forecast maximum"))) WBGT \(HTMLText.number(maximum)) °C"
                if let level = day.level { line += " (\(t(VenueWords.status(level.rawValue))))" }
                for level in [HeatLevel.stop, .severe] {
                    if let times = day.timesAtOrAbove[level], !times.isEmpty {
                        let hours = times.map { String(format: "%d時", $0.hour) }
                        let hoursEn = times.map { String(format: "%02d:00", $0.hour) }
                        line += "; \(t(Bilingual("\(VenueWords.status(level.rawValue).ja)以上: \(hours.joined(separator: "・"))", "\(VenueWords.status(level.rawValue).en) or above: \(hoursEn.joined(separator: ", "))")))"
                        break
                    }
                }
                s += "<li>\(line)</li>"
            }
        }
        return s + "</ul></section>"
    }

    /// Today's curves per area and the lightning timeline.
    func charts() -> String {
        guard let facts = snapshot?.siteFacts else {
            return records.isEmpty ? "" : "<section class=\"card\"><p>\(t(Bilingual("グラフは安全装置が動き出すと表示されます。", "The curves appear once the safety daemon runs.")))</p></section>"
        }
        let nowMinute = DailyRecorderClock.minute(now, utcOffsetSeconds: utcOffsetSeconds)
        var s = ""
        for (area, rows) in records {
            let name = snapshot?.state?.areas[area]?.name ?? area
            let dry = (rows.last { $0.scale != nil }?.scale ?? snapshot?.state?.areas[area]?.scale) == "dry-bulb"
            let outdoor = snapshot?.state?.areas[area]?.exposure == "outdoor"
            let chart = WBGTChart(rows: rows, thresholds: dry ? facts.dryBulbThresholds : facts.wbgtThresholds, dryBulb: dry,
                                  forecastMaximum: outdoor && !dry ? forecast?.today.maximum : nil, nowMinute: nowMinute,
                                  title: Bilingual("\(name) 今日の暑さ指数", "\(name): today's WBGT")(language), language: language)
            s += "<section class=\"card\"><h2>\(t(Bilingual("\(name) 今日の暑さ指数", "\(name): today's WBGT")))</h2>\(chart.svg())</section>"
        }
        if let rows = records.first?.rows {
            let timeline = LightningTimeline(rows: rows, lightning: facts.lightning, nowMinute: nowMinute,
                                             title: Bilingual("今日の雷(距離と状態)", "Today's lightning (distance and state)")(language), language: language)
            s += "<section class=\"card\"><h2>\(t(Bilingual("今日の雷(距離と状態)", "Today's lightning: distance and state")))</h2>\(timeline.svg())</section>"
        }
        return s
    }

    /// The emergency plan, when configured.
    func plan() -> String {
        guard let plan = emergency else { return "" }
        var s = "<section class=\"card plan\"><h2>\(t(Bilingual("緊急対応計画", "Emergency plan")))</h2>"
        s += numbers(compact: false) + "<dl>"
        func row(_ label: Bilingual, _ value: String?) { if let value { s += "<dt>\(t(label))</dt><dd>\(value)</dd>" } }
        row(Bilingual("副責任者", "Deputy"), plan.deputy.map(contact))
        for c in plan.contacts { row(Bilingual("緊急連絡", "Contact"), contact(c)) }
        row(Bilingual("医療機関", "Hospital"), plan.hospital.map(contact))
        row(Bilingual("AED点検日", "AED checked"), plan.aed?.checked.map(HTMLText.escape))
        row(Bilingual("暑さで中止のとき", "When heat stops activity"), plan.coolRoom.map(HTMLText.escape))
        row(Bilingual("雷のとき", "On lightning"), plan.indoors.map(HTMLText.escape))
        row(Bilingual("一次集合場所", "First assembly point"), plan.firstAssembly.map(HTMLText.escape))
        row(Bilingual("二次集合場所", "Second assembly point"), plan.secondAssembly.map(HTMLText.escape))
        row(Bilingual("指定避難所", "Designated shelter"), plan.shelter.map(HTMLText.escape))
        return s + "</dl></section>"
    }
}

/// The minute of the site's local day of a wall time.
enum DailyRecorderClock {
    static func minute(_ unix: Double, utcOffsetSeconds: Int) -> Int {
        let local = Int((unix + Double(utcOffsetSeconds)).rounded(.down))
        return (((local % 86_400) + 86_400) % 86_400) / 60
    }
}
