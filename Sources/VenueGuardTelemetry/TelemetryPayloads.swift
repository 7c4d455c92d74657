import VenueGuardCore

/// The JSON payloads other clubs' tools subscribe to. Every payload has `schema` (name and
/// version), `seq` (per site, increasing across restarts), `time` (ISO 8601 with the site's
/// offset), `site`, and `clock_synchronized` (false while the board's clock is not known to
/// be right). The JSON Schemas are in `schemas/`.
public struct TelemetryPayloads: Sendable {
    /// The schema version of every payload.
    public static let version = 1
    /// The site id.
    public let site: String
    /// The site's UTC offset, seconds.
    public let utcOffsetSeconds: Int

    /// Creates payload builders for a site.
    public init(site: String, utcOffsetSeconds: Int) {
        self.site = site
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// `2024-08-01T13:00:00+09:00` (milliseconds when not whole: `…:00.250+09:00`).
    public func time(_ wall: WallClockTime) -> String {
        var writer = JSONWriter(capacity: 32)
        writer.time(wall, utcOffsetSeconds: utcOffsetSeconds)
        return String(decoding: writer.bytes.dropFirst().dropLast(), as: UTF8.self)
    }

    /// The schema names, `venueguard/<name>/<version>`.
    enum Schema: String {
        case state = "venueguard/state/1"
        case sensor = "venueguard/sensor/1"
        case event = "venueguard/event/1"
        case forecast = "venueguard/forecast/1"
    }

    /// The fields every payload starts with, in the schemas' order.
    func envelope(_ o: inout JSONWriter.Object, _ schema: Schema, seq: Int64, at: Timestamp) {
        o.field("schema", schema.rawValue)
        o.field("seq", seq)
        o.field("time", at.wall, utcOffsetSeconds: utcOffsetSeconds)
        o.field("site", site)
        o.field("clock_synchronized", at.wallClockSynchronized)
    }

    /// The wall-clock time of monotonic instant `instant`, seen from `status`.
    static func wall(of instant: MonotonicInstant, in status: VenueStatus) -> Timestamp {
        wall(of: instant, in: status.at)
    }

    static func wall(of instant: MonotonicInstant, in at: Timestamp) -> Timestamp {
        var result = at
        result.wall = at.wall.adding(seconds: (instant - at.monotonic).seconds)
        result.monotonic = instant
        return result
    }

    /// The problems a state lists: sensors not ok, and values on a clamp.
    static func problems(_ status: VenueStatus) -> [String] {
        status.sensors.flatMap { sensor -> [String] in
            if sensor.health != .ok { return ["\(sensor.descriptor.id): \(sensor.health)"] }
            return sensor.suspect.keys.sorted().map { "\(sensor.descriptor.id): \(sensor.suspect[$0]!)" }
        } + status.estimateDisagreements.keys.sorted().map { "\($0): \(status.estimateDisagreements[$0]!.englishText)" }
    }

    /// The venue's state.
    public func state(_ status: VenueStatus, seq: Int64, backlog: Int, dropped: Int64) -> [UInt8] {
        JSONWriter.object(capacity: 2048) { o in
            envelope(&o, .state, seq: seq, at: status.at)
            o.field("status", status.overall.rawValue)
            o.field("heat_level", status.heatLevel.rawValue)
            o.field("areas") { areas in
                for area in status.areas {
                    let e = area.estimate
                    areas.field(JSONKey(area.id.rawValue)) { a in
                        a.field("name", area.name)
                        a.field("exposure", area.exposure.rawValue)
                        a.field("status", area.status.rawValue)
                        a.field("heat_level", area.heatLevel.rawValue)
                        a.field("wbgt", e?.wbgt)
                        a.field("wbgt_method", e?.method.rawValue)
                        a.field("scale", e?.scale.rawValue)
                        a.field("ta", e?.airTemperature)
                        a.field("tg", e?.globeTemperature)
                        a.field("tnw", e?.naturalWetBulb)
                        a.field("inputs") { inputs in
                            for quantity in (e?.inputs.keys.sorted() ?? []) {
                                let value = e!.inputs[quantity]!
                                inputs.field(JSONKey(quantity.rawValue)) { input in
                                    input.field("value", value.value)
                                    input.field("unit", quantity.unit.rawValue)
                                    input.field("source", value.source.kind)
                                    if case let .sensor(id, _) = value.source { input.field("sensor", id.rawValue) }
                                }
                            }
                        }
                        a.field("reasons", strings: area.reasons)
                    }
                }
            }
            o.field("lightning") { l in
                l.field("state", status.lightning.rawValue)
                l.field("last_strike_km", status.lightningStrike?.distance.kilometresValue)
                l.field("last_strike_time", status.lightningStrike.map { time(Self.wall(of: $0.at, in: status).wall) })
            }
            o.field("alerts") { a in
                a.field("heat_alert", status.heatAlert.rawValue)
                a.field("thunder_advisory", status.thunderAdvisory)
            }
            if !status.official.isEmpty {
                o.field("official") { feeds in
                    for feed in status.official { feeds.field(JSONKey(feed.source.rawValue)) { f in self.official(feed, &f) } }
                }
            }
            o.field("reasons", strings: status.reasons)
            o.field("problems", strings: Self.problems(status))
            o.field("outputs") { out in
                out.field("lamps") { lamps in
                    for lamp in Lamp.allCases { if let pattern = status.signal.lamps[lamp] { lamps.field(JSONKey(lamp.rawValue), pattern.rawValue) } }
                }
                out.field("buzzer", status.signal.buzzer.rawValue)
            }
            o.field("outbox") { b in
                b.field("backlog", backlog)
                b.field("dropped", dropped)
            }
        }
    }

    /// One sensor's latest values and health.
    public func sensor(_ sensor: SensorStatus, at: Timestamp, seq: Int64) -> [UInt8] {
        JSONWriter.object(capacity: 640) { o in
            envelope(&o, .sensor, seq: seq, at: at)
            o.field("sensor", sensor.descriptor.id.rawValue)
            o.field("kind", sensor.descriptor.kind)
            o.field("trust", sensor.descriptor.trust.rawValue)
            o.field("quality", sensor.health.quality)
            o.field("reason", sensor.health == .ok ? nil : sensor.health.description)
            o.field("values") { values in
                for reading in sensor.readings {
                    values.field(JSONKey(reading.quantity.rawValue)) { v in
                        v.field("value", reading.value)
                        v.field("unit", reading.quantity.unit.rawValue)
                        v.field("source", reading.origin.rawValue)
                        v.field("time", Self.wall(of: reading.at, in: at).wall, utcOffsetSeconds: utcOffsetSeconds)
                        // A value on the chip's clamp is published as it is, marked as a bound rather than a measurement.
                        if let suspicion = sensor.suspect[reading.quantity] { v.field("suspect", suspicion.description) }
                    }
                }
            }
            // Faults by reason code, and rejected input lines by reason (a serial board's garbage).
            o.field("rejected", counts: sensor.faultCounts.merging(sensor.rejectedInput) { $0 + $1 })
        }
    }

    /// An event.
    public func event(_ event: VenueEvent, at: Timestamp, seq: Int64) -> [UInt8] {
        JSONWriter.object(capacity: 400) { o in
            envelope(&o, .event, seq: seq, at: Self.wall(of: event.at, in: at))
            o.field("type", event.type)
            o.field("summary", event.summary)
            switch event.kind {
            case let .statusChanged(area, from, to):
                o.field("area", area.rawValue)
                o.field("from", from?.rawValue)
                o.field("to", to.rawValue)
            case let .lightningChanged(from, to):
                o.field("from", from?.rawValue)
                o.field("to", to.rawValue)
            case let .strike(strike):
                o.field("distance_km", strike.distance.kilometresValue)
                switch strike.distance {
                case .overhead: o.field("distance", "overhead")
                case .outOfRange: o.field("distance", "out-of-range")
                case .kilometres: o.field("distance", "km")
                }
                if let energy = strike.energy { o.field("energy", energy) } else { o.null("energy") }
                o.field("sensor", strike.source?.rawValue)
            case let .sensorFaulted(id, reason):
                o.field("sensor", id.rawValue)
                o.field("code", reason.code)
                o.field("reason", reason.description)
            case let .sensorStale(id), let .sensorRecovered(id):
                o.field("sensor", id.rawValue)
            case let .acknowledged(source, silenced):
                o.field("source", source)
                o.field("silenced", silenced)
            case let .heatAlertChanged(from, to):
                o.field("from", from.rawValue)
                o.field("to", to.rawValue)
            case let .thunderAdvisoryChanged(active):
                o.field("active", active)
            case let .officialFeedChanged(feed, _):
                o.field("source", feed.source.rawValue)
                official(feed, &o)
            case let .estimateDisagreement(area, diagnostic):
                o.field("area", area.rawValue)
                o.field("raised", diagnostic != nil)
                if let diagnostic {
                    o.field("mean_difference", diagnostic.meanDifference)
                    o.field("text_en", diagnostic.englishText)
                    o.field("text_ja", diagnostic.japaneseText)
                }
            }
        }
    }

    /// An official source's fields: `state` (`known`, `not-known`, `out-of-season`, or `pending`
    /// while the daemon waits for the companion's first word since its start), `as_of` or
    /// `since` (absent when never known), `companion_silent`, and the texts in both languages.
    func official(_ feed: OfficialFeedStatus, _ o: inout JSONWriter.Object) {
        o.field("state", feed.awaitingCompanion ? "pending" : feed.availability.machineName)
        switch feed.availability {
        case let .known(asOf): o.field("as_of", asOf, utcOffsetSeconds: utcOffsetSeconds)
        case let .notKnown(since?): o.field("since", since, utcOffsetSeconds: utcOffsetSeconds)
        case .notKnown(nil), .outOfSeason: break
        }
        o.field("companion_silent", feed.companionSilent)
        o.field("text_en", feed.englishText(utcOffsetSeconds: utcOffsetSeconds))
        o.field("text_ja", feed.japaneseText(utcOffsetSeconds: utcOffsetSeconds))
    }

    /// The official WBGT forecast (`forecast`, retained): the point, when the Ministry generated
    /// it, and for today and tomorrow the date, the maximum (°C), its level and the forecast
    /// times (`HH:MM`, JST) at or above each level from caution up. Source: 環境省熱中症予防情報サイト.
    public func forecast(_ forecast: OfficialForecast, at: Timestamp, seq: Int64) -> [UInt8] {
        JSONWriter.object(capacity: 900) { o in
            envelope(&o, .forecast, seq: seq, at: at)
            o.field("point", forecast.point)
            o.field("generated", forecast.generated, utcOffsetSeconds: utcOffsetSeconds)
            for (key, day) in [("today", forecast.today), ("tomorrow", forecast.tomorrow)] {
                o.field(JSONKey(key)) { d in
                    d.field("date", day.date)
                    d.field("max_wbgt", day.maximum)
                    d.field("level", day.level?.rawValue)
                    d.field("at_or_above") { levels in
                        for level in [HeatLevel.caution, .warning, .severe, .stop] {
                            if let times = day.atOrAbove[level] { levels.field(JSONKey(level.rawValue), strings: times) }
                        }
                    }
                }
            }
            o.field("source", "環境省熱中症予防情報サイト (Ministry of the Environment, heat illness prevention site)")
        }
    }

    /// An event the publisher itself raises (command results, outbox repairs); `fields`
    /// writes its particular fields.
    public func notice(type: String, summary: String, at: Timestamp, seq: Int64, fields: (inout JSONWriter.Object) -> Void) -> [UInt8] {
        JSONWriter.object(capacity: 400) { o in
            envelope(&o, .event, seq: seq, at: at)
            o.field("type", type)
            o.field("summary", summary)
            fields(&o)
        }
    }
}
