import Foundation
import VenueGuardConfiguration
import VenueGuardCore

/// Validates commands arriving on `cmd/ack`, `cmd/alert` and `cmd/ping` (off by default).
/// Anything malformed is rejected with a reason; nothing a command does can lower a level
/// the sensors raised (commands only acknowledge, or set and clear alert floors).
public enum CommandParser {
    /// A valid command.
    public enum Command: Hashable, Sendable {
        /// Silence the alarm.
        case acknowledge(by: String?)
        /// Set or clear the heat alert, until an expiry.
        case heatAlert(HeatAlert, until: WallClockTime?)
        /// Set or clear the thunder advisory, until an expiry.
        case thunderAdvisory(Bool, until: WallClockTime?)
        /// Answer with a `pong` event.
        case ping(id: String?)
    }

    /// The largest command accepted, bytes.
    public static let maximumSize = 1024
    /// The furthest an alert may be set ahead.
    public static let maximumValidity = 48.0 * 3600

    /// Parses a command; `name` is the last topic level (`ack`, `alert`, `ping`).
    public static func parse(name: String, payload: [UInt8], now: Timestamp) -> Result<Command, CommandRejection> {
        guard payload.count <= maximumSize else { return .failure(.init("payload larger than \(maximumSize) bytes")) }
        let object: [String: Any]
        if payload.isEmpty {
            object = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
                return .failure(.init("payload is not a JSON object"))
            }
            object = parsed
        }
        // Typed fields through Codable: JSON's true is not 1, and "1" is not a number.
        struct Fields: Decodable {
            var by: String?
            var id: String?
            var heat_alert: String?
            var thunder_advisory: Bool?
            var until: String?
        }
        let fields: Fields
        do {
            fields = payload.isEmpty ? Fields() : try JSONDecoder().decode(Fields.self, from: Data(payload))
        } catch {
            return .failure(.init("a field has the wrong type"))
        }
        func text(_ key: String, maxLength: Int = 64) -> Result<String?, CommandRejection> {
            guard object[key] != nil else { return .success(nil) }
            let value: String? = key == "by" ? fields.by : key == "id" ? fields.id : nil
            guard let string = value, !string.isEmpty, string.count <= maxLength,
                  string.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                return .failure(.init("'\(key)' must be text of 1–\(maxLength) printable characters"))
            }
            return .success(string)
        }
        func only(_ keys: Set<String>) -> CommandRejection? {
            let extra = Set(object.keys).subtracting(keys)
            return extra.isEmpty ? nil : .init("unknown field(s): \(extra.sorted().joined(separator: ", "))")
        }
        switch name {
        case "ack":
            if let problem = only(["by"]) { return .failure(problem) }
            return text("by").map { .acknowledge(by: $0) }
        case "ping":
            if let problem = only(["id"]) { return .failure(problem) }
            return text("id").map { .ping(id: $0) }
        case "alert":
            if let problem = only(["heat_alert", "thunder_advisory", "until"]) { return .failure(problem) }
            let hasHeat = object["heat_alert"] != nil, hasThunder = object["thunder_advisory"] != nil
            guard hasHeat != hasThunder else { return .failure(.init("give exactly one of heat_alert and thunder_advisory")) }
            var until: WallClockTime?
            if object["until"] != nil {
                guard let string = fields.until, let (time, _) = ISO8601Time.parse(string) else {
                    return .failure(.init("'until' must be an ISO 8601 time with offset"))
                }
                if now.wallClockSynchronized {
                    guard time > now.wall else { return .failure(.init("'until' is in the past")) }
                    guard time.secondsSince1970 - now.wall.secondsSince1970 <= maximumValidity else {
                        return .failure(.init("'until' is more than 48 hours ahead"))
                    }
                }
                until = time
            }
            if hasHeat {
                guard let word = fields.heat_alert, let alert = HeatAlert(rawValue: word) else {
                    return .failure(.init("heat_alert must be none, alert or special-alert"))
                }
                if alert != .none && until == nil { return .failure(.init("an alert needs 'until' (its expiry)")) }
                return .success(.heatAlert(alert, until: alert == .none ? nil : until))
            }
            guard let active = fields.thunder_advisory else {
                return .failure(.init("thunder_advisory must be true or false"))
            }
            if active && until == nil { return .failure(.init("an advisory needs 'until' (its expiry)")) }
            return .success(.thunderAdvisory(active, until: active ? until : nil))
        default:
            return .failure(.init("unknown command '\(name)'"))
        }
    }
}

/// Why a command was refused.
public struct CommandRejection: Error, Hashable, Sendable {
    /// In words.
    public var reason: String
    /// Creates a rejection.
    public init(_ reason: String) { self.reason = reason }
}
