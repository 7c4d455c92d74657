import VenueGuardCore

/// The records page (`/records`): one row per area and stored day (highest WBGT and level,
/// minutes at severe or above, minutes of lightning danger, minutes without the daemon) with
/// a link to the day's CSV, for the club's safety log.
struct RecordsPage {
    var siteName: String
    var summaries: [DailyRecorder.DaySummary]
    var keepDays: Int
    /// Area names by id (from the daemon), for the table.
    var names: [String: String] = [:]
    var language: PageLanguage

    private func t(_ text: Bilingual) -> String { HTMLText.escape(text(language)) }

    func html() -> String {
        var rows = ""
        for day in summaries {
            let csv = "/records/\(HTMLText.escape(day.area))/\(HTMLText.escape(day.date)).csv"
            rows += "<tr><td>\(HTMLText.escape(day.date))</td><td>\(HTMLText.escape(names[day.area] ?? day.area))</td><td>\(HTMLText.number(day.maximum))</td>"
            rows += "<td><span class=\"chip s-\(HTMLText.escape(day.highestLevel))\">\(t(VenueWords.status(day.highestLevel)))</span></td>"
            rows += "<td>\(day.minutesSevereOrAbove)</td><td>\(day.minutesLightningDanger)</td><td>\(day.minutesWithoutData)</td>"
            rows += "<td><a href=\"\(csv)\" download>CSV</a></td></tr>"
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"8\">\(t(Bilingual("まだ記録がありません。", "No records yet.")))</td></tr>" }
        return """
        <!DOCTYPE html>
        <html lang="\(language.rawValue)"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escape(siteName)) – \(t(Bilingual("記録", "records")))</title><link rel="stylesheet" href="/page.css"></head>
        <body><header><span class="site">\(HTMLText.escape(siteName))</span><nav><a href="/?lang=\(language.rawValue)">\(t(Bilingual("現在の状況", "now")))</a>
        <a href="/records?lang=\(language.other.rawValue)">\(language == .ja ? "English" : "日本語")</a></nav></header>
        <main><section class="card"><h2>\(t(Bilingual("日ごとの記録(1分ごと、\(keepDays)日間保存)", "Daily records (one row a minute, kept \(keepDays) days)")))</h2>
        <div class="scroll"><table class="records"><thead><tr><th>\(t(Bilingual("日付", "date")))</th><th>\(t(Bilingual("場所", "area")))</th><th>\(t(Bilingual("最高 °C", "max °C")))</th>
        <th>\(t(Bilingual("最高レベル", "highest level")))</th><th>\(t(Bilingual("厳重警戒以上(分)", "severe or above (min)")))</th>
        <th>\(t(Bilingual("雷危険(分)", "lightning danger (min)")))</th><th>\(t(Bilingual("データなし(分)", "no data (min)")))</th><th></th></tr></thead>
        <tbody>\(rows)</tbody></table></div></section></main></body></html>
        """
    }
}
