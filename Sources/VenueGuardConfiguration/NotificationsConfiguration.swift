import Foundation
import VenueGuardCore

/// The site's `notifications:` section: where the companion service sends a message when a
/// mentor must act (a level reaching severe or stop, lightning danger and its all-clear, an
/// official alert, the box unknown or silent, a feed that stopped), and how often at most.
///
/// ```yaml
/// notifications:
///   line:                                   # LINE Messaging API, push to a group (LINE Notify has closed)
///     token_file: /etc/venueguard/line-token   # the channel access token, one line, mode 0640
///     to: "C0123456789abcdef0123456789abcdef"  # the group (C…), room (R…) or user (U…) id
///   slack:                                  # a Slack-compatible incoming webhook
///     webhook_url_file: /etc/venueguard/slack-webhook
///   webhook:                                # a generic JSON webhook (Node-RED, Home Assistant…)
///     url: "http://192.168.1.20:1880/venueguard"
///     token_file: /etc/venueguard/webhook-token  # optional: sent as "Authorization: Bearer …"
///   min_interval: 15m     # the same kind of message at most this often (1m…24h); an escalation always goes
///   max_per_hour: 12      # per channel (1…120); more wait their turn
///   expire_after: 2h      # a message not delivered by then is dropped (10m…24h)
///   silent_after: 3m      # the box unknown or the daemon silent this long before a message (1m…1h)
/// ```
///
/// Secrets (tokens, webhook URLs, which are secrets too) come from files, read by the companion
/// at start and never printed or logged; `check-config` names the files only. An `endpoint:` in
/// `line:` replaces the LINE API address (a proxy, a test server): `https://…`, or `http://` on
/// the box itself only.
public struct NotificationsConfiguration: Sendable, Hashable {
    /// LINE Messaging API push.
    public struct LINE: Sendable, Hashable {
        /// The file holding the channel access token.
        public var tokenFile: String
        /// The group, room or user id.
        public var to: String
        /// The push endpoint.
        public var endpoint = LINE.defaultEndpoint
        /// LINE's push endpoint.
        public static let defaultEndpoint = "https://api.line.me/v2/bot/message/push"

        /// A LINE channel.
        public init(tokenFile: String, to: String, endpoint: String = LINE.defaultEndpoint) {
            self.tokenFile = tokenFile
            self.to = to
            self.endpoint = endpoint
        }
    }

    /// The LINE channel, when configured.
    public var line: LINE?
    /// The file holding the Slack-compatible incoming webhook URL, when configured.
    public var slackWebhookURLFile: String?
    /// The generic webhook's URL, when configured.
    public var webhookURL: String?
    /// The file holding the generic webhook's bearer token, when given.
    public var webhookTokenFile: String?
    /// The same kind of message about the same thing at most this often.
    public var minInterval: Duration = .seconds(15 * 60)
    /// Messages per channel per hour at most.
    public var maxPerHour = 12
    /// Undelivered messages are dropped after this.
    public var expireAfter: Duration = .seconds(2 * 3600)
    /// How long the box may be unknown or silent before a message.
    public var silentAfter: Duration = .seconds(180)

    /// No channels, the defaults.
    public init() {}

    static let keys = ["line", "slack", "webhook", "min_interval", "max_per_hour", "expire_after", "silent_after"]

    /// Parses the section.
    /// - Throws: `ConfigError` naming the file and line of a bad value.
    static func parse(_ node: ConfigValue) throws -> NotificationsConfiguration {
        let m = try node.mapping(allowed: keys)
        var c = NotificationsConfiguration()
        if let v = m["line"] {
            let l = try v.mapping(allowed: ["token_file", "to", "endpoint"])
            let to = try l.required("to").string()
            let isID = to.count == 33 && ["C", "R", "U"].contains(to.first!) && to.dropFirst().allSatisfy(\.isHexDigit)
            guard isID else { throw try l.required("to").error("'\(to.prefix(40))' is not a LINE group, room or user id: C, R or U and 32 hex digits") }
            var line = LINE(tokenFile: try path(l.required("token_file")), to: to)
            if let e = l["endpoint"] { line.endpoint = try url(e) }
            c.line = line
        }
        if let v = m["slack"] {
            c.slackWebhookURLFile = try path(v.mapping(allowed: ["webhook_url_file"]).required("webhook_url_file"))
        }
        if let v = m["webhook"] {
            let w = try v.mapping(allowed: ["url", "token_file"])
            c.webhookURL = try url(w.required("url"))
            c.webhookTokenFile = try w["token_file"].map(path)
        }
        guard c.line != nil || c.slackWebhookURLFile != nil || c.webhookURL != nil else {
            throw node.error("give at least one channel: line, slack or webhook")
        }
        if let v = m["min_interval"] { c.minInterval = try v.duration(in: .seconds(60)...(.seconds(86_400))) }
        if let v = m["max_per_hour"] { c.maxPerHour = try v.int(in: 1...120) }
        if let v = m["expire_after"] { c.expireAfter = try v.duration(in: .seconds(600)...(.seconds(86_400))) }
        if let v = m["silent_after"] { c.silentAfter = try v.duration(in: .seconds(60)...(.seconds(3600))) }
        return c
    }

    static func path(_ node: ConfigValue) throws -> String {
        let text = try node.string()
        guard text.hasPrefix("/"), text.count <= 4096, !text.contains("\0") else { throw node.error("give an absolute path to the file holding the secret") }
        return text
    }

    /// An address to send to: https, or http to the box itself (a local proxy or test server)
    /// or to a host on the venue's network given by its address (Node-RED, Home Assistant).
    static func url(_ node: ConfigValue) throws -> String {
        let text = try node.string()
        guard text.count <= 2048, let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              scheme == "https" || scheme == "http", url.user == nil, url.password == nil
        else {
            // An address with a user name or password is not echoed: it would print the password.
            let shown = text.contains("@") ? "the address (it holds a user name or password: give a token_file instead)" : "'\(text.prefix(64))'"
            throw node.error("\(shown) is not an http(s) address")
        }
        return text
    }

    /// The secret files named (for `check-config`'s warnings: it never reads them).
    public var secretFiles: [String] {
        [line?.tokenFile, slackWebhookURLFile, webhookTokenFile].compactMap { $0 }
    }

    /// Reads a secret file: its first line, trimmed; at most 4 KiB.
    /// - Throws: a description naming the file (never its content).
    public static func readSecret(_ path: String) throws(ConfigError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, key: nil, message: "cannot be read (does it exist, and may the companion's group read it?)")
        }
        guard data.count <= 4096, let text = String(data: data, encoding: .utf8),
              let first = text.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces), !first.isEmpty,
              first.allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { throw ConfigError(file: path, line: nil, key: nil, message: "must hold the secret on its first line (printable ASCII, at most 4 KiB)") }
        return first
    }
}
