import Testing
import VenueGuardCore
@testable import VenueGuardConfiguration

/// Every duration, rate, size and count a file gives is bounded: a value outside its bounds is
/// one line with the file and line, never a trap, a busy loop or an exhausted memory.
struct BoundsTests {
    static let site = """
    site: { id: box }
    areas:
      - { id: hall, exposure: indoor, sensors: [hall-climate] }
    sensors:
      - id: hall-climate
        kind: sht3x
        period: 10s
    mqtt:
      host: 127.0.0.1
    """

    static func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml")
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    @Test("check-config prints the official: section with the JMA office it will use")
    func printsOfficial() throws {
        let yaml = Self.site.replacingOccurrences(of: "mqtt:", with: """
            official:
              heat_alert_area: "130000"
              thunder_municipality: "1310100"
              wbgt_point: "44132"
              poll_interval: 15m
            mqtt:
            """)
        let printed = EffectiveConfigurationPrinter.render(try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml"))
        #expect(printed.contains("""
            official:  # read by venueguard-companion
              heat_alert_area: "130000"  # 府県予報区 (forecast area)
              thunder_municipality: "1310100"  # 市町村等 (municipality)
              jma_office: "130000"  # default: heat_alert_area
              wbgt_point: "44132"  # the Ministry's WBGT point
              poll_interval: 15m
              disagreement_margin: 3  # °C from the official estimate
              disagreement_after: 1h
            """), "\(printed)")
    }

    @Test("Out-of-bounds numbers are errors with the file and line", arguments: [
        // (replace, with, line, fragment)
        ("    period: 10s", "    period: 1e10", 7, "expected a duration"),
        ("    period: 10s", "    period: 2h", 7, "2h is outside 100ms…1h"),
        ("    period: 10s", "    period: 0", 7, "0s is outside 100ms…1h"),
        ("    period: 10s", "    period: 10s\n    stuck_after: 2e10", 8, "expected a duration"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  keepalive: 3000000000", 10, "outside 5s…18h12m15s"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  reconnect_min: 0", 10, "0s is outside 1s…1h"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  state_interval: 0", 10, "0s is outside 10s…24h"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  outbox: { replay_rate: 1e-30 }", 10, "is outside 1…100000"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  outbox: { max_size_mb: 1e12 }", 10, "is outside 1…100000"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  client_id: ''", 10, "client_id must be 1–64 printable"),
        ("  host: 127.0.0.1", "  host: 127.0.0.1\n  client_id: 'a b'", 10, "client_id must be 1–64 printable"),
        ("mqtt:", "heat:\n  step_down_dwell: 2e10\nmqtt:", 9, "expected a duration"),
        ("mqtt:", "lightning:\n  danger_radius_km: 0\nmqtt:", 9, "0 is outside 1…40"),
        ("mqtt:", "lightning:\n  all_clear: 0\nmqtt:", 9, "0s is outside 1s…6h"),
        ("mqtt:", "official:\n  heat_alert_area: \"13000\"\nmqtt:", 9, "is not a forecast area code (府県予報区): 6 digits"),
        ("mqtt:", "official:\n  thunder_municipality: \"13101x0\"\nmqtt:", 9, "is not a municipality code"),
        ("mqtt:", "official:\n  wbgt_point: \"44132\"\n  poll_interval: 10s\nmqtt:", 10, "10s is outside 1m…1h"),
        ("mqtt:", "official:\n  poll_interval: 10m\nmqtt:", 9, "give at least one of heat_alert_area"),
        ("mqtt:", "official:\n  wbgt_point: \"44132\"\n  disagreement_margin: 0.2\nmqtt:", 10, "outside 1…10"),
        ("mqtt:", "official:\n  wbgt_point: \"44132\"\n  disagreement_after: 5m\nmqtt:", 10, "5m is outside 30m…6h"),
        ("mqtt:", "companion:\n  listen: \"127.0.0.1:8790\"\nmqtt:", 9, "is not an address to listen on"),
        ("mqtt:", "companion:\n  listen: example.com\nmqtt:", 9, "is not an address to listen on"),
        ("mqtt:", "companion:\n  port: 80\nmqtt:", 9, "80 is outside 1024…65535"),
        ("mqtt:", "heat:\n  heat_alert: { indoor: safe }\nmqtt:", 9, "a floor of 'safe' raises nothing"),
        ("mqtt:", "heat:\n  wbgt_thresholds: { stop: 1e300 }\nmqtt:", 9, "is outside 10…40"),
        ("mqtt:", "simulation: { scenario: x.yaml, speed: 1e300 }\nmqtt:", 8, "is outside 0…1000000"),
    ])
    func bounded(_ row: (String, String, Int, String)) throws {
        let yaml = Self.site.replacingOccurrences(of: row.0, with: row.1)
        #expect(yaml != Self.site)
        let error = try #require(Self.error(yaml))
        #expect(error.line == row.2, "\(error)")
        #expect(error.description.contains(row.3), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("Legal but weaker than the guide: a warning naming the standard")
    func weakerThanStandard() throws {
        let yaml = Self.site.replacingOccurrences(of: "mqtt:", with: """
            heat:
              step_down_dwell: 0
              heat_alert: { indoor: warning }
            lightning:
              all_clear: 10m
            mqtt:
            """)
        let site = try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml")
        let texts = site.warnings.map(\.description)
        #expect(texts.contains { $0.contains("heat.step_down_dwell") && $0.contains("may flap") })
        #expect(texts.contains { $0.contains("heat.heat_alert.indoor") && $0.contains("weaker than the club guide's standard (severe)") })
        #expect(texts.contains { $0.contains("lightning.all_clear") && $0.contains("(30m)") })
    }

    @Test("YAML anchors and aliases are refused before they can expand (billion laughs)", arguments: [
        "a: &a [\"lol\",\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n",
        "site: &s { id: x }\nother: *s\n",
        "? *x\n: 1\n",
        "site: { id: x, name: &n hall }\n",
    ])
    func aliases(_ yaml: String) throws {
        let error = try #require(Self.error(yaml))
        #expect(error.description.contains("not supported"), "\(error)")
    }

    @Test("Stars inside quotes and comments are text, not aliases")
    func starsAreText() throws {
        let yaml = Self.site.replacingOccurrences(of: "site: { id: box }", with: "site: { id: box, name: \"*Star* club\" }  # *not an alias*")
        #expect(try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml").model.site.name == "*Star* club")
    }

    @Test("A file with too many values is refused")
    func tooManyValues() throws {
        let list = (0..<60_000).map { "  - \($0)" }.joined(separator: "\n")
        let error = try #require(Self.error("site: { id: x }\nareas:\n\(list)\n"))
        #expect(error.description.contains("more than 50000 values"))
    }

    @Test("Durations never trap, however large", arguments: ["1e10", "1e300", "99999999999h", "inf", "nan", "-5s", "1e-300"])
    func durationText(_ text: String) {
        if let parsed = DurationText.parse(text) {
            #expect(parsed <= DurationText.longest && parsed >= .zero)
        }
        _ = Duration.seconds(fractional: Double(text) ?? 1e300)
    }
}
