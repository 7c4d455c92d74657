import VenueGuardConfiguration
import VenueGuardCore

/// The printable legend card to pin up beside the signal tower (`/legend?size=a4|a5`), in both
/// languages on one page: each status with its lamps (from `SignalLegend`, the one place the
/// lamps' legend is implemented, which the README's table mirrors), its WBGT range from the
/// thresholds in force and what to do; the blue lamp's lightning states; the buzzer; what a
/// dark or fast-blinking tower means; and the venue's emergency plan when configured.
struct LegendCard {
    /// A4 or A5, portrait.
    enum Size: String {
        case a4, a5
    }

    var size: Size
    var siteName: String
    var wbgt: DaemonSnapshot.SiteFacts.Thresholds
    var dryBulb: DaemonSnapshot.SiteFacts.Thresholds
    var allClearMinutes: Int
    var emergency: EmergencyPlan?

    private func e(_ text: String) -> String { HTMLText.escape(text) }

    /// The lamps as small circles (a dashed ring for a blinking one), then the lit ones in words.
    private func lamps(_ patterns: [Lamp: LEDPattern], only: [Lamp] = [.green, .yellow, .red]) -> String {
        let circles = only.map { lamp in
            "<span class=\"lamp l-\(lamp.rawValue) p-\((patterns[lamp] ?? .off).rawValue) print\"></span>"
        }.joined()
        let lit = only.compactMap { lamp -> (ja: String, en: String)? in
            guard let pattern = patterns[lamp], pattern != .off else { return nil }
            let name = VenueWords.lamp(lamp.rawValue), words = VenueWords.pattern(pattern.rawValue)
            return ("\(name.ja)\(words.ja)", "\(name.en) \(words.en)")
        }
        let text = lit.isEmpty ? ("消灯", "all off") : (lit.map(\.ja).joined(separator: "・"), lit.map(\.en).joined(separator: ", "))
        return circles + "<span class=\"pn\">\(e(text.0)) <span class=\"en\">\(e(text.1))</span></span>"
    }

    private func range(_ status: SafetyStatus) -> String {
        func n(_ v: Double) -> String { HTMLText.number(v, digits: 0) }
        switch status {
        case .safe: return "WBGT &lt; \(n(wbgt.caution))<br>(気温 air &lt; \(n(dryBulb.caution)))"
        case .caution: return "\(n(wbgt.caution))–\(n(wbgt.warning))<br>(\(n(dryBulb.caution))–\(n(dryBulb.warning)))"
        case .warning: return "\(n(wbgt.warning))–\(n(wbgt.severe))<br>(\(n(dryBulb.warning))–\(n(dryBulb.severe)))"
        case .severe: return "\(n(wbgt.severe))–\(n(wbgt.stop))<br>(\(n(dryBulb.severe))–\(n(dryBulb.stop)))"
        case .stop: return "≥ \(n(wbgt.stop))<br>(≥ \(n(dryBulb.stop)))"
        case .unknown: return "?"
        }
    }

    /// The card as a document.
    func html() -> String {
        var rows = ""
        for status in SafetyStatus.allCases {
            let name = VenueWords.status(status.rawValue), todo = VenueWords.guidance(status.rawValue)
            rows += "<tr class=\"s-\(status.rawValue)\"><td class=\"lamp-cell\">\(lamps(SignalLegend.lamps(status: status, lightning: .clear)))</td>"
            rows += "<td><strong>\(e(name.ja))</strong><br>\(e(name.en))</td><td class=\"num\">\(range(status))</td>"
            rows += "<td>\(e(todo.ja))<br><span class=\"en\">\(e(todo.en))</span></td></tr>"
        }
        var blue = ""
        for state in LightningState.allCases {
            let pattern = SignalLegend.lamps(status: .safe, lightning: state)[.blue] ?? .off
            let name = VenueWords.lightning(state.rawValue)
            let todo = VenueWords.lightningGuidance(state.rawValue, allClearMinutes: allClearMinutes)
            blue += "<tr><td class=\"lamp-cell\">\(lamps([.blue: pattern], only: [.blue]))</td>"
            blue += "<td><strong>\(e(name.ja))</strong><br>\(e(name.en))</td><td>\(e(todo.ja.isEmpty ? "—" : todo.ja))<br><span class=\"en\">\(e(todo.en))</span></td></tr>"
        }
        var buzzer = ""
        for pattern in BuzzerPattern.allCases where pattern != .off {
            let words = VenueWords.buzzer(pattern.rawValue)
            buzzer += "<li>\(e(words.ja)) / <span class=\"en\">\(e(words.en))</span></li>"
        }
        return """
        <!DOCTYPE html>
        <html lang="ja"><head><meta charset="utf-8"><title>\(e(siteName)) – ランプの見かた / How to read the lamps</title>
        <link rel="stylesheet" href="/page.css"><link rel="stylesheet" href="/legend-\(size.rawValue).css"></head>
        <body class="legend">
        <nav class="noprint"><a href="/legend?size=a4">A4</a> <a href="/legend?size=a5">A5</a> <a href="/">← 現在の状況 / the venue now</a></nav>
        <h1>\(e(siteName)): ランプの見かた <span class="en">How to read the lamps</span></h1>
        <table class="legend-table"><thead><tr><th>緑 黄 赤<br><span class="en">green yellow red</span></th><th>レベル<br><span class="en">level</span></th><th>WBGT °C</th><th>対応<br><span class="en">what to do</span></th></tr></thead>
        <tbody>\(rows)</tbody></table>
        <table class="legend-table"><thead><tr><th>青<br><span class="en">blue</span></th><th>雷<br><span class="en">lightning</span></th><th>対応<br><span class="en">what to do</span></th></tr></thead>
        <tbody>\(blue)</tbody></table>
        <p><strong>ブザー <span class="en">Buzzer</span>:</strong></p><ul class="buzzer">\(buzzer)</ul>
        <p class="warn"><strong>ランプがすべて消えている、または黄色が速く点滅しているとき:</strong> 安全装置が止まっているか、値がわかりません。「安全」と考えず、手持ちのWBGT計で測り、担当者に連絡してください。<br>
        <span class="en"><strong>All lamps dark, or yellow blinking fast:</strong> the box is stopped or has no data. Do not take it as safe: measure with a hand-held WBGT meter and tell the person in charge.</span></p>
        \(planBlock())
        </body></html>
        """
    }

    private func planBlock() -> String {
        var items = ["<li><strong>119</strong> 救急・消防 <span class=\"en\">ambulance, fire</span></li>",
                     "<li><strong>110</strong> 警察 <span class=\"en\">police</span></li>"]
        guard let plan = emergency else { return "<ul class=\"numbers\">" + items.joined() + "</ul>" }
        if let line = plan.adviceLine { items.append("<li><strong>\(e(line))</strong> 救急相談 <span class=\"en\">medical advice</span></li>") }
        func contact(_ c: EmergencyPlan.Contact) -> String { [c.role, c.name, c.phone].compactMap { $0 }.map(e).joined(separator: " ") }
        if let c = plan.personInCharge { items.append("<li>責任者 <span class=\"en\">in charge</span>: \(contact(c))</li>") }
        if let c = plan.deputy { items.append("<li>副責任者 <span class=\"en\">deputy</span>: \(contact(c))</li>") }
        // The card keeps to one page: three contacts at most (the page lists them all).
        for c in plan.contacts.prefix(3) { items.append("<li>\(contact(c))</li>") }
        if plan.contacts.count > 3 { items.append("<li>(+\(plan.contacts.count - 3) 緊急連絡 <span class=\"en\">more contacts on the page</span>)</li>") }
        if let c = plan.hospital { items.append("<li>医療機関 <span class=\"en\">hospital</span>: \(contact(c))</li>") }
        if let aed = plan.aed {
            let pads = aed.childPads.map { $0 ? "小児用パッドあり / child pads" : "小児用パッドなし / no child pads" } ?? "小児用パッド未確認 / child pads not stated"
            items.append("<li><strong>AED</strong>: \(e(aed.place)) (\(e(pads)))</li>")
        }
        if let room = plan.coolRoom { items.append("<li>暑さで中止 <span class=\"en\">heat stop</span> → \(e(room))</li>") }
        if let place = plan.indoors { items.append("<li>雷 <span class=\"en\">lightning</span> → \(e(place))</li>") }
        if let first = plan.firstAssembly { items.append("<li>一次集合場所 <span class=\"en\">first assembly</span>: \(e(first))</li>") }
        if let second = plan.secondAssembly { items.append("<li>二次集合場所 <span class=\"en\">second assembly</span>: \(e(second))</li>") }
        if let shelter = plan.shelter { items.append("<li>指定避難所 <span class=\"en\">shelter</span>: \(e(shelter))</li>") }
        return "<h2>緊急時 <span class=\"en\">In an emergency</span></h2><ul class=\"numbers\">" + items.joined() + "</ul>"
    }
}
