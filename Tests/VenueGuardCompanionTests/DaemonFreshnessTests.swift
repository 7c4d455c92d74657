import Foundation
import Testing
@testable import VenueGuardCompanion
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardTelemetry

/// The state file's freshness on the page and in /metrics, judged as `venueguard status` judges
/// it: on the boot clock when the file has a stamp of this boot, so a wall clock stepped back
/// (a board without a real-time clock, NTP, `date -s`) cannot make a hung daemon's file look new.
struct DaemonFreshnessTests {
    static let wallNow = 1_785_000_000.0
    static let bootNow = BootClockReading(id: "boot-b", nanoseconds: 1_000_000_000_000)

    /// A running daemon's file written at wall `written` with boot stamp `stamp` (`nil`: none).
    static func file(written: Double, stamp: BootClockReading?) -> [UInt8] {
        var engine = VenueEngine(model: PageFixtures.model)
        let status = engine.evaluate(at: Timestamp(monotonic: .origin, wall: WallClockTime(secondsSince1970: written)))
        return DaemonStateDocument.encode(status: status, payloads: TelemetryPayloads(site: "club", utcOffsetSeconds: 9 * 3600), mqtt: nil, pid: 1,
                                   configuration: "/etc/venueguard/venueguard.yaml", running: true, stoppedBecause: nil,
                                   written: WallClockTime(secondsSince1970: written), boot: stamp.map { ($0.id, $0.nanoseconds) })
    }

    enum Expected: String { case running, stale, missing }

    @Test("Boot clock first, wall clock without one: the kind and the age", arguments: [
        // (what, wall written minus now, boot stamp (id, seconds before now), observer has a boot clock, expected, age)
        ("same boot, wall stepped forward an hour since", -3600.0, ("boot-b", 3.0), true, Expected.running, 3.0),
        ("same boot, 20 s old, wall stepped back an hour since", 3600.0, ("boot-b", 20.0), true, .stale, 20.0),
        ("same boot, 14 s old", -14.0, ("boot-b", 14.0), true, .running, 14.0),
        ("an earlier boot, written 2 s ago by the wall", -2.0, ("boot-a", 2.0), true, .stale, 2.0),
        ("same boot, stamped 5 s ahead of now", 0.0, ("boot-b", -5.0), true, .missing, .nan),
        ("same boot, a negative boot time (forged)", 0.0, ("boot-b", 2e9), true, .missing, .nan),
        ("stamped, the reader has no boot clock: wall, 3 s", -3.0, ("boot-b", 3.0), false, .running, 3.0),
        ("no stamp: wall, 3 s", -3.0, nil, true, .running, 3.0),
        ("no stamp: wall, 20 s", -20.0, nil, true, .stale, 20.0),
        ("no stamp: wall a minute ahead", 60.0, nil, true, .missing, .nan),
    ] as [(String, Double, (String, Double)?, Bool, Expected, Double)])
    func judged(_ row: (what: String, wallOffset: Double, stamp: (String, Double)?, readerHasBoot: Bool, expected: Expected, age: Double)) throws {
        let stamp = row.stamp.map { BootClockReading(id: $0.0, nanoseconds: Self.bootNow.nanoseconds - Int64($0.1 * 1e9)) }
        let bytes = Self.file(written: Self.wallNow + row.wallOffset, stamp: stamp)
        let snapshot = try DaemonSnapshot.decode(Data(bytes))
        #expect(snapshot.bootStamp == stamp, "\(row.what): the stamp was not read back")
        let boot = row.readerHasBoot ? Self.bootNow : nil
        let freshness = DaemonFreshness.judge(.success(snapshot), now: Self.wallNow, boot: boot)
        switch (freshness, row.expected) {
        case let (.running(age), .running), let (.stale(age), .stale):
            #expect(abs(age - row.age) < 0.01, "\(row.what): age \(age)")
        case (.missing, .missing): break
        default: Issue.record("\(row.what): \(freshness), expected \(row.expected)")
        }
        // /metrics judges the same bytes the same way.
        let text = VenueMetrics().render(daemonState: Data(bytes), companion: CompanionService.Counters(), now: Self.wallNow, boot: boot)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("venueguard_daemon_up \(row.expected == .running ? "1.0" : "0.0")"), "\(row.what): \(lines.filter { $0.hasPrefix("venueguard_daemon") })")
        let ageLine = lines.first { $0.hasPrefix("venueguard_daemon_state_age_seconds ") } ?? ""
        let shown = Double(ageLine.split(separator: " ").last.map(String.init) ?? "") ?? -1
        #expect(row.age.isNaN ? shown.isNaN : abs(shown - row.age) < 0.01, "\(row.what): \(ageLine)")
    }

    @Test("A forged or damaged boot stamp never crashes the page or /metrics, and both say the same", arguments: [
        ("the most negative boot time", "-9223372036854775807"),
        ("the largest boot time", "9223372036854775807"),
        ("a boot time beyond 64 bits", "1e30"),
        ("a boot time as a string", "\"8350000000000\""),
        ("a fractional boot time", "1.5"),
        ("a boot id as a number", nil),
    ] as [(String, String?)])
    func forgedStamp(_ row: (what: String, boottime: String?)) throws {
        var text = String(decoding: Self.file(written: Self.wallNow - 2, stamp: BootClockReading(id: "boot-b", nanoseconds: 1)), as: UTF8.self)
        if let boottime = row.boottime {
            text = text.replacingOccurrences(of: "\"boottime_ns\":1", with: "\"boottime_ns\":\(boottime)")
        } else {
            text = text.replacingOccurrences(of: "\"boot_id\":\"boot-b\"", with: "\"boot_id\":12345")
        }
        #expect(!text.contains("\"boottime_ns\":1,") || row.boottime == nil, "\(row.what): the stamp was not replaced")
        let data = Data(text.utf8)
        let read = Result { try DaemonSnapshot.decode(data) }.mapError { SnapshotProblem.unreadable("\($0)") }
        let freshness = DaemonFreshness.judge(read, now: Self.wallNow, boot: Self.bootNow)
        #expect(!freshness.isLive, "\(row.what): \(freshness)")
        let metrics = VenueMetrics().render(daemonState: data, companion: CompanionService.Counters(), now: Self.wallNow, boot: Self.bootNow)
        #expect(metrics.contains("venueguard_daemon_up 0.0"), "\(row.what): /metrics says up while the page says \(freshness)")
    }
}
