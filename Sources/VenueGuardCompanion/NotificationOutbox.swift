import Foundation
import Logging
import VenueGuardConfiguration

/// Where a notification goes, with its secret read from its file at start.
public enum NotificationChannel: Sendable, Equatable {
    /// LINE Messaging API push (`POST /v2/bot/message/push`, bearer token, `X-Line-Retry-Key`
    /// so a retried push is delivered once; a 409 to a retry key means "already accepted").
    case line(endpoint: String, token: String, to: String)
    /// A Slack-compatible incoming webhook (`{"text": …}`).
    case slack(url: String)
    /// A generic JSON webhook (`venueguard/notification/1`, `Idempotency-Key` header).
    case webhook(url: String, token: String?)

    /// The channel's name in logs and counters (never its secret).
    public var name: String {
        switch self {
        case .line: "line"
        case .slack: "slack"
        case .webhook: "webhook"
        }
    }

    /// The channels of `configuration`, secrets read from their files.
    /// - Throws: `ConfigError` naming a secret file that cannot be read (never its content).
    public static func channels(_ configuration: NotificationsConfiguration) throws(ConfigError) -> [NotificationChannel] {
        var out: [NotificationChannel] = []
        if let line = configuration.line {
            out.append(.line(endpoint: line.endpoint, token: try NotificationsConfiguration.readSecret(line.tokenFile), to: line.to))
        }
        if let file = configuration.slackWebhookURLFile {
            let url = try NotificationsConfiguration.readSecret(file)
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ConfigError(file: file, line: nil, key: nil, message: "must hold the webhook's http(s) address")
            }
            out.append(.slack(url: url))
        }
        if let url = configuration.webhookURL {
            out.append(.webhook(url: url, token: try configuration.webhookTokenFile.map(NotificationsConfiguration.readSecret)))
        }
        return out
    }

    /// The request for `entry`: address, headers, body.
    func request(_ entry: NotificationOutbox.Entry, site: String) -> (url: String, headers: [(String, String)], body: Data) {
        let text = entry.message.ja + "\n\n" + entry.message.en
        func json(_ object: [String: Any]) -> Data { (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data() }
        switch self {
        case let .line(endpoint, token, to):
            // LINE's text limit is 5000 characters.
            return (endpoint, [("Content-Type", "application/json"), ("Authorization", "Bearer \(token)"), ("X-Line-Retry-Key", entry.id)],
                    json(["to": to, "messages": [["type": "text", "text": String(text.prefix(5000))]]]))
        case let .slack(url):
            return (url, [("Content-Type", "application/json")], json(["text": text]))
        case let .webhook(url, token):
            var headers = [("Content-Type", "application/json"), ("Idempotency-Key", entry.id)]
            if let token { headers.append(("Authorization", "Bearer \(token)")) }
            var body: [String: Any] = ["schema": "venueguard/notification/1", "id": entry.id, "site": site, "kind": entry.message.kind,
                                       "time": ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: entry.created)),
                                       "text_ja": entry.message.ja, "text_en": entry.message.en]
            body["status"] = entry.message.status
            body["lightning"] = entry.message.lightning
            return (url, headers, json(body))
        }
    }
}

/// The notifications waiting to be delivered, kept in a file across restarts until each
/// channel took them or they expired; retried with backoff; rate-limited per channel.
///
/// The file (`notifications.json` in the companion's state directory) is rewritten (atomically)
/// only when something changes: a message made, a channel delivered to, a message given up or
/// expired, what was told; so an idle box writes nothing. Delivery never waits on the daemon
/// and the daemon never waits on it.
///
/// Retries: 5xx, 408, 429 and connection errors after 10 s, 20 s, 40 s … at most 10 min apart
/// (a 429's `Retry-After` when given); other 4xx are given up at once (a wrong token or group
/// will not heal), logged and counted.
public actor NotificationOutbox {
    /// One message and its channels still to do.
    public struct Entry: Sendable, Codable, Equatable {
        /// A UUID, also the retry key (LINE) and idempotency key (webhook).
        public var id: String
        /// When it was made, seconds since 1970.
        public var created: Double
        /// When it is dropped if not delivered.
        public var expires: Double
        /// The message.
        public var message: VenueNotification
        /// The channels still to take it, with attempts made and the next attempt's time.
        public var pending: [String: Attempt]
    }

    /// A channel's tries so far.
    public struct Attempt: Sendable, Codable, Equatable {
        /// Attempts made.
        public var attempts: Int
        /// Not before this, seconds since 1970.
        public var next: Double
    }

    struct Stored: Codable {
        var schema = "venueguard/notifications/1"
        var told: NotificationTrigger.Told
        var entries: [Entry]
        var sent: [String: [Double]]
    }

    /// Counters for logs and metrics.
    public struct Counters: Sendable, Equatable {
        /// Deliveries taken, per channel.
        public var delivered: [String: Int] = [:]
        /// Attempts to retry, per channel.
        public var retried: [String: Int] = [:]
        /// Given up (refused or expired), per channel.
        public var failed: [String: Int] = [:]
    }

    private let file: String?
    private let channels: [NotificationChannel]
    private let configuration: NotificationsConfiguration
    private let http: FeedHTTPClient
    private let site: String
    private let logger: Logger
    private var trigger: NotificationTrigger
    private var entries: [Entry] = []
    private var sent: [String: [Double]] = [:]
    private var lastSaved: Data?
    /// What happened so far.
    public private(set) var counters = Counters()
    /// The configured channels' names (`line`, `slack`, …), so metrics show them from the start.
    public var channelNames: [String] { channels.map(\.name) }

    /// An outbox for `channels`, kept in `file` (`nil`: memory only), delivering with `http`.
    public init(configuration: NotificationsConfiguration, channels: [NotificationChannel], file: String?, siteID: String, siteName: String,
                http: FeedHTTPClient, logger: Logger) {
        self.configuration = configuration
        self.channels = channels
        self.file = file
        self.http = http
        self.site = siteID
        self.logger = logger
        var told = NotificationTrigger.Told()
        if let file, let data = FileManager.default.contents(atPath: file), data.count <= 4 << 20 {
            do {
                let stored = try JSONDecoder().decode(Stored.self, from: data)
                told = stored.told
                // Only the channels configured now: one removed from the configuration (or a
                // name nobody configured) is not tried, counted or logged.
                let names = Set(channels.map(\.name))
                var dropped = 0
                entries = stored.entries.compactMap { entry in
                    var entry = entry
                    let before = entry.pending.count
                    entry.pending = entry.pending.filter { names.contains($0.key) }
                    dropped += before - entry.pending.count
                    return entry.pending.isEmpty ? nil : entry
                }
                if dropped > 0 { logger.notice("notifications: \(dropped) waiting deliveries to channels no longer configured dropped") }
                sent = stored.sent.filter { names.contains($0.key) }
                lastSaved = data
            } catch {
                logger.error("notifications: \(file) is not readable (\(error)); starting empty, the old file moved aside")
                try? FileManager.default.moveItem(atPath: file, toPath: file + ".unreadable-\(Int(Date().timeIntervalSince1970))")
            }
        }
        trigger = NotificationTrigger(told: told, silentAfter: Double(configuration.silentAfter.components.seconds),
                                      minInterval: Double(configuration.minInterval.components.seconds), siteName: siteName)
    }

    /// Messages waiting.
    public var waiting: [Entry] { entries }

    /// Looks at the venue at `t`; any message it calls for is queued for every channel.
    public func observe(_ observation: VenueObservation, at t: Double) {
        let before = trigger.told
        let made = trigger.observe(observation, at: t)
        for message in made {
            let pending = Dictionary(uniqueKeysWithValues: channels.map { ($0.name, Attempt(attempts: 0, next: t)) })
            entries.append(Entry(id: UUID().uuidString.lowercased(), created: t, expires: t + Double(configuration.expireAfter.components.seconds),
                                 message: message, pending: pending))
            logger.notice("notification \(message.kind) queued for \(channels.map(\.name).joined(separator: ", "))")
        }
        if !made.isEmpty || trigger.told != before { save() }
    }

    /// Delivers what is due at `t`.
    public func deliver(at t: Double) async {
        var index = 0
        while index < entries.count {
            let id = entries[index].id
            if entries[index].expires <= t {
                for name in entries[index].pending.keys {
                    counters.failed[name, default: 0] += 1
                    logger.warning("notification \(entries[index].message.kind) to \(name): not delivered before it expired; dropped")
                }
                entries.remove(at: index)
                save()
                continue
            }
            for channel in channels {
                guard let attempt = entries.first(where: { $0.id == id })?.pending[channel.name], attempt.next <= t else { continue }
                // The channel's hourly budget.
                let recent = (sent[channel.name] ?? []).filter { t - $0 < 3600 }
                sent[channel.name] = recent
                if recent.count >= configuration.maxPerHour {
                    update(id) { $0.pending[channel.name]?.next = (recent.min() ?? t) + 3600 }
                    continue
                }
                let entry = entries.first { $0.id == id }!
                let request = channel.request(entry, site: site)
                let outcome = await http.post(request.url, headers: request.headers, body: request.body)
                // LINE answers 409 to a retry key it already accepted: the message was delivered.
                let taken = if case .delivered = outcome { true } else if case .refused(409, _) = outcome, channel.name == "line" { true } else { false }
                if taken {
                    counters.delivered[channel.name, default: 0] += 1
                    sent[channel.name, default: []].append(t)
                    update(id) { $0.pending[channel.name] = nil }
                    logger.info("notification \(entry.message.kind) delivered to \(channel.name)")
                    save()
                    continue
                }
                switch outcome {
                case .delivered:
                    break
                case let .retry(why, after):
                    counters.retried[channel.name, default: 0] += 1
                    let attempts = attempt.attempts + 1
                    let wait = after.map(Double.init) ?? min(600, 10 * pow(2, Double(attempts - 1)))
                    update(id) { $0.pending[channel.name] = Attempt(attempts: attempts, next: t + wait) }
                    logger.warning("notification \(entry.message.kind) to \(channel.name): \(why); retry in \(Int(wait)) s")
                case let .refused(_, why):
                    counters.failed[channel.name, default: 0] += 1
                    update(id) { $0.pending[channel.name] = nil }
                    logger.error("notification \(entry.message.kind) to \(channel.name): refused (\(why)); check the channel's token, id or address")
                }
                save()
            }
            if let i = entries.firstIndex(where: { $0.id == id }), entries[i].pending.isEmpty {
                entries.remove(at: i)
                save()
            } else {
                index += 1
            }
        }
    }

    private func update(_ id: String, _ change: (inout Entry) -> Void) {
        if let i = entries.firstIndex(where: { $0.id == id }) { change(&entries[i]) }
    }

    /// Writes the file when its content changed (atomically: a power cut leaves the old or the new).
    private func save() {
        guard let file else { return }
        let stored = Stored(told: trigger.told, entries: entries, sent: sent.mapValues { $0.suffix(120) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(stored), data != lastSaved else { return }
        do {
            try data.write(to: URL(fileURLWithPath: file), options: .atomic)
            lastSaved = data
        } catch {
            logger.error("notifications: cannot write \(file): \(error); messages wait in memory")
        }
    }

    /// Delivers once a second until cancelled.
    public func run() async {
        while !Task.isCancelled {
            await deliver(at: Date().timeIntervalSince1970)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
