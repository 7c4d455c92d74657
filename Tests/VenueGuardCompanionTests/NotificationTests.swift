import Foundation
import Glibc
import Logging
import Synchronization
import Testing
@testable import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardCore

/// When the companion tells a mentor (a pure table), and how the messages reach LINE, Slack and
/// a webhook: real HTTP to a local stand-in server the test starts, real files across restarts.
struct NotificationTests {
    static func live(_ status: String, lightning: String = "clear", alert: String = "none", advisory: Bool = false,
                     feeds: [String: Bilingual] = [:]) -> VenueObservation {
        VenueObservation(live: true, status: status, lightning: lightning, heatAlert: alert, thunderAdvisory: advisory, feedsNotKnown: feeds,
                         summary: Bilingual("校庭 29.4 °C", "Schoolyard 29.4 °C"))
    }

    static let down = VenueObservation(live: false, down: Bilingual("VenueGuardが停止しました", "VenueGuard stopped"))

    /// Runs `steps` (seconds since start, observation) through a fresh trigger; the kinds made.
    static func kinds(_ steps: [(Double, VenueObservation)], told: NotificationTrigger.Told = .init()) -> [String] {
        var trigger = NotificationTrigger(told: told, silentAfter: 180, minInterval: 900, siteName: "Minami club")
        return steps.flatMap { trigger.observe($0.1, at: 1_786_000_000 + $0.0) }.map(\.kind)
    }

    typealias Rule = (name: String, steps: [(Double, VenueObservation)], kinds: [String])

    static let ruleRows: [Rule] = [
        ("rising and easing", [(0.0, live("safe")), (60, live("severe")), (120, live("stop")), (180, live("warning"))],
         ["level-severe", "level-stop", "level-eased"]),
        ("a warning is not news", [(0.0, live("caution")), (60, live("warning")), (120, live("caution"))], []),
        ("unknown for 2 min: nothing; 3 min: told once; data again: told", [(0.0, live("unknown")), (120, live("unknown")), (180, live("unknown")),
                                                                            (600, live("unknown")), (660, live("safe"))], ["box-unknown", "box-back"]),
        ("the daemon down 5 min, then back", [(0.0, live("safe")), (10, down), (100, down), (190, down), (300, down), (310, live("safe"))],
         ["box-silent", "box-back"]),
        ("lightning danger and its all-clear", [(0.0, live("safe", lightning: "watch")), (60, live("stop", lightning: "danger")),
                                                (120, live("stop", lightning: "danger")), (1900, live("safe", lightning: "clear"))],
         ["level-stop", "lightning-danger", "level-eased", "lightning-clear"]),
        ("danger eased to watch is not the all-clear", [(0.0, live("safe", lightning: "danger")), (60, live("safe", lightning: "watch")),
                                                        (120, live("safe", lightning: "watch")), (1900, live("safe", lightning: "clear"))],
         ["lightning-danger", "lightning-eased", "lightning-clear"]),
        ("an unknown detector is no all-clear", [(0.0, live("safe", lightning: "danger")), (60, live("safe", lightning: "unknown"))],
         ["lightning-danger"]),
        ("official alerts: each rise told, an end not", [(0.0, live("safe", alert: "alert")), (60, live("safe", alert: "special-alert")),
                                                         (120, live("safe")), (180, live("safe", alert: "alert"))],
         ["heat-alert", "heat-alert", "heat-alert"]),
        ("a thunder advisory", [(0.0, live("safe", advisory: true)), (60, live("safe", advisory: true)), (120, live("safe")),
                                (180, live("safe", advisory: true))], ["thunder-advisory", "thunder-advisory"]),
        ("a feed stopped, once per spell", [(0.0, live("safe", feeds: ["heat_alerts": Bilingual("a", "a")])),
                                            (60, live("safe", feeds: ["heat_alerts": Bilingual("a", "a")])), (120, live("safe")),
                                            (180, live("safe", feeds: ["heat_alerts": Bilingual("a", "a")]))], ["feed-stopped", "feed-stopped"]),
    ]

    @Test("What is told, and when", arguments: 0..<10)
    func rules(_ index: Int) {
        let row = Self.ruleRows[index]
        #expect(Self.kinds(row.steps) == row.kinds, "\(row.name)")
    }

    @Test("The table of rules is run whole")
    func rulesCounted() { #expect(Self.ruleRows.count == 10) }

    @Test("A level flapping around 28 °C for an hour: one message each way per 15 minutes, not one per flap")
    func flapping() {
        let steps = (0..<60).map { minute in (Double(minute * 60), Self.live(minute % 2 == 0 ? "severe" : "warning")) }
        let kinds = Self.kinds(steps)
        #expect(kinds.filter { $0 == "level-severe" }.count == 4, "\(kinds)")
        #expect(kinds.filter { $0 == "level-eased" }.count == 4, "\(kinds)")
        // An escalation to stop is not held back by the severe messages.
        #expect(Self.kinds(Array(steps.prefix(3)) + [(200, Self.live("stop"))]).last == "level-stop")
    }

    @Test("What was told survives a restart: the same state is not told again")
    func toldAcrossRestart() throws {
        var trigger = NotificationTrigger(told: .init(), silentAfter: 180, minInterval: 900, siteName: "x")
        _ = trigger.observe(Self.live("severe", lightning: "danger", alert: "alert"), at: 1000)
        let saved = try JSONDecoder().decode(NotificationTrigger.Told.self, from: JSONEncoder().encode(trigger.told))
        #expect(Self.kinds([(2000, Self.live("severe", lightning: "danger", alert: "alert"))], told: saved).isEmpty)
        #expect(Self.kinds([(2000, Self.live("stop", lightning: "danger", alert: "alert"))], told: saved) == ["level-stop"])
    }

    @Test("A stop caused by lightning says go indoors, not 'move to a cool place'")
    func stopByLightning() {
        var trigger = NotificationTrigger(told: .init(), silentAfter: 180, minInterval: 900, siteName: "x")
        let made = trigger.observe(VenueObservation(live: true, status: "stop", lightning: "danger", heatLevel: "severe",
                                                    summary: Bilingual("校庭 27.0 °C", "Yard 27.0 °C")), at: 0)
        let stop = made.first { $0.kind == "level-stop" }
        #expect(stop?.en.contains("Everyone indoors now") == true && stop?.en.contains("move to a cool place") == false, "\(made)")
        #expect(stop?.en.contains("Indoors: Stop intense activity") == true)
    }

    @Test("Each message says what to do in both languages, headed by the site")
    func words() {
        var trigger = NotificationTrigger(told: .init(), silentAfter: 180, minInterval: 900, siteName: "Minami club")
        let made = trigger.observe(Self.live("stop"), at: 0)
        #expect(made.first?.ja.hasPrefix("【Minami club】危険") == true)
        #expect(made.first?.ja.contains("校庭 29.4 °C") == true && made.first?.ja.contains("運動は原則中止") == true)
        #expect(made.first?.en.hasPrefix("[Minami club] danger: stop exercise: Schoolyard 29.4 °C.") == true, "\(made)")
    }

    // MARK: - Delivery

    final class NotifyServer: @unchecked Sendable {
        let root: String
        let process: Process
        let port: Int

        init() async throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("vg-notify-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            process = Process()
            process.executableURL = URL(fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/bin/env")
            process.arguments = (process.executableURL?.path == "/usr/bin/env" ? ["python3"] : [])
                + [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("notify_server.py").path, root, root + "/port"]
            try process.run()
            var found = 0
            for _ in 0..<500 where found == 0 {
                if let text = try? String(contentsOfFile: root + "/port", encoding: .utf8), let port = Int(text.trimmingCharacters(in: .newlines)) {
                    found = port
                } else {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            port = found
            guard found > 0 else {
                Glibc.kill(process.processIdentifier, SIGKILL)
                throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the notify server did not start"])
            }
        }

        deinit { Glibc.kill(process.processIdentifier, SIGKILL) }

        func fail(_ name: String, times: Int) throws { try "\(times)".write(toFile: "\(root)/fail-\(name)", atomically: true, encoding: .utf8) }

        var posts: [[String: Any]] {
            ((try? String(contentsOfFile: root + "/posts.jsonl", encoding: .utf8)) ?? "").split(separator: "\n")
                .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }

        func posts(_ path: String) -> [[String: Any]] { posts.filter { $0["path"] as? String == path } }

        var channels: [NotificationChannel] {
            [.line(endpoint: "http://127.0.0.1:\(port)/line/push", token: "SECRET-LINE-TOKEN", to: "C0123456789abcdef0123456789abcdef"),
             .slack(url: "http://127.0.0.1:\(port)/slack"), .webhook(url: "http://127.0.0.1:\(port)/webhook", token: "SECRET-HOOK")]
        }
    }

    /// Log lines, to check no secret is ever written.
    final class CapturedLog: @unchecked Sendable {
        let lines = Mutex<[String]>([])
        var logger: Logger {
            Logger(label: "test") { _ in Handler(log: self) }
        }

        struct Handler: LogHandler {
            let log: CapturedLog
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                log.lines.withLock { $0.append("\(event.message)") }
            }
        }
    }

    static func configuration(maxPerHour: Int = 12) -> NotificationsConfiguration {
        var c = NotificationsConfiguration()
        c.maxPerHour = maxPerHour
        return c
    }

    @Test("Every kind reaches LINE, Slack and the webhook once, in both languages, with the services' own shapes")
    func deliveredOnce() async throws {
        let server = try await NotifyServer()
        let http = FeedHTTPClient(timeout: .seconds(10))
        let log = CapturedLog()
        let outbox = NotificationOutbox(configuration: Self.configuration(), channels: server.channels, file: nil, siteID: "club",
                                        siteName: "Minami club", http: http, logger: log.logger)
        let t = 1_786_000_000.0
        for (i, o) in [Self.live("severe"), Self.live("stop", lightning: "danger", alert: "alert", advisory: true)].enumerated() {
            await outbox.observe(o, at: t + Double(i))
            await outbox.deliver(at: t + Double(i))
        }
        await http.shutdown()
        let kinds = ["level-severe", "level-stop", "lightning-danger", "heat-alert", "thunder-advisory"]
        let line = server.posts("/line/push"), slack = server.posts("/slack"), hook = server.posts("/webhook")
        #expect(line.count == kinds.count && slack.count == kinds.count && hook.count == kinds.count)
        #expect(hook.compactMap { ($0["body"] as? [String: Any])?["kind"] as? String } == kinds)
        let first = try #require(line.first)
        let headers = first["headers"] as? [String: String] ?? [:]
        #expect(headers["authorization"] == "Bearer SECRET-LINE-TOKEN")
        #expect(headers["x-line-retry-key"]?.count == 36)
        let body = first["body"] as? [String: Any] ?? [:]
        #expect(body["to"] as? String == "C0123456789abcdef0123456789abcdef")
        let text = ((body["messages"] as? [[String: Any]])?.first?["text"] as? String) ?? ""
        #expect(text.contains("【Minami club】厳重警戒") && text.contains("[Minami club] severe warning"), "\(text)")
        #expect(((slack.first?["body"] as? [String: Any])?["text"] as? String)?.contains("厳重警戒") == true)
        let hookBody = hook.first?["body"] as? [String: Any] ?? [:]
        #expect(hookBody["schema"] as? String == "venueguard/notification/1" && hookBody["site"] as? String == "club")
        #expect((hook.first?["headers"] as? [String: String])?["idempotency-key"] == hookBody["id"] as? String)
        #expect(await outbox.waiting.isEmpty)
        // No secret in any log line.
        let lines = log.lines.withLock { $0 }
        #expect(!lines.isEmpty)
        #expect(!lines.contains { $0.contains("SECRET") || $0.contains("/slack") })
    }

    @Test("A 500 is retried with backoff; a restart neither loses nor repeats a message")
    func retriedAndKeptAcrossRestart() async throws {
        let server = try await NotifyServer()
        let file = server.root + "/notifications.json"
        let http = FeedHTTPClient(timeout: .seconds(10))
        let t = 1_786_000_000.0
        try server.fail("slack", times: 2)
        do {
            let outbox = NotificationOutbox(configuration: Self.configuration(), channels: server.channels, file: file, siteID: "club",
                                            siteName: "Minami club", http: http, logger: Logger(label: "test"))
            await outbox.observe(Self.live("stop"), at: t)
            await outbox.deliver(at: t)
            #expect(server.posts("/line/push").count == 1 && server.posts("/webhook").count == 1 && server.posts("/slack").isEmpty)
            // Not due yet: nothing is sent before the backoff.
            await outbox.deliver(at: t + 5)
            #expect(server.posts("/slack").isEmpty)
            await outbox.deliver(at: t + 10)  // the second 500
            #expect(await outbox.counters.retried["slack"] == 2)
        }
        // The companion restarts: the message waits in the file for Slack only.
        let copy = try Data(contentsOf: URL(fileURLWithPath: file))
        let restarted = NotificationOutbox(configuration: Self.configuration(), channels: server.channels, file: file, siteID: "club",
                                           siteName: "Minami club", http: http, logger: Logger(label: "test"))
        #expect(await restarted.waiting.first?.pending.keys.sorted() == ["slack"])
        await restarted.observe(Self.live("stop"), at: t + 25)  // the same state: nothing new
        await restarted.deliver(at: t + 31)
        #expect(server.posts("/slack").count == 1 && server.posts("/line/push").count == 1 && server.posts("/webhook").count == 1)
        #expect(await restarted.waiting.isEmpty)

        // A crash before the file recorded LINE's delivery: LINE's retry key makes the resend a no-op (409), counted delivered.
        try copy.write(to: URL(fileURLWithPath: file))
        var older = try JSONSerialization.jsonObject(with: copy) as! [String: Any]
        var entries = older["entries"] as! [[String: Any]]
        entries[0]["pending"] = ["line": ["attempts": 0, "next": t]]
        older["entries"] = entries
        try JSONSerialization.data(withJSONObject: older).write(to: URL(fileURLWithPath: file))
        let again = NotificationOutbox(configuration: Self.configuration(), channels: server.channels, file: file, siteID: "club",
                                       siteName: "Minami club", http: http, logger: Logger(label: "test"))
        await again.deliver(at: t + 40)
        #expect(server.posts("/line/push").count == 1, "LINE took the message once")
        #expect(await again.counters.delivered["line"] == 1)
        await http.shutdown()
    }

    @Test("Per channel at most max_per_hour; the rest wait their turn; undelivered messages expire")
    func rateAndExpiry() async throws {
        let server = try await NotifyServer()
        let http = FeedHTTPClient(timeout: .seconds(10))
        let outbox = NotificationOutbox(configuration: Self.configuration(maxPerHour: 2), channels: [server.channels[2]], file: nil,
                                        siteID: "club", siteName: "x", http: http, logger: Logger(label: "test"))
        let t = 1_786_000_000.0
        await outbox.observe(Self.live("stop", lightning: "danger", alert: "alert", advisory: true), at: t)  // four messages
        await outbox.deliver(at: t)
        #expect(server.posts("/webhook").count == 2)
        await outbox.deliver(at: t + 1800)
        #expect(server.posts("/webhook").count == 2, "the hour's budget is spent")
        await outbox.deliver(at: t + 3601)
        #expect(server.posts("/webhook").count == 4)
        // A message nobody takes expires after expire_after (2 h), counted.
        try server.fail("webhook", times: 1000)
        await outbox.observe(Self.live("safe", lightning: "danger"), at: t + 4000)  // eased
        await outbox.deliver(at: t + 4000)
        await outbox.deliver(at: t + 4000 + 7201)
        #expect(await outbox.waiting.isEmpty)
        #expect(await outbox.counters.failed["webhook"] == 1)
        await http.shutdown()
    }
}
