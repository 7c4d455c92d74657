import Foundation
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardTelemetry

/// Validates the companion service's reports that have no MQTT command twin: `feed` (what it
/// knows about one official source) and `forecast` (the official WBGT forecast). Every field is
/// typed, bounded and checked; unknown fields, duplicate keys and times far from the daemon's
/// clock are refused, so a faulty or hostile companion can make the daemon say "not known",
/// never crash it or change a level.
///
/// ```text
/// feed\n{"source":"heat_alerts","state":"known","as_of":"2026-07-01T14:05:00+09:00"}
/// feed\n{"source":"thunder_advisory","state":"not-known","since":"2026-07-01T13:20:00+09:00"}
/// feed\n{"source":"forecast","state":"out-of-season"}
/// estimate\n{"point":"44132","hour":"2026-07-01T14:00:00+09:00","wbgt":31.2}
/// forecast\n{"point":"44132","generated":"2026-07-01T05:00:00+09:00",
///            "today":{"date":"2026-07-01","max_wbgt":31.2,"level":"stop","at_or_above":{"caution":["09:00","12:00"]}},
///            "tomorrow":{…}}
/// ```
enum CompanionInputParser {
    /// How far a report's time may lie ahead of the daemon's synchronised clock.
    static let maximumAhead = 600.0
    /// How far back a `since` or `as_of` may lie (the companion keeps nothing older).
    static let maximumAge = 8.0 * 86400
    /// Forecast times per level and day (the Ministry's forecast is 3-hourly: 8 a day).
    static let maximumTimes = 8

    static func parse(name: String, payload: [UInt8], now: Timestamp) -> Result<[VenueInput], CommandRejection> {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload))) as? [String: Any] else {
            return .failure(CommandRejection("\(name): the payload is not a JSON object", code: "not-json"))
        }
        if let duplicate = JSONKeys.firstDuplicateTopLevelKey(payload) {
            return .failure(CommandRejection("\(name): key '\(duplicate.prefix(32))' appears twice", code: "duplicate-key"))
        }
        do throws(CommandRejection) {
            switch name {
            case "feed": return .success([try feed(object, now: now)])
            case "forecast": return .success([.officialForecast(try forecast(object, payload: payload, now: now))])
            case "estimate": return .success([try estimate(object, now: now)])
            default: throw CommandRejection("'\(name.prefix(16))' is not a report", code: "unknown-input")
            }
        } catch {
            return .failure(error)
        }
    }

    // MARK: - feed

    static func feed(_ o: [String: Any], now: Timestamp) throws(CommandRejection) -> VenueInput {
        try only(o, ["source", "state", "as_of", "since"], in: "feed")
        guard let word = o["source"] as? String, let source = OfficialSource(rawValue: word) else {
            throw CommandRejection("feed: 'source' must be heat_alerts, thunder_advisory or forecast", code: "bad-field")
        }
        switch o["state"] as? String {
        case "known":
            guard o["since"] == nil, let asOf = try time(o["as_of"], "as_of", now: now) else {
                throw CommandRejection("feed: 'known' needs 'as_of' (and no 'since')", code: "bad-field")
            }
            return .officialFeed(source, .known(asOf: asOf))
        case "not-known":
            guard o["as_of"] == nil else { throw CommandRejection("feed: 'not-known' takes 'since', not 'as_of'", code: "bad-field") }
            return .officialFeed(source, .notKnown(since: try time(o["since"], "since", now: now)))
        case "out-of-season":
            guard o["as_of"] == nil, o["since"] == nil else { throw CommandRejection("feed: 'out-of-season' takes no time", code: "bad-field") }
            return .officialFeed(source, .outOfSeason)
        default:
            throw CommandRejection("feed: 'state' must be known, not-known or out-of-season", code: "bad-field")
        }
    }

    // MARK: - estimate

    /// `{"point":"44132","hour":"2026-08-07T14:00:00+09:00","wbgt":31.2}`: on the hour, within
    /// the last two days, −20…60 °C (the Ministry's own bounds).
    static func estimate(_ o: [String: Any], now: Timestamp) throws(CommandRejection) -> VenueInput {
        try only(o, ["point", "hour", "wbgt"], in: "estimate")
        guard let point = o["point"] as? String, point.utf8.count == 5, point.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw CommandRejection("estimate: 'point' must be 5 digits", code: "bad-field")
        }
        guard let hour = try time(o["hour"], "hour", now: now), hour.secondsSince1970.truncatingRemainder(dividingBy: 3600) == 0 else {
            throw CommandRejection("estimate: 'hour' must be a time on the hour", code: "bad-field")
        }
        if now.wallClockSynchronized, now.wall.secondsSince1970 - hour.secondsSince1970 > 2 * 86400 {
            throw CommandRejection("estimate: 'hour' is more than two days old", code: "bad-field")
        }
        // JSON's true is not a number: JSONSerialization bridges both to NSNumber, so the
        // value is read back from its own text through the typed decoder.
        struct Fields: Decodable { var wbgt: Double }
        guard let data = try? JSONSerialization.data(withJSONObject: ["wbgt": o["wbgt"] ?? NSNull()]),
              let wbgt = try? JSONDecoder().decode(Fields.self, from: data).wbgt, (-20.0...60.0).contains(wbgt) else {
            throw CommandRejection("estimate: 'wbgt' must be a number of −20…60 °C", code: "bad-field")
        }
        return .officialEstimate(hour: hour, wbgt: wbgt)
    }

    // MARK: - forecast

    /// The forecast's typed shape (JSON's `true` is not a number, `"31"` is not 31).
    struct ForecastFields: Decodable {
        struct Day: Decodable {
            var date: String
            var max_wbgt: Double?
            var level: String?
            var at_or_above: [String: [String]]?
        }
        var point: String
        var generated: String
        var today: Day
        var tomorrow: Day
    }

    static func forecast(_ o: [String: Any], payload: [UInt8], now: Timestamp) throws(CommandRejection) -> OfficialForecast {
        try only(o, ["point", "generated", "today", "tomorrow"], in: "forecast")
        for key in ["today", "tomorrow"] {
            guard let day = o[key] as? [String: Any] else { throw CommandRejection("forecast: '\(key)' must be an object", code: "bad-field") }
            try only(day, ["date", "max_wbgt", "level", "at_or_above"], in: "forecast.\(key)")
            if let levels = day["at_or_above"] as? [String: Any] {
                try only(levels, ["caution", "warning", "severe", "stop"], in: "forecast.\(key).at_or_above")
            }
        }
        let fields: ForecastFields
        do {
            fields = try JSONDecoder().decode(ForecastFields.self, from: Data(payload))
        } catch {
            throw CommandRejection("forecast: a field is missing or has the wrong type", code: "bad-field")
        }
        guard fields.point.utf8.count == 5, fields.point.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw CommandRejection("forecast: 'point' must be 5 digits", code: "bad-field")
        }
        // The Ministry's own time: a box whose clock is behind may see it ahead (the forecast
        // itself says so), by a day at most.
        guard let generated = try time(fields.generated, "generated", now: now, maximumAhead: 86400) else {
            throw CommandRejection("forecast: 'generated' is required", code: "bad-field")
        }
        return OfficialForecast(point: fields.point, generated: generated,
                                today: try day(fields.today, "today"), tomorrow: try day(fields.tomorrow, "tomorrow"))
    }

    static func day(_ d: ForecastFields.Day, _ key: String) throws(CommandRejection) -> OfficialForecast.Day {
        guard ISODate.isValid(d.date) else { throw CommandRejection("forecast.\(key): 'date' must be YYYY-MM-DD", code: "bad-field") }
        if let maximum = d.max_wbgt, !(0.0...45.0).contains(maximum) {
            throw CommandRejection("forecast.\(key): 'max_wbgt' must be 0–45 °C", code: "bad-field")
        }
        var level: HeatLevel?
        if let word = d.level {
            guard let parsed = HeatLevel(rawValue: word) else {
                throw CommandRejection("forecast.\(key): 'level' must be one of \(HeatLevel.allCases.map(\.rawValue).joined(separator: ", "))", code: "bad-field")
            }
            level = parsed
        }
        var atOrAbove: [HeatLevel: [String]] = [:]
        for (word, times) in d.at_or_above ?? [:] {
            guard times.count <= maximumTimes, times.allSatisfy(isHourMinute), let threshold = HeatLevel(rawValue: word) else {
                throw CommandRejection("forecast.\(key).at_or_above.\(word.prefix(16)): at most \(maximumTimes) times HH:MM", code: "bad-field")
            }
            atOrAbove[threshold] = times
        }
        return OfficialForecast.Day(date: d.date, maximum: d.max_wbgt, level: level, atOrAbove: atOrAbove)
    }

    // MARK: - Pieces

    static func only(_ o: [String: Any], _ keys: Set<String>, in what: String) throws(CommandRejection) {
        let extra = Set(o.keys).subtracting(keys)
        guard extra.isEmpty else {
            throw CommandRejection("\(what): unknown field(s): \(extra.sorted().prefix(5).map { String($0.prefix(32)) }.joined(separator: ", "))", code: "unknown-field")
        }
    }

    /// An RFC 3339 time with offset, within `maximumAge` before and `maximumAhead` after `now`
    /// (when the daemon's clock is synchronised; otherwise it cannot judge and takes it).
    static func time(_ value: Any?, _ key: String, now: Timestamp, maximumAhead: Double = maximumAhead) throws(CommandRejection) -> WallClockTime? {
        guard let value else { return nil }
        guard let text = value as? String, let (time, _) = ISO8601Time.parse(text) else {
            throw CommandRejection("'\(key)' must be an ISO 8601 time with offset", code: "bad-field")
        }
        if now.wallClockSynchronized {
            let ahead = time.secondsSince1970 - now.wall.secondsSince1970
            guard ahead <= maximumAhead, -ahead <= maximumAge else {
                throw CommandRejection("'\(key)' is \(ahead > 0 ? "ahead of" : "more than 8 days behind") the box's clock", code: "bad-field")
            }
        }
        return time
    }

    /// `HH:MM`, 00:00–24:00 (the forecast's last slot of a day is 24:00).
    static func isHourMinute(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [0, 1, 3, 4].allSatisfy({ (0x30...0x39).contains(b[$0]) }) else { return false }
        let hour = Int(b[0] - 0x30) * 10 + Int(b[1] - 0x30), minute = Int(b[3] - 0x30) * 10 + Int(b[4] - 0x30)
        return (hour < 24 && minute < 60) || (hour == 24 && minute == 0)
    }
}

/// `YYYY-MM-DD` dates that exist.
enum ISODate {
    static func isValid(_ text: String) -> Bool {
        let b = Array(text.utf8)
        guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let year = Int(text.prefix(4)), let month = Int(text.dropFirst(5).prefix(2)), let day = Int(text.suffix(2)),
              [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy({ (0x30...0x39).contains(b[$0]) }),
              (2000...2100).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }
}
