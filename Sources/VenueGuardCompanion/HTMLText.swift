import Foundation

/// Text placed in the page's HTML and SVG: everything from the daemon's file, the site file and
/// the feeds is escaped, so no value can add markup or script to the page.
enum HTMLText {
    /// `text` with `& < > " '` escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A number with one decimal, for °C and km (`"–"` when absent).
    static func number(_ value: Double?, digits: Int = 1) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f", value)
    }

    /// `HH:MM` of an ISO 8601 time as the daemon writes it (the site's local time).
    static func clock(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return "–" }
        let start = iso.index(iso.startIndex, offsetBy: 11)
        return String(iso[start..<iso.index(start, offsetBy: 5)])
    }

    /// `HH:MM:SS` at the site's offset of wall time `unix`.
    static func clock(unix: Double, utcOffsetSeconds: Int) -> String {
        let local = Int((unix + Double(utcOffsetSeconds)).rounded(.down))
        let second = ((local % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d:%02d", second / 3600, (second % 3600) / 60, second % 60)
    }
}
