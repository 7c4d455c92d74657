import Foundation
import VenueGuardCore

/// Today's WBGT curve of one area as an SVG drawn on the server (no script, no fonts, no
/// external file: the venue may have no internet): the level bands from the thresholds in force,
/// the thresholds labelled, the curve broken where there was no reading, minutes without the
/// daemon shaded, and the official forecast maximum as a dashed line when known.
///
/// Axes: x is the site's local day, 00:00…24:00; y is °C, 10…40 widened to the day's values.
struct WBGTChart {
    /// The band colours, lowest level first (safe … stop), as on the lamps' legend.
    static let bandColours = ["#d3f0d9", "#eef3c2", "#ffe9a8", "#ffc9a0", "#ffb3b3"]

    var rows: [RecordRow]
    var thresholds: DaemonSnapshot.SiteFacts.Thresholds
    var dryBulb: Bool
    var forecastMaximum: Double?
    var nowMinute: Int?
    var title: String
    var language: PageLanguage

    static let width = 720.0, height = 300.0
    static let left = 44.0, right = 118.0, top = 10.0, bottom = 30.0

    func svg() -> String {
        let values = rows.compactMap(\.wbgt) + [forecastMaximum].compactMap { $0 }
        let low = min(10, (values.min() ?? 10).rounded(.down) - 1)
        let high = max(40, (values.max() ?? 40).rounded(.up) + 1)
        let plotW = Self.width - Self.left - Self.right, plotH = Self.height - Self.top - Self.bottom
        func x(_ minute: Double) -> Double { Self.left + plotW * minute / 1440 }
        func y(_ c: Double) -> Double { Self.top + plotH * (high - c) / (high - low) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" class=\"chart\">"
        s += "<title>\(HTMLText.escape(title))</title>"
        // Level bands.
        let bounds = [low] + thresholds.bounds + [high]
        let names = ["safe", "caution", "warning", "severe", "stop"]
        for i in 0..<5 {
            let from = max(low, min(high, bounds[i])), to = max(low, min(high, bounds[i + 1]))
            guard to > from else { continue }
            s += "<rect x=\"\(f(Self.left))\" y=\"\(f(y(to)))\" width=\"\(f(plotW))\" height=\"\(f(y(from) - y(to)))\" fill=\"\(Self.bandColours[i])\"/>"
        }
        // Thresholds, labelled on the right.
        for (i, bound) in thresholds.bounds.enumerated() where bound > low && bound < high {
            let level = VenueWords.shortStatus(names[i + 1])(language)
            s += "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.left + plotW))\" y1=\"\(f(y(bound)))\" y2=\"\(f(y(bound)))\" stroke=\"#666\" stroke-width=\"0.6\"/>"
            s += "<text x=\"\(f(Self.left + plotW + 4))\" y=\"\(f(y(bound) + 4))\" font-size=\"17\">\(HTMLText.number(bound, digits: 0)) \(HTMLText.escape(level))</text>"
        }
        // Hours.
        for hour in stride(from: 0, through: 24, by: 3) {
            let hx = x(Double(hour * 60))
            s += "<line x1=\"\(f(hx))\" x2=\"\(f(hx))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\" stroke=\"#999\" stroke-width=\"0.4\"/>"
            s += "<text x=\"\(f(hx))\" y=\"\(f(Self.height - 8))\" font-size=\"17\" text-anchor=\"middle\">\(hour):00</text>"
        }
        for c in stride(from: (low / 5).rounded(.up) * 5, through: high, by: 5) {
            s += "<text x=\"\(f(Self.left - 4))\" y=\"\(f(y(c) + 4))\" font-size=\"17\" text-anchor=\"end\">\(Int(c))</text>"
        }
        // Minutes without the daemon: a grey strip along the bottom.
        for row in rows where row.daemon != "running" {
            s += "<rect x=\"\(f(x(Double(row.minute))))\" y=\"\(f(Self.top + plotH - 6))\" width=\"\(f(max(0.6, plotW / 1440)))\" height=\"6\" fill=\"#555\"/>"
        }
        // The forecast maximum.
        if let forecastMaximum {
            s += "<line x1=\"\(f(Self.left))\" x2=\"\(f(Self.left + plotW))\" y1=\"\(f(y(forecastMaximum)))\" y2=\"\(f(y(forecastMaximum)))\" stroke=\"#1a4fa0\" stroke-dasharray=\"6 4\" stroke-width=\"1.2\"/>"
            let label = Bilingual("予報最高 \(HTMLText.number(forecastMaximum))", "forecast max \(HTMLText.number(forecastMaximum))")(language)
            s += "<text x=\"\(f(Self.left + 4))\" y=\"\(f(y(forecastMaximum) - 3))\" font-size=\"17\" fill=\"#1a4fa0\">\(HTMLText.escape(label))</text>"
        }
        // The curve, broken at gaps of more than two minutes.
        var segments: [[RecordRow]] = []
        for row in rows where row.wbgt != nil {
            if let last = segments.last?.last, row.minute - last.minute <= 2 { segments[segments.count - 1].append(row) } else { segments.append([row]) }
        }
        for segment in segments {
            let points = segment.map { "\(f(x(Double($0.minute)))),\(f(y($0.wbgt!)))" }.joined(separator: " ")
            s += segment.count == 1
                ? "<circle cx=\"\(f(x(Double(segment[0].minute))))\" cy=\"\(f(y(segment[0].wbgt!)))\" r=\"1.5\" fill=\"#111\"/>"
                : "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.6\"/>"
        }
        if let nowMinute {
            s += "<line x1=\"\(f(x(Double(nowMinute))))\" x2=\"\(f(x(Double(nowMinute))))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\" stroke=\"#1a4fa0\" stroke-width=\"1\"/>"
        }
        if let last = rows.last(where: { $0.wbgt != nil }) {
            s += "<circle cx=\"\(f(x(Double(last.minute))))\" cy=\"\(f(y(last.wbgt!)))\" r=\"3.5\" fill=\"#111\"/>"
        }
        let unit = dryBulb ? Bilingual("気温 °C", "air °C") : Bilingual("WBGT °C", "WBGT °C")
        s += "<text x=\"\(f(Self.left + 4))\" y=\"\(f(Self.top + 18))\" font-size=\"17\" fill=\"#333\">\(HTMLText.escape(unit(language)))</text>"
        s += "<rect x=\"\(f(Self.left))\" y=\"\(f(Self.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\"/>"
        return s + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

