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

    /// `2024-08-01T13:00:00+09:00`.
    public func time(_ wall: WallClockTime) -> String {
        let c = wall.civil(utcOffsetSeconds: utcOffsetSeconds)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let magnitude = abs(utcOffsetSeconds)
        let offset = "\(utcOffsetSeconds < 0 ? "-" : "+")\(two(magnitude / 3600)):\(two((magnitude % 3600) / 60))"
        let millis = Int(((c.second - c.second.rounded(.down)) * 1000).rounded(.down))
        let fraction = millis == 0 ? "" : "." + String(String(millis + 1000).dropFirst())
        return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(Int(c.second.rounded(.down))))\(fraction)\(offset)"
    }

    func envelope(_ schema: String, seq: Int64, at: Timestamp) -> [String: JSONValue] {
        ["schema": .string("venueguard/\(schema)/\(Self.version)"), "seq": .integer(seq), "time": .string(time(at.wall)),
         "site": .string(site), "clock_synchronized": .bool(at.wallClockSynchronized)]
    }

    /// The wall-clock time of monotonic instant `instant`, seen from `status`.
    static func wall(of instant: MonotonicInstant, in status: VenueStatus) -> Timestamp {
        var at = status.at
        at.wall = status.at.wall.adding(seconds: (instant - status.at.monotonic).seconds)
        at.monotonic = instant
        return at
    }

    /// The venue's state.
    public func state(_ status: VenueStatus, seq: Int64, backlog: Int, dropped: Int64) -> [UInt8] {
        var object = envelope("state", seq: seq, at: status.at)
        object["status"] = .string(status.overall.rawValue)
        object["heat_level"] = .string(status.heatLevel.rawValue)
        var areas: [String: JSONValue] = [:]
        for area in status.areas {
            let e = area.estimate
            var inputs: [String: JSONValue] = [:]
            for (quantity, value) in e?.inputs ?? [:] {
                var input: [String: JSONValue] = ["value": .number(value.value), "unit": .string(quantity.unit.rawValue),
                                                  "source": .string(value.source.kind)]
                if case let .sensor(id, _) = value.source { input["sensor"] = .string(id.rawValue) }
                inputs[quantity.rawValue] = .object(input)
            }
            areas[area.id.rawValue] = .object([
                "name": .string(area.name), "exposure": .string(area.exposure.rawValue),
                "status": .string(area.status.rawValue), "heat_level": .string(area.heatLevel.rawValue),
                "wbgt": .optional(e?.wbgt), "wbgt_method": .optional(e?.method.rawValue), "scale": .optional(e?.scale.rawValue),
                "ta": .optional(e?.airTemperature), "tg": .optional(e?.globeTemperature), "tnw": .optional(e?.naturalWetBulb),
                "inputs": .object(inputs), "reasons": .array(area.reasons.map(JSONValue.string)),
            ])
        }
        object["areas"] = .object(areas)
        var lightning: [String: JSONValue] = ["state": .string(status.lightning.rawValue), "last_strike_km": .null, "last_strike_time": .null]
        if let strike = status.lightningStrike {
            lightning["last_strike_km"] = .optional(strike.distance.kilometresValue)
            lightning["last_strike_time"] = .string(time(Self.wall(of: strike.at, in: status).wall))
        }
        object["lightning"] = .object(lightning)
        object["alerts"] = .object(["heat_alert": .string(status.heatAlert.rawValue), "thunder_advisory": .bool(status.thunderAdvisory)])
        object["reasons"] = .array(status.reasons.map(JSONValue.string))
        object["problems"] = .array(status.sensors.flatMap { sensor -> [JSONValue] in
            if sensor.health != .ok { return [.string("\(sensor.descriptor.id): \(sensor.health)")] }
            return sensor.suspect.keys.sorted().map { .string("\(sensor.descriptor.id): \(sensor.suspect[$0]!)") }
        })
        var lamps: [String: JSONValue] = [:]
        for (lamp, pattern) in status.signal.lamps { lamps[lamp.rawValue] = .string(pattern.rawValue) }
        object["outputs"] = .object(["lamps": .object(lamps), "buzzer": .string(status.signal.buzzer.rawValue)])
        object["outbox"] = .object(["backlog": .integer(Int64(backlog)), "dropped": .integer(dropped)])
        return JSONValue.object(object).bytes
    }

    /// One sensor's latest values and health.
    public func sensor(_ sensor: SensorStatus, at: Timestamp, seq: Int64) -> [UInt8] {
        var object = envelope("sensor", seq: seq, at: at)
        object["sensor"] = .string(sensor.descriptor.id.rawValue)
        object["kind"] = .string(sensor.descriptor.kind)
        object["trust"] = .string(sensor.descriptor.trust.rawValue)
        object["quality"] = .string(sensor.health.quality)
        switch sensor.health {
        case .ok: object["reason"] = .null
        default: object["reason"] = .string(sensor.health.description)
        }
        var values: [String: JSONValue] = [:]
        for reading in sensor.readings {
            var value: [String: JSONValue] = [
                "value": .number(reading.value), "unit": .string(reading.quantity.unit.rawValue),
                "source": .string(reading.origin.rawValue), "time": .string(time(Self.wall(of: reading.at, in: at).wall)),
            ]
            // A value on the chip's clamp is published as it is, marked as a bound rather than a measurement.
            if let suspicion = sensor.suspect[reading.quantity] { value["suspect"] = .string(suspicion.description) }
            values[reading.quantity.rawValue] = .object(value)
        }
        object["values"] = .object(values)
        // Faults by reason code, and rejected input lines by reason (a serial board's garbage).
        object["rejected"] = .object(sensor.faultCounts.merging(sensor.rejectedInput) { $0 + $1 }.mapValues { .integer(Int64($0)) })
        return JSONValue.object(object).bytes
    }

    static func wall(of instant: MonotonicInstant, in at: Timestamp) -> Timestamp {
        var result = at
        result.wall = at.wall.adding(seconds: (instant - at.monotonic).seconds)
        result.monotonic = instant
        return result
    }

    /// An event.
    public func event(_ event: VenueEvent, at: Timestamp, seq: Int64) -> [UInt8] {
        var object = envelope("event", seq: seq, at: Self.wall(of: event.at, in: at))
        object["type"] = .string(event.type)
        object["summary"] = .string(event.summary)
        switch event.kind {
        case let .statusChanged(area, from, to):
            object["area"] = .string(area.rawValue)
            object["from"] = .optional(from?.rawValue)
            object["to"] = .string(to.rawValue)
        case let .lightningChanged(from, to):
            object["from"] = .optional(from?.rawValue)
            object["to"] = .string(to.rawValue)
        case let .strike(strike):
            object["distance_km"] = .optional(strike.distance.kilometresValue)
            switch strike.distance {
            case .overhead: object["distance"] = .string("overhead")
            case .outOfRange: object["distance"] = .string("out-of-range")
            case .kilometres: object["distance"] = .string("km")
            }
            object["energy"] = strike.energy.map { .integer(Int64($0)) } ?? .null
            object["sensor"] = .optional(strike.source?.rawValue)
        case let .sensorFaulted(id, reason):
            object["sensor"] = .string(id.rawValue)
            object["code"] = .string(reason.code)
            object["reason"] = .string(reason.description)
        case let .sensorStale(id), let .sensorRecovered(id):
            object["sensor"] = .string(id.rawValue)
        case let .acknowledged(source, silenced):
            object["source"] = .string(source)
            object["silenced"] = .bool(silenced)
        case let .heatAlertChanged(from, to):
            object["from"] = .string(from.rawValue)
            object["to"] = .string(to.rawValue)
        case let .thunderAdvisoryChanged(active):
            object["active"] = .bool(active)
        }
        return JSONValue.object(object).bytes
    }

    /// An event the publisher itself raises (command results, outbox drops).
    public func notice(type: String, summary: String, fields: [String: JSONValue], at: Timestamp, seq: Int64) -> [UInt8] {
        var object = envelope("event", seq: seq, at: at)
        object["type"] = .string(type)
        object["summary"] = .string(summary)
        for (key, value) in fields { object[key] = value }
        return JSONValue.object(object).bytes
    }
}
