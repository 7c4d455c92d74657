import Foundation
import VenueGuardCore

/// Today's lightning as an SVG: each recorded strike by its distance (0 km at the top), the
/// danger and watch radii as bands, and under it the lightning state minute by minute (clear,
/// watch, danger holds, unknown, no data), so a mentor sees when a hold began and ended.
struct LightningTimeline {
    var rows: [RecordRow]
    var lightning: DaemonSnapshot.SiteFacts.Lightning
    var nowMinute: Int?
    var title: String
    var language: PageLanguage

    static let width = 720.0, height = 190.0
    static let left = 44.0, right = 118.0, top = 10.0, strip = 16.0, bottom = 28.0

    func svg() -> String {
        let maxKm = max(40, (lightning.watchKm / 10).rounded(.up) * 10)
        let plotW = Self.width - Self.left - Self.right
        let plotH = Self.height - Self.top - Self.bottom - Self.strip - 6
        func x(_ minute: Double) -> Double { Self.left + plotW * minute / 1440 }
        func y(_ km: Double) -> Double { Self.top + plotH * min(km, maxKm) / maxKm }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" class=\"chart\">"
        s += "<title>\(HTMLText.escape(title))</title>"
        s += "<rect x=\"\(f(Self.left))\" y=\"\(f(y(0)))\" width=\"\(f(plotW))\" height=\"\(f(y(lightning.watchKm) - y(0)))\" fill=\"#ffe9a8\"/>"
        s += "<rect x=\"\(f(Self.left))\" y=\"\(f(y(0)))\" width=\"\(f(plotW))\" height=\"\(f(y(lightning.dangerKm) - y(0)))\" fill=\"#ffb3b3\"/>"
        let danger = Bilingual("\(HTMLText.number(lightning.dangerKm, digits: 0)) km 危険", "\(HTMLText.number(lightning.dangerKm, digits: 0)) km danger")
        let watch = Bilingual("\(HTMLText.number(lightning.watchKm, digits: 0)) km 注意", "\(HTMLText.number(lightning.watchKm, digits: 0)) km watch")
        s += "<text x=\"\(f(Self.left + plotW + 4))\" y=\"\(f(y(lightning.dangerKm)))\" font-size=\"17\">\(HTMLText.escape(danger(language)))</text>"
        s += "<text x=\"\(f(Self.left + plotW + 4))\" y=\"\(f(y(lightning.watchKm)))\" font-size=\"17\">\(HTMLText.escape(watch(language)))</text>"
        for km in stride(from: 0.0, through: maxKm, by: 10) {
            s += "<text x=\"\(f(Self.left - 4))\" y=\"\(f(y(km) + 4))\" font-size=\"17\" text-anchor=\"end\">\(Int(km))</text>"
        }
        for hour in stride(from: 0, through: 24, by: 3) {
            let hx = x(Double(hour * 60))
            s += "<line x1=\"\(f(hx))\" x2=\"\(f(hx))\" y1=\"\(f(Self.top))\" y2=\"\(f(Self.top + plotH))\" stroke=\"#999\" stroke-width=\"0.4\"/>"
            s += "<text x=\"\(f(hx))\" y=\"\(f(Self.height - 6))\" font-size=\"17\" text-anchor=\"middle\">\(hour):00</text>"
        }
        for row in rows {
            if let km = row.strikeKm {
                s += "<circle cx=\"\(f(x(Double(row.minute))))\" cy=\"\(f(y(km)))\" r=\"4\" fill=\"#5b2a86\" stroke=\"#fff\" stroke-width=\"0.8\"><title>\(String(format: "%02d:%02d", row.minute / 60, row.minute % 60)) \(HTMLText.number(km)) km</title></circle>"
            }
        }
        // The state strip.
        let stripY = Self.top + plotH + 6
        let colours = ["watch": "#f2b600", "danger": "#d11a1a", "unknown": "#888888", "no-data": "#333333"]
        for row in rows {
            guard let colour = colours[row.daemon == "running" ? row.lightning : "no-data"] else { continue }
            s += "<rect x=\"\(f(x(Double(row.minute))))\" y=\"\(f(stripY))\" width=\"\(f(max(0.6, plotW / 1440)))\" height=\"\(f(Self.strip))\" fill=\"\(colour)\"/>"
        }
        s += "<rect x=\"\(f(Self.left))\" y=\"\(f(stripY))\" width=\"\(f(plotW))\" height=\"\(f(Self.strip))\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.6\"/>"
        if let nowMinute {
            s += "<line x1=\"\(f(x(Double(nowMinute))))\" x2=\"\(f(x(Double(nowMinute))))\" y1=\"\(f(Self.top))\" y2=\"\(f(stripY + Self.strip))\" stroke=\"#1a4fa0\" stroke-width=\"1\"/>"
        }
        s += "<text x=\"\(f(Self.left + 4))\" y=\"\(f(Self.top + plotH - 4))\" font-size=\"17\" fill=\"#333\">km</text>"
        s += "<rect x=\"\(f(Self.left))\" y=\"\(f(Self.top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#333\" stroke-width=\"0.8\"/>"
        return s + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
