import Foundation
import VenueGuardCore
import VenueGuardTelemetry

/// The JSON form of a venue status, as `simulate` prints it: machine names exactly as
/// documented (`safe` … `stop`, `unknown`; `clear`, `watch`, `danger`), numbers rounded to
/// 0.01, keys sorted, so the same input gives the same bytes.
public struct StatusJSON: Encodable, Equatable {
    /// One area's part.
    public struct Area: Encodable, Equatable {
        var status: String
        var heatLevel: String
        var wbgt: Double?
        var wbgtMethod: String?
        var scale: String?
        var ta: Double?
        var tg: Double?
        var tnw: Double?
        var inputs: [String: String]

        enum CodingKeys: String, CodingKey {
            case status, wbgt, scale, ta, tg, tnw, inputs
            case heatLevel = "heat_level"
            case wbgtMethod = "wbgt_method"
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(status, forKey: .status)
            try c.encode(heatLevel, forKey: .heatLevel)
            try c.encode(wbgt, forKey: .wbgt)
            try c.encode(wbgtMethod, forKey: .wbgtMethod)
            try c.encodeIfPresent(scale, forKey: .scale)
            try c.encodeIfPresent(ta, forKey: .ta)
            try c.encodeIfPresent(tg, forKey: .tg)
            try c.encodeIfPresent(tnw, forKey: .tnw)
            try c.encode(inputs, forKey: .inputs)
        }
    }

    var t: Double
    var time: String
    var status: [String: String]
    var overall: String
    var heatLevel: String
    var wbgt: Double?
    var wbgtMethod: String?
    var areas: [String: Area]
    var lightning: String
    var heatAlert: String
    var thunderAdvisory: Bool
    var reasons: [String]
    var details: [String]
    var leds: [String: String]
    var buzzer: String

    enum CodingKeys: String, CodingKey {
        case t, time, status, overall, wbgt, areas, lightning, reasons, details, leds, buzzer
        case heatLevel = "heat_level"
        case wbgtMethod = "wbgt_method"
        case heatAlert = "heat_alert"
        case thunderAdvisory = "thunder_advisory"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(t, forKey: .t)
        try c.encode(time, forKey: .time)
        try c.encode(status, forKey: .status)
        try c.encode(overall, forKey: .overall)
        try c.encode(heatLevel, forKey: .heatLevel)
        try c.encode(wbgt, forKey: .wbgt)
        try c.encode(wbgtMethod, forKey: .wbgtMethod)
        try c.encode(areas, forKey: .areas)
        try c.encode(lightning, forKey: .lightning)
        try c.encode(heatAlert, forKey: .heatAlert)
        try c.encode(thunderAdvisory, forKey: .thunderAdvisory)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(details, forKey: .details)
        try c.encode(leds, forKey: .leds)
        try c.encode(buzzer, forKey: .buzzer)
    }

    /// The JSON form of `status`, with `t` in seconds from `origin` and `time` in the given offset.
    public init(_ status: VenueStatus, origin: MonotonicInstant, utcOffsetSeconds: Int, signalAreas: [AreaID]) {
        t = Self.round((status.at.monotonic - origin).seconds)
        time = Self.iso8601(status.at.wall, utcOffsetSeconds: utcOffsetSeconds)
        self.status = Dictionary(uniqueKeysWithValues: status.areas.map { ($0.id.rawValue, $0.status.rawValue) })
        overall = status.overall.rawValue
        heatLevel = status.heatLevel.rawValue
        areas = Dictionary(uniqueKeysWithValues: status.areas.map { area in
            let e = area.estimate
            var inputs: [String: String] = [:]
            for (quantity, value) in e?.inputs ?? [:] { inputs[quantity.rawValue] = value.source.description }
            return (area.id.rawValue, Area(status: area.status.rawValue, heatLevel: area.heatLevel.rawValue,
                                           wbgt: e?.wbgt.map(Self.round), wbgtMethod: e?.method.rawValue, scale: e?.scale.rawValue,
                                           ta: e?.airTemperature.map(Self.round), tg: e?.globeTemperature.map(Self.round),
                                           tnw: e?.naturalWetBulb.map(Self.round), inputs: inputs))
        })
        // The top-level WBGT is the deciding area's: the highest heat level, then the highest value.
        let deciding = status.areas
            .filter { signalAreas.contains($0.id) && $0.estimate != nil }
            .max { a, b in
                let ra = a.heatLevel.rank ?? -1, rb = b.heatLevel.rank ?? -1
                if ra != rb { return ra < rb }
                return (a.estimate!.wbgt ?? -.infinity) < (b.estimate!.wbgt ?? -.infinity)
            }
        wbgt = deciding?.estimate?.wbgt.map(Self.round)
        wbgtMethod = deciding?.estimate?.method.rawValue
        lightning = status.lightning.rawValue
        heatAlert = status.heatAlert.rawValue
        thunderAdvisory = status.thunderAdvisory
        reasons = status.reasons
        details = status.details
        leds = Dictionary(uniqueKeysWithValues: status.signal.lamps.map { ($0.key.rawValue, $0.value.rawValue) })
        buzzer = status.signal.buzzer.rawValue
    }

    /// Whether `other` shows the same statuses, reasons and outputs (WBGT values, details and time aside):
    /// `simulate` prints a line only when this changes.
    public func sameStateAs(_ other: StatusJSON) -> Bool {
        status == other.status && overall == other.overall && heatLevel == other.heatLevel && wbgtMethod == other.wbgtMethod
            && areas.mapValues(\.wbgtMethod) == other.areas.mapValues(\.wbgtMethod)
            && areas.mapValues(\.heatLevel) == other.areas.mapValues(\.heatLevel)
            && lightning == other.lightning && heatAlert == other.heatAlert && thunderAdvisory == other.thunderAdvisory
            && reasons == other.reasons && leds == other.leds && buzzer == other.buzzer
    }

    /// One line of JSON, keys in alphabetical order (so the same input gives the same bytes).
    public func line() -> String {
        let bytes = JSONWriter.object { o in
            o.field("areas") { a in
                for id in areas.keys.sorted() {
                    let area = areas[id]!
                    a.field(JSONKey(id)) { f in
                        f.field("heat_level", area.heatLevel)
                        f.field("inputs") { i in for key in area.inputs.keys.sorted() { i.field(JSONKey(key), area.inputs[key]!) } }
                        if let scale = area.scale { f.field("scale", scale) }
                        f.field("status", area.status)
                        if let ta = area.ta { f.field("ta", ta) }
                        if let tg = area.tg { f.field("tg", tg) }
                        if let tnw = area.tnw { f.field("tnw", tnw) }
                        f.field("wbgt", area.wbgt)
                        f.field("wbgt_method", area.wbgtMethod)
                    }
                }
            }
            o.field("buzzer", buzzer)
            o.field("details", strings: details)
            o.field("heat_alert", heatAlert)
            o.field("heat_level", heatLevel)
            o.field("leds") { l in for key in leds.keys.sorted() { l.field(JSONKey(key), leds[key]!) } }
            o.field("lightning", lightning)
            o.field("overall", overall)
            o.field("reasons", strings: reasons)
            o.field("status") { st in for key in status.keys.sorted() { st.field(JSONKey(key), status[key]!) } }
            o.field("t", t)
            o.field("thunder_advisory", thunderAdvisory)
            o.field("time", time)
            o.field("wbgt", wbgt)
            o.field("wbgt_method", wbgtMethod)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func round(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    /// `2024-08-01T13:00:00+09:00`.
    public static func iso8601(_ time: WallClockTime, utcOffsetSeconds: Int) -> String {
        let c = time.civil(utcOffsetSeconds: utcOffsetSeconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let second = Int(c.second.rounded(.down))
        let magnitude = abs(utcOffsetSeconds)
        let offset = "\(utcOffsetSeconds < 0 ? "-" : "+")\(two(magnitude / 3600)):\(two((magnitude % 3600) / 60))"
        return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(second))\(offset)"
    }
}
