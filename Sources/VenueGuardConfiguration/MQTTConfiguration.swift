import Foundation
import VenueGuardCore

/// The `mqtt:` section of a site file.
public struct MQTTConfiguration: Sendable, Hashable {
    public var host: String = "localhost"
    public var port: Int = 1883
    /// `5` (default) or `3.1.1`.
    public var protocolVersion: String = "5"
    public var clientID: String
    public var username: String?
    /// The password, read from `password_file` or `password_env` at load time; never printed.
    public var password: String?
    /// Where the password came from, for messages (never the password itself).
    public var passwordSource: String?
    public var tlsCAFile: String?
    public var tlsCertFile: String?
    public var tlsKeyFile: String?
    public var tlsVerifyHostname = true
    public var keepalive: Duration = .seconds(30)
    public var reconnectMinimum: Duration = .seconds(1)
    public var reconnectMaximum: Duration = .seconds(120)
    /// Topics live under this prefix (default `venueguard/<site-id>`).
    public var topicPrefix: String
    public var homeAssistant = true
    public var homeAssistantPrefix = "homeassistant"
    public var commands = false
    /// The outbox file (default `/var/lib/venueguard/outbox.sqlite`).
    public var outboxPath: String = "/var/lib/venueguard/outbox.sqlite"
    public var outboxMaxAge: Duration = .seconds(7 * 86400)
    public var outboxMaxBytes: Int64 = 100_000_000
    /// Backlog messages per second sent after an outage.
    public var replayRate: Double = 50
    /// Readings the broker acknowledges within this window are never written to storage;
    /// those still unacknowledged at its end are committed in one batch. Events are always
    /// committed at once. Zero: every message durable at once. (Home Assistant's recorder
    /// commits every 5 s for the same reason: SD-card wear.)
    public var commitWindow: Duration = .seconds(5)
    /// The retained `state` is published on every change and at least this often.
    public var stateInterval: Duration = .seconds(300)

    static let keys = ["host", "port", "protocol", "client_id", "username", "password_file", "password_env", "tls", "keepalive",
                       "reconnect_min", "reconnect_max", "topic_prefix", "home_assistant", "commands", "outbox", "state_interval"]

    /// Parses the section; `siteID` gives the defaults, `directory` anchors relative paths.
    static func parse(_ node: ConfigValue, siteID: String, directory: String) throws -> MQTTConfiguration {
        let m = try node.mapping(allowed: keys)
        var c = MQTTConfiguration(clientID: "venueguard-\(siteID)", topicPrefix: "venueguard/\(siteID)")
        func path(_ text: String) -> String { text.hasPrefix("/") ? text : (directory as NSString).appendingPathComponent(text) }
        if let v = m["host"] {
            c.host = try v.string()
            guard !c.host.isEmpty, c.host.utf8.count <= 253, !c.host.contains(" ") else { throw v.error("host must be a host name or address (1–253 characters)") }
        }
        if let v = m["port"] {
            c.port = try v.int()
            guard (1...65535).contains(c.port) else { throw v.error("port must be 1–65535") }
        }
        if let v = m["protocol"] { c.protocolVersion = try v.choice([("5", "5"), ("3.1.1", "3.1.1"), ("5.0", "5")]) }
        if let v = m["client_id"] {
            c.clientID = try v.string()
            // An empty id would have the broker invent one (and MQTT 3.1.1 refuse a persistent
            // session); wildcards, spaces and control characters only cause trouble in ACLs and logs.
            let printable = c.clientID.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "+" && $0 != "#" && $0 != "/" }
            guard !c.clientID.isEmpty, c.clientID.utf8.count <= 64, printable else {
                throw v.error("client_id must be 1–64 printable ASCII characters without spaces, '/', '+' or '#' (default: venueguard-<site id>)")
            }
        }
        if let v = m["username"] { c.username = try v.string() }
        if let v = m["password_file"] {
            let file = path(try v.string())
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw v.error("cannot read the password file \(file)")
            }
            guard text.utf8.count <= 1024 else { throw v.error("the password file \(file) is over 1 KiB: not a password") }
            c.password = text.trimmingWhitespace()
            c.passwordSource = "file \(file)"
        }
        if let v = m["password_env"] {
            let name = try v.string()
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw v.error("the environment variable \(name) is not set")
            }
            c.password = value
            c.passwordSource = "environment \(name)"
        }
        if m["password_file"] != nil && m["password_env"] != nil { throw node.error("give password_file or password_env, not both") }
        if c.password != nil && c.username == nil { throw node.error("a password needs a username") }
        if let v = m["tls"] {
            let t = try v.mapping(allowed: ["ca_file", "cert_file", "key_file", "verify_hostname"])
            c.tlsCAFile = path(try t.required("ca_file").string())
            c.tlsCertFile = try t["cert_file"].map { path(try $0.string()) }
            c.tlsKeyFile = try t["key_file"].map { path(try $0.string()) }
            if (c.tlsCertFile == nil) != (c.tlsKeyFile == nil) { throw v.error("give both cert_file and key_file, or neither") }
            if let verify = t["verify_hostname"] { c.tlsVerifyHostname = try verify.bool() }
            if m["port"] == nil { c.port = 8883 }
        }
        // MQTT's keepalive is a 16-bit count of seconds; a reconnect delay under a second would
        // spin on a broker that is down.
        if let v = m["keepalive"] { c.keepalive = try v.duration(in: .seconds(5)...(.seconds(65535))) }
        if let v = m["reconnect_min"] { c.reconnectMinimum = try v.duration(in: .seconds(1)...(.seconds(3600))) }
        if let v = m["reconnect_max"] { c.reconnectMaximum = try v.duration(in: .seconds(1)...(.seconds(3600))) }
        if c.reconnectMaximum < c.reconnectMinimum { throw node.error("reconnect_max must be at least reconnect_min") }
        if let v = m["topic_prefix"] {
            c.topicPrefix = try v.string()
            guard !c.topicPrefix.isEmpty, c.topicPrefix.utf8.count <= 128, !c.topicPrefix.contains("#"), !c.topicPrefix.contains("+"),
                  !c.topicPrefix.hasSuffix("/") else {
                throw v.error("a topic prefix has no wildcards and no trailing '/'")
            }
        }
        if let v = m["home_assistant"] {
            if case .mapping = v.content {
                let h = try v.mapping(allowed: ["enabled", "prefix"])
                if let e = h["enabled"] { c.homeAssistant = try e.bool() }
                if let p = h["prefix"] { c.homeAssistantPrefix = try p.string() }
            } else {
                c.homeAssistant = try v.bool()
            }
        }
        if let v = m["commands"] { c.commands = try v.bool() }
        if let v = m["outbox"] {
            let o = try v.mapping(allowed: ["path", "max_age", "max_size_mb", "replay_rate", "commit_window"])
            if let w = o["commit_window"] { c.commitWindow = try w.duration(in: .zero...(.seconds(60))) }
            if let p = o["path"] { c.outboxPath = path(try p.string()) }
            if let a = o["max_age"] { c.outboxMaxAge = try a.duration(in: .seconds(3600)...(.seconds(400 * 86400))) }
            if let s = o["max_size_mb"] { c.outboxMaxBytes = Int64(try s.double(in: 1...100_000) * 1_000_000) }
            if let r = o["replay_rate"] { c.replayRate = try r.double(in: 1...100_000) }
        }
        if let v = m["state_interval"] { c.stateInterval = try v.duration(in: .seconds(10)...(.seconds(86400))) }
        return c
    }
}
