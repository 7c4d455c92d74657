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
        guard payload.count <= maximumSize else { return .failure(.init("payload larger than \(maximumSize) bytes", code: "too-large")) }
        let object: [String: Any]
        if payload.isEmpty {
            object = [:]
        } else {
            guard let parsed = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] else {
                return .failure(.init("payload is not a JSON object", code: "not-json"))
            }
            // JSONSerialization keeps the last of two equal keys: {"by":"a","by":"b"} could show
            // one name to a checker and act under another. Refused.
            if let duplicate = JSONKeys.firstDuplicateTopLevelKey(payload) {
                return .failure(.init("key '\(duplicate.prefix(32))' appears twice", code: "duplicate-key"))
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
            return .failure(.init("a field has the wrong type", code: "bad-field"))
        }
        func text(_ key: String, maxLength: Int = 64) -> Result<String?, CommandRejection> {
            guard object[key] != nil else { return .success(nil) }
            let value: String? = key == "by" ? fields.by : key == "id" ? fields.id : nil
            // No control, format (bidirectional overrides, zero-width), separator, private-use or
            // unassigned characters: the name is shown in logs and events as it is.
            let forbidden: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator, .privateUse,
                                                            .surrogate, .unassigned]
            guard let string = value, !string.isEmpty, string.count <= maxLength,
                  string.unicodeScalars.allSatisfy({ !forbidden.contains($0.properties.generalCategory) }) else {
                return .failure(.init("'\(key)' must be text of 1–\(maxLength) printable characters (no control, format or bidirectional characters)", code: "bad-field"))
            }
            return .success(string)
        }
        func only(_ keys: Set<String>) -> CommandRejection? {
            let extra = Set(object.keys).subtracting(keys)
            return extra.isEmpty ? nil : .init("unknown field(s): \(extra.sorted().prefix(5).map { String($0.prefix(32)) }.joined(separator: ", "))", code: "unknown-field")
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
            guard hasHeat != hasThunder else { return .failure(.init("give exactly one of heat_alert and thunder_advisory", code: "bad-field")) }
            var until: WallClockTime?
            if object["until"] != nil {
                guard let string = fields.until, let (time, _) = ISO8601Time.parse(string) else {
                    return .failure(.init("'until' must be an ISO 8601 time with offset", code: "bad-field"))
                }
                if now.wallClockSynchronized {
                    guard time > now.wall else { return .failure(.init("'until' is in the past", code: "bad-field")) }
                    guard time.secondsSince1970 - now.wall.secondsSince1970 <= maximumValidity else {
                        return .failure(.init("'until' is more than 48 hours ahead", code: "bad-field"))
                    }
                }
                until = time
            }
            if hasHeat {
                guard let word = fields.heat_alert, let alert = HeatAlert(rawValue: word) else {
                    return .failure(.init("heat_alert must be none, alert or special-alert", code: "bad-field"))
                }
                if alert != .none && until == nil { return .failure(.init("an alert needs 'until' (its expiry)", code: "bad-field")) }
                return .success(.heatAlert(alert, until: alert == .none ? nil : until))
            }
            guard let active = fields.thunder_advisory else {
                return .failure(.init("thunder_advisory must be true or false", code: "bad-field"))
            }
            if active && until == nil { return .failure(.init("an advisory needs 'until' (its expiry)", code: "bad-field")) }
            return .success(.thunderAdvisory(active, until: active ? until : nil))
        default:
            return .failure(.init("unknown command '\(name.prefix(32))'", code: "unknown-command"))
        }
    }
}

/// Why a command was refused.
public struct CommandRejection: Error, Hashable, Sendable {
    /// In words.
    public var reason: String
    /// A stable machine name for counting (`not-json`, `too-large`, `bad-field`,
    /// `unknown-field`, `unknown-command`, `duplicate-key`, `retained`).
    public var code: String
    /// Creates a rejection.
    public init(_ reason: String, code: String) {
        self.reason = reason
        self.code = code
    }
}

/// The keys of a JSON object's top level, read straight from the bytes (Foundation's parser
/// keeps only the last of two equal keys and does not say so).
public enum JSONKeys {
    /// The first key that appears twice at the top level of `bytes` (a JSON object), if any.
    public static func firstDuplicateTopLevelKey(_ bytes: [UInt8]) -> String? {
        var seen: Set<String> = []
        var depth = 0
        var index = 0
        var expectingKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = depth == 1 && byte == UInt8(ascii: "{")
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            case UInt8(ascii: "\""):
                var text: [UInt8] = []
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { text.append(bytes[index]); index += 1 }
                    if index < bytes.count { text.append(bytes[index]) }
                    index += 1
                }
                if expectingKey {
                    // Compare keys as JSON decodes them ("\u0062y" is "by").
                    let key = (try? JSONSerialization.jsonObject(with: Data([UInt8(ascii: "\"")] + text + [UInt8(ascii: "\"")]),
                                                                   options: .fragmentsAllowed) as? String) ?? String(decoding: text, as: UTF8.self)
                    if !seen.insert(key).inserted { return key }
                    expectingKey = false
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }
}
