import Foundation
import Testing
@testable import VenueGuardConfiguration

/// The `notifications:` section: channels, bounds, and secrets that stay in their files.
struct NotificationsConfigurationTests {
    static let section = """
    notifications:
      line: { token_file: /etc/venueguard/line-token, to: "C0123456789abcdef0123456789abcdef" }
      slack: { webhook_url_file: /etc/venueguard/slack-webhook }
      webhook: { url: "http://192.168.1.20:1880/venueguard" }
      min_interval: 10m
    mqtt:
    """

    @Test("Channels are read, the defaults filled in, and check-config names the files, never a secret")
    func read() throws {
        let site = try ConfigurationLoader.parse(yaml: BoundsTests.site.replacingOccurrences(of: "mqtt:", with: Self.section), file: "box.yaml")
        let n = try #require(site.notifications)
        #expect(n.line == .init(tokenFile: "/etc/venueguard/line-token", to: "C0123456789abcdef0123456789abcdef"))
        #expect(n.slackWebhookURLFile == "/etc/venueguard/slack-webhook" && n.webhookURL == "http://192.168.1.20:1880/venueguard")
        #expect(n.minInterval == .seconds(600) && n.maxPerHour == 12 && n.expireAfter == .seconds(7200) && n.silentAfter == .seconds(180))
        let printed = EffectiveConfigurationPrinter.render(site)
        #expect(printed.contains("  line: { token_file: /etc/venueguard/line-token, to: \"C0123456789abcdef0123456789abcdef\" }"))
        #expect(printed.contains("  slack: { webhook_url_file: /etc/venueguard/slack-webhook }"))
        #expect(printed.contains("  min_interval: 10m"))
        // The secret files do not exist here: check-config says the companion will not start.
        #expect(site.warnings.contains { $0.message.contains("/etc/venueguard/line-token does not exist") })
    }

    @Test("Bad values: one line each", arguments: [
        ("to: \"C0123456789abcdef0123456789abcdef\"", "to: \"group-1\"", 9, "is not a LINE group, room or user id"),
        ("token_file: /etc/venueguard/line-token", "token_file: line-token", 9, "give an absolute path"),
        ("url: \"http://192.168.1.20:1880/venueguard\"", "url: \"ftp://192.168.1.20/x\"", 11, "is not an http(s) address"),
        ("url: \"http://192.168.1.20:1880/venueguard\"", "url: \"http://user:pw@192.168.1.20/x\"", 11, "holds a user name or password"),
        ("  min_interval: 10m", "  min_interval: 10s", 12, "10s is outside 1m…24h"),
        ("  min_interval: 10m", "  max_per_hour: 0", 12, "0 is outside 1…120"),
        ("  min_interval: 10m", "  expire_after: 25h", 12, "25h is outside 10m…24h"),
        ("  min_interval: 10m", "  silent_after: 10s", 12, "10s is outside 1m…1h"),
        ("  min_interval: 10m", "  telegram: {}", 12, "unknown key"),
    ])
    func refused(_ row: (String, String, Int, String)) throws {
        let section = Self.section.replacingOccurrences(of: row.0, with: row.1)
        #expect(section != Self.section)
        let error = try #require(BoundsTests.error(BoundsTests.site.replacingOccurrences(of: "mqtt:", with: section)))
        #expect(error.line == row.2, "\(error)")
        #expect(error.description.contains(row.3), "\(error)")
    }

    @Test("No channel at all is an error")
    func noChannel() throws {
        let error = try #require(BoundsTests.error(BoundsTests.site.replacingOccurrences(of: "mqtt:", with: "notifications:\n  max_per_hour: 3\nmqtt:")))
        #expect(error.description.contains("give at least one channel"))
    }

    @Test("A secret file: its first line; a missing or odd file is named, its content never shown")
    func secrets() throws {
        let path = "/tmp/vg-secret-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "abc.DEF-123\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try NotificationsConfiguration.readSecret(path) == "abc.DEF-123")
        try "two words here\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try NotificationsConfiguration.readSecret(path)
            Issue.record("a secret with spaces was taken")
        } catch {
            #expect(error.description.contains(path) && !error.description.contains("two words"))
        }
        #expect(throws: ConfigError.self) { try NotificationsConfiguration.readSecret(path + "-missing") }
    }
}
