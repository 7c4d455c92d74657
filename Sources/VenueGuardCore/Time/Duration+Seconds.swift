extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }

    /// The duration in whole nanoseconds (truncated).
    public var nanoseconds: Int64 {
        let parts = components
        return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
    }

    /// The longest span `seconds(fractional:)` gives: about 290 years, the reach of `Int64`
    /// nanoseconds. Anything longer saturates instead of trapping.
    public static let longestFractional = 9.2e9

    /// A duration of `seconds` seconds, rounded to the nanosecond; saturated at
    /// ±`longestFractional` seconds, and zero for NaN, so no number read from outside traps.
    public static func seconds(fractional seconds: Double) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let bounded = min(max(seconds, -longestFractional), longestFractional)
        return .nanoseconds(Int64((bounded * 1e9).rounded()))
    }
}

/// Formats durations the way the configuration writes them (`90s`, `10m`, `1h30m`).
public enum DurationText {
    /// Formats `duration` compactly: hours, minutes, seconds, with fractional seconds only when needed.
    public static func format(_ duration: Duration) -> String {
        var ns = duration.nanoseconds
        let negative = ns < 0
        if negative { ns = -ns }
        if ns > 0 && ns < 1_000_000_000 && ns % 1_000_000 == 0 { return (negative ? "-" : "") + "\(ns / 1_000_000)ms" }
        let totalSeconds = ns / 1_000_000_000
        let fraction = ns % 1_000_000_000
        let h = totalSeconds / 3600, m = (totalSeconds % 3600) / 60, s = totalSeconds % 60
        var text = ""
        if h > 0 { text += "\(h)h" }
        if m > 0 { text += "\(m)m" }
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "\(s).\(digits)s"
        } else if s > 0 || text.isEmpty {
            text += "\(s)s"
        }
        return negative ? "-" + text : text
    }

    /// The longest duration a text may give: 100 years (no timer in VenueGuard needs more,
    /// and each key bounds itself much tighter).
    public static let longest = Duration.seconds(100 * 366 * 86400)

    /// Parses `90`, `90s`, `1.5s`, `250ms`, `10m`, `2h`, `1h30m`, `1d`; `nil` when not a
    /// duration, negative, or longer than `longest`.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty, trimmed.utf8.count <= 40 else { return nil }
        if let plain = Double(trimmed) {
            return plain.isFinite && plain >= 0 && plain <= longest.seconds ? .seconds(fractional: plain) : nil
        }
        var total: Double = 0
        var number = ""
        var index = trimmed.startIndex
        var sawUnit = false
        while index < trimmed.endIndex {
            let c = trimmed[index]
            if c.isNumber || c == "." {
                number.append(c)
                index = trimmed.index(after: index)
                continue
            }
            var unit = String(c)
            let next = trimmed.index(after: index)
            if c == "m", next < trimmed.endIndex, trimmed[next] == "s" {
                unit = "ms"
                index = trimmed.index(after: next)
            } else {
                index = next
            }
            guard let value = Double(number) else { return nil }
            number = ""
            switch unit {
            case "ms": total += value / 1000
            case "s": total += value
            case "m": total += value * 60
            case "h": total += value * 3600
            case "d": total += value * 86400
            default: return nil
            }
            sawUnit = true
        }
        if !number.isEmpty { return nil }
        guard sawUnit, total.isFinite, total <= longest.seconds else { return nil }
        return .seconds(fractional: total)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, carriage returns and newlines.
    public func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
