import Foundation
import Testing
@testable import VenueGuardConfiguration

/// The `emergency:` section (the guide's §3.1 template, §3.5 table, §12 regional parameters):
/// read, bounded, printed by `check-config`, and the companion's reading of the file.
struct EmergencyPlanTests {
    static let plan = """
    emergency:
      person_in_charge: { name: "山田 花子", phone: "090-1234-5678" }
      deputy: { name: "佐藤 一郎", phone: "090-2345-6789" }
      contacts:
        - { role: "施設管理者", name: "公民館事務室", phone: "03-1234-5678" }
      advice_line: "#7119"
      hospital: { name: "市立病院", phone: "03-2345-6789" }
      aed: { place: "1F entrance", child_pads: true, checked: "2026-10-01" }
      cool_room: "2F meeting room"
      indoors: "the main hall"
      assembly: { first: "the square", second: "Minami park" }
      shelter: "Minami elementary school"
    mqtt:
    """

    @Test("A full plan is read and check-config prints it back")
    func fullPlan() throws {
        let yaml = BoundsTests.site.replacingOccurrences(of: "mqtt:", with: Self.plan)
        let site = try ConfigurationLoader.parse(yaml: yaml, file: "box.yaml")
        let plan = try #require(site.emergency)
        #expect(plan.personInCharge == .init(name: "山田 花子", phone: "090-1234-5678"))
        #expect(plan.contacts == [.init(role: "施設管理者", name: "公民館事務室", phone: "03-1234-5678")])
        #expect(plan.adviceLine == "#7119")
        #expect(plan.aed == .init(place: "1F entrance", childPads: true, checked: "2026-10-01"))
        #expect(plan.coolRoom == "2F meeting room" && plan.indoors == "the main hall")
        #expect(plan.firstAssembly == "the square" && plan.secondAssembly == "Minami park" && plan.shelter == "Minami elementary school")
        let printed = EffectiveConfigurationPrinter.render(site)
        #expect(printed.contains("emergency:  # shown by the companion's page and legend card; 119 and 110 always"))
        #expect(printed.contains("  person_in_charge: { name: \"山田 花子\", phone: \"090-1234-5678\" }"))
        #expect(printed.contains("  aed: { place: \"1F entrance\", child_pads: true, checked: \"2026-10-01\" }"))
        #expect(printed.contains("  assembly: { first: \"the square\", second: \"Minami park\" }"))
        #expect(printed.contains("  records_days: 365"))
    }

    @Test("Without the section there is no plan; the companion's reading of the file matches the daemon's")
    func companionReading() throws {
        let site = try ConfigurationLoader.parse(yaml: BoundsTests.site, file: "box.yaml")
        #expect(site.emergency == nil)
        let path = "/tmp/vg-emergency-\(UInt32.random(in: 0...UInt32.max)).yaml"
        // The MQTT password file does not exist: the companion never reads the MQTT section.
        let yaml = BoundsTests.site.replacingOccurrences(of: "site: { id: box }", with: "site: { id: box, name: \"Minami club\", utc_offset: \"+09:00\" }")
            .replacingOccurrences(of: "mqtt:", with: Self.plan) + "\n  password_file: /nonexistent/never-read\n"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let companion = try ConfigurationLoader.loadOfficial(path: path)
        #expect(companion.siteID == "box" && companion.siteName == "Minami club" && companion.utcOffsetSeconds == 9 * 3600)
        #expect(companion.emergency?.adviceLine == "#7119")
        #expect(companion.companion.language == "ja" && companion.companion.recordsDays == 365)
    }

    @Test("Each bad value is one line naming the file, line and what is wrong", arguments: [
        ("  advice_line: \"#7119\"", "  advice_line: \"call the office\"", 13, "is not a phone number"),
        ("  advice_line: \"#7119\"", "  advice_line: \"1\"", 13, "is not a phone number"),
        ("phone: \"090-1234-5678\" }", "phone: \"090-1234-5678-0000-0000-0000-0000\" }", 9, "is not a phone number"),
        ("checked: \"2026-10-01\"", "checked: \"2026-02-31\"", 15, "expected a date such as 2026-10-01"),
        ("checked: \"2026-10-01\"", "checked: \"yesterday\"", 15, "expected a date"),
        ("  cool_room: \"2F meeting room\"", "  cool_room: \"\(String(repeating: "x", count: 121))\"", 16, "give 1…120 characters"),
        ("  cool_room: \"2F meeting room\"", "  cool_room: \"2F \u{202E}moor\"", 16, "invisible character U+202E"),
        ("  shelter: \"Minami elementary school\"", "  shelter: \"\"", 19, "give 1…120 characters (0 given)"),
        ("  indoors: \"the main hall\"", "  indoor: \"the main hall\"", 17, "unknown key (did you mean 'indoors'?)"),
        ("aed: { place: \"1F entrance\", child_pads: true", "aed: { child_pads: true", 15, "is required"),
        ("aed: { place: \"1F entrance\", child_pads: true", "aed: { place: \"1F entrance\", child_pads: maybe", 15, "expected true or false"),
        ("    - { role: \"施設管理者\"", "    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { name: \"x\" }\n    - { role: \"施設管理者\"", 12, "at most 10 contacts"),
        ("  person_in_charge: { name: \"山田 花子\",", "  person_in_charge: { role: \"boss\", name: \"山田 花子\",", 9, "unknown key"),
    ])
    func refused(_ row: (String, String, Int, String)) throws {
        let plan = Self.plan.replacingOccurrences(of: row.0, with: row.1)
        #expect(plan != Self.plan, "the row's text is not in the plan: \(row.0)")
        let yaml = BoundsTests.site.replacingOccurrences(of: "mqtt:", with: plan)
        let error = try #require(BoundsTests.error(yaml))
        #expect(error.line == row.2, "\(error)")
        #expect(error.description.contains(row.3), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test("The companion's language and record days are bounded", arguments: [
        ("companion:\n  language: de\nmqtt:", 9, "'de' is not one of: ja, en"),
        ("companion:\n  records_days: 0\nmqtt:", 9, "0 is outside 1…3660"),
        ("companion:\n  records_days: 100000\nmqtt:", 9, "100000 is outside 1…3660"),
    ])
    func companionBounds(_ row: (String, Int, String)) throws {
        let error = try #require(BoundsTests.error(BoundsTests.site.replacingOccurrences(of: "mqtt:", with: row.0)))
        #expect(error.line == row.1, "\(error)")
        #expect(error.description.contains(row.2), "\(error)")
    }
}
