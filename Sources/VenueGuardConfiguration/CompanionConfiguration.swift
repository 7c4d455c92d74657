import Glibc

/// The site's `companion:` section: where the companion service (`venueguard-companion`) serves
/// the venue's page and its HTTP endpoints (`/metrics` in the Prometheus text format), the
/// page's first language and how long the daily records are kept.
///
/// ```yaml
/// companion:
///   listen: 127.0.0.1   # the address to bind; 0.0.0.0 to serve the venue's network
///   port: 8790          # 1024…65535
///   language: ja        # the page's first language: ja or en (each page can switch)
///   records_days: 365   # how many days of daily WBGT records to keep (1…3660)
///   regional:           # optional: the regional view (/region) of every venue on a regional broker
///     host: 192.0.2.10
///     port: 1883
///     topic_prefix: venueguard
///     username: region-viewer          # optional
///     password_file: /etc/venueguard/region-password   # optional, read by the companion only
/// ```
///
/// Without the section the companion serves on 127.0.0.1:8790 (the box itself only), in
/// Japanese, and keeps a year of records.
public struct CompanionConfiguration: Sendable, Hashable {
    /// The address to bind (an IPv4 or IPv6 literal, or `localhost`).
    public var listen = "127.0.0.1"
    /// The TCP port.
    public var port = 8790
    /// The page's first language, `ja` or `en`.
    public var language = "ja"
    /// How many days of records are kept (the day itself included).
    public var recordsDays = 365

    /// The regional broker whose venues the regional view shows (`nil`: no regional view).
    public var regional: RegionalBroker?

    /// A regional broker to read every venue's `<topic_prefix>/+/state` from.
    public struct RegionalBroker: Sendable, Hashable {
        /// The broker's host (a name or an address).
        public var host: String
        /// Its port.
        public var port = 1883
        /// The venues' topic prefix.
        public var topicPrefix = "venueguard"
        /// The user name, when the broker asks for one.
        public var username: String?
        /// The file holding the password (read by the companion at start).
        public var passwordFile: String?

        /// A broker at `host`.
        public init(host: String, port: Int = 1883, topicPrefix: String = "venueguard", username: String? = nil, passwordFile: String? = nil) {
            self.host = host
            self.port = port
            self.topicPrefix = topicPrefix
            self.username = username
            self.passwordFile = passwordFile
        }
    }

    /// The defaults.
    public init(listen: String = "127.0.0.1", port: Int = 8790, language: String = "ja", recordsDays: Int = 365) {
        self.listen = listen
        self.port = port
        self.language = language
        self.recordsDays = recordsDays
    }

    static let keys = ["listen", "port", "language", "records_days", "regional"]

    static func parse(_ node: ConfigValue) throws -> CompanionConfiguration {
        let m = try node.mapping(allowed: keys)
        var c = CompanionConfiguration()
        if let v = m["listen"] {
            let text = try v.string()
            // A literal address only: the companion resolves nothing to decide where it listens.
            let isIPv4 = text.split(separator: ".", omittingEmptySubsequences: false).count == 4
                && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
                    part.count <= 3 && Int(part).map { (0...255).contains($0) } == true
                }
            var storage = in6_addr()
            let isIPv6 = text.count <= 45 && inet_pton(AF_INET6, text, &storage) == 1
            guard isIPv4 || isIPv6 || text == "localhost" else {
                throw v.error("'\(text.prefix(64))' is not an address to listen on: give an IP address such as 127.0.0.1 or 0.0.0.0")
            }
            c.listen = text
        }
        if let v = m["port"] { c.port = try v.int(in: 1024...65535) }
        if let v = m["language"] { c.language = try v.choice([("ja", "ja"), ("en", "en")]) }
        if let v = m["records_days"] { c.recordsDays = try v.int(in: 1...3660) }
        if let v = m["regional"] {
            let r = try v.mapping(allowed: ["host", "port", "topic_prefix", "username", "password_file"])
            let host = try r.required("host").string()
            guard (1...253).contains(host.count), host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }) else {
                throw try r.required("host").error("'\(host.prefix(64))' is not a host name or address")
            }
            var broker = RegionalBroker(host: host)
            if let p = r["port"] { broker.port = try p.int(in: 1...65535) }
            if let p = r["topic_prefix"] {
                let prefix = try p.string()
                guard (1...64).contains(prefix.count), !prefix.contains("+"), !prefix.contains("#"), !prefix.hasSuffix("/"), !prefix.hasPrefix("/") else {
                    throw p.error("'\(prefix.prefix(64))' is not a topic prefix: 1…64 characters, no + or #, no leading or trailing /")
                }
                broker.topicPrefix = prefix
            }
            broker.username = try r["username"].map { try $0.string() }
            broker.passwordFile = try r["password_file"].map(NotificationsConfiguration.path)
            c.regional = broker
        }
        return c
    }
}
