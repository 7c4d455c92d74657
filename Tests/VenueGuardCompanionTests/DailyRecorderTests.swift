import Foundation
import Logging
import Testing
@testable import VenueGuardCompanion
import VenueGuardCore

/// The daily records: real files in a temporary folder, written in batches, read back after a
/// restart, pruned after the days kept, never confused by files they did not write.
struct DailyRecorderTests {
    /// 2026-08-07 00:00 JST.
    static let midnight = 1_786_028_400.0

    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-records-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func snapshot(yard: Double?, at unix: Double, running: Bool = true, strikeKm: Double? = nil) throws -> (DaemonSnapshot, DaemonFreshness) {
        let bytes = PageFixtures.state(yard: yard, strikeKm: strikeKm, running: running, written: WallClockTime(secondsSince1970: unix))
        let snapshot = try DaemonSnapshot.decode(Data(bytes))
        return (snapshot, DaemonFreshness.judge(.success(snapshot), now: unix))
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test("One row a minute per area, appended in batches: a power cut loses at most the batch")
    func batched() async throws {
        let folder = try Self.folder()
        let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, flushInterval: 600, logger: Logger(label: "test"))
        let start = Self.midnight + 10 * 3600  // 10:00 JST
        for minute in 0..<25 {
            for second in [0.0, 20, 40] {  // called every 20 s: still one row a minute
                let at = start + Double(minute * 60) + second
                let (snapshot, freshness) = try Self.snapshot(yard: 25 + Double(minute) / 10, at: at)
                await recorder.record(snapshot, freshness: freshness, at: at)
            }
        }
        let yard = "\(folder)/yard/2026-08-07.csv"
        let written = Self.lines(yard)
        // The first row at once, then every 10 minutes: 10:00, 10:10 … 10:20 written; 10:21… waiting.
        #expect(written.first == RecordRow.header)
        #expect(written.count == 1 + 21, "\(written.count)")
        #expect(written[1] == "2026-08-07T10:00+09:00,25.0,wbgt,warning,warning,measured,clear,,none,false,running")
        #expect(await recorder.fileWrites == 3 * 2, "three appends per area, not one per row")
        #expect(await recorder.rows(area: "yard").count == 25)
        // The CSV served includes the waiting rows.
        let served = try #require(await recorder.csv(area: "yard", date: "2026-08-07"))
        #expect(served.split(separator: "\n").count == 26)
        await recorder.flush()
        #expect(Self.lines(yard).count == 26)
        #expect(Self.lines("\(folder)/hall/2026-08-07.csv").count == 26)
    }

    @Test("After a restart today's rows are read back; the minutes without the daemon are recorded as no data")
    func restart() async throws {
        let folder = try Self.folder()
        let start = Self.midnight + 13 * 3600
        do {
            let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
            for minute in 0..<5 {
                let (snapshot, freshness) = try Self.snapshot(yard: 30, at: start + Double(minute * 60))
                await recorder.record(snapshot, freshness: freshness, at: start + Double(minute * 60))
            }
            await recorder.flush()
        }
        let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        // The daemon stopped: its old file is there, saying it stopped.
        let at = start + 7 * 60
        let (stopped, _) = try Self.snapshot(yard: 30, at: at - 60, running: false)
        await recorder.record(stopped, freshness: DaemonFreshness.judge(.success(stopped), now: at), at: at)
        let rows = await recorder.rows(area: "yard")
        #expect(rows.map(\.minute) == [780, 781, 782, 783, 784, 787])
        #expect(rows.last?.heatLevel == "no-data" && rows.last?.wbgt == nil && rows.last?.daemon == "stopped")
        // Nor is "no heat alert" or "no thunder advisory" claimed for a minute nobody watched.
        #expect(rows.last?.heatAlert == "no-data" && rows.last?.thunderAdvisory == nil)
        let csv = try #require(await recorder.csv(area: "yard", date: "2026-08-07"))
        #expect(csv.hasSuffix(",,no-data,no-data,stopped\n") || csv.hasSuffix(",,no-data,no-data,stopped"), "\(csv.suffix(80))")
        #expect(rows.first?.heatLevel == "severe")
        #expect(await recorder.unreadableLines == 0)
    }

    @Test("The day ends at the site's midnight: two files")
    func dayRollover() async throws {
        let folder = try Self.folder()
        let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        for at in [Self.midnight - 60, Self.midnight] {
            let (snapshot, freshness) = try Self.snapshot(yard: 22, at: at)
            await recorder.record(snapshot, freshness: freshness, at: at)
        }
        await recorder.flush()
        #expect(Self.lines("\(folder)/yard/2026-08-06.csv").last?.hasPrefix("2026-08-06T23:59+09:00,22.0") == true)
        #expect(Self.lines("\(folder)/yard/2026-08-07.csv").last?.hasPrefix("2026-08-07T00:00+09:00,22.0") == true)
        #expect(await recorder.rows(area: "yard").count == 1)
    }

    @Test("Days older than kept are removed; other files and lines it did not write are left alone and counted")
    func retentionAndForeignFiles() async throws {
        let folder = try Self.folder()
        try FileManager.default.createDirectory(atPath: "\(folder)/yard", withIntermediateDirectories: true)
        for date in ["2026-08-05", "2026-08-06", "2026-07-01"] {
            try (RecordRow.header + "\n").write(toFile: "\(folder)/yard/\(date).csv", atomically: true, encoding: .utf8)
        }
        try "notes".write(toFile: "\(folder)/yard/README.txt", atomically: true, encoding: .utf8)
        try (RecordRow.header + "\n2026-08-07T00:01+09:00,999,wbgt,safe,safe,measured,clear,,none,false,running\nrubbish\n"
            + "2026-08-07T00:02+09:00,21.0,wbgt,caution,caution,measured,clear,,none,false,running\n")
            .write(toFile: "\(folder)/yard/2026-08-07.csv", atomically: true, encoding: .utf8)
        let recorder = DailyRecorder(directory: folder, keepDays: 2, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        let (snapshot, freshness) = try Self.snapshot(yard: 22, at: Self.midnight + 300)
        await recorder.record(snapshot, freshness: freshness, at: Self.midnight + 300)
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(folder)/yard").sorted()
        #expect(left == ["2026-08-06.csv", "2026-08-07.csv", "README.txt"])
        #expect(await recorder.unreadableLines == 2, "a WBGT of 999 and a line of rubbish")
        #expect(await recorder.rows(area: "yard").map(\.minute) == [2, 5])
        let summaries = await recorder.summaries()
        #expect(summaries.first { $0.area == "yard" && $0.date == "2026-08-07" }?.maximum == 22)
        #expect(await recorder.csv(area: "../etc", date: "2026-08-07") == nil)
        #expect(await recorder.csv(area: "yard", date: "2026-02-31") == nil)
    }

    @Test("A strike is recorded in the minute it is first seen, not again, and not an old one at start")
    func strikes() async throws {
        let folder = try Self.folder()
        let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        let start = Self.midnight + 15 * 3600
        for minute in 0..<3 {
            let at = start + Double(minute * 60)
            // The fixture's strike is at the file's time: new each minute only when the file says so.
            // Minutes 0 and 1 read the same file (one strike); minute 2 a new file with a new strike.
            // The files stand for a running daemon whatever their age.
            let (snapshot, _) = try Self.snapshot(yard: 24, at: minute == 2 ? at : start, strikeKm: 9)
            await recorder.record(snapshot, freshness: .running(ageSeconds: 0), at: at)
        }
        let rows = await recorder.rows(area: "yard")
        #expect(rows.map(\.strikeKm) == [9, nil, 9])
        #expect(rows.allSatisfy { $0.lightning == "danger" })
    }

    @Test("Official heat alerts not known while the daemon runs: recorded as unknown, not none; the line reads back")
    func heatAlertsNotKnown() async throws {
        let folder = try Self.folder()
        let at = Self.midnight + 14 * 3600
        let bytes = MetricsEndpointTests.daemonState(written: WallClockTime(secondsSince1970: at))
        let snapshot = try DaemonSnapshot.decode(Data(bytes))
        let recorder = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        await recorder.record(snapshot, freshness: DaemonFreshness.judge(.success(snapshot), now: at), at: at)
        let row = try #require(await recorder.rows(area: "yard").last)
        #expect(row.heatAlert == "unknown", "the feed is not known: no claim of 'none'")
        #expect(row.thunderAdvisory == false, "no thunder source configured: the daemon's own word stands")
        let written = Self.lines("\(folder)/yard/2026-08-07.csv")
        #expect(written.last?.hasSuffix(",unknown,false,running") == true, "\(written)")
        // Read back after a restart: the line is the recorder's own, not an unreadable one.
        let again = DailyRecorder(directory: folder, keepDays: 365, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        await again.record(snapshot, freshness: DaemonFreshness.judge(.success(snapshot), now: at + 60), at: at + 60)
        #expect(await again.unreadableLines == 0)
        #expect(await again.rows(area: "yard").first?.heatAlert == "unknown")
    }

    @Test("A records folder that cannot be written: rows wait in memory, and today is still listed and served")
    func unwritableFolder() async throws {
        let parent = try Self.folder()
        let folder = parent + "/records"
        try "a file where the folder should be".write(toFile: folder, atomically: true, encoding: .utf8)
        let recorder = DailyRecorder(directory: folder, keepDays: 30, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        let at = Self.midnight + 9 * 3600
        let (snapshot, freshness) = try Self.snapshot(yard: 26, at: at)
        await recorder.record(snapshot, freshness: freshness, at: at)
        #expect(await recorder.isWriteFailing)
        #expect(await recorder.rowsWritten == 0)
        let today = await recorder.summaries().filter { $0.date == "2026-08-07" }
        #expect(Set(today.map(\.area)) == ["yard", "hall"], "\(today)")
        #expect(today.first { $0.area == "yard" }?.maximum == 26)
        let csv = try #require(await recorder.csv(area: "yard", date: "2026-08-07"))
        #expect(csv.hasPrefix(RecordRow.header + "\n2026-08-07T09:00+09:00,26.0,"), "\(csv)")
    }

    @Test("A row from the future in today's file holds only its own minute; rows stay in time order")
    func futureRow() async throws {
        let folder = try Self.folder()
        try FileManager.default.createDirectory(atPath: "\(folder)/yard", withIntermediateDirectories: true)
        try (RecordRow.header + "\n2026-08-07T23:59+09:00,20.0,wbgt,safe,safe,measured,clear,,none,false,running\n")
            .write(toFile: "\(folder)/yard/2026-08-07.csv", atomically: true, encoding: .utf8)
        let recorder = DailyRecorder(directory: folder, keepDays: 30, utcOffsetSeconds: 9 * 3600, flushInterval: 0, logger: Logger(label: "test"))
        for minute in 0..<3 {
            let at = Self.midnight + 9 * 3600 + Double(minute * 60)
            let (snapshot, freshness) = try Self.snapshot(yard: 25, at: at)
            await recorder.record(snapshot, freshness: freshness, at: at)
        }
        #expect(await recorder.rows(area: "yard").map(\.minute) == [540, 541, 542, 1439])
        #expect(await recorder.rowsWritten == 6, "three minutes of the yard and the hall")
        // The same minute again (a restart within it): not recorded twice.
        let again = DailyRecorder(directory: folder, keepDays: 30, utcOffsetSeconds: 9 * 3600, flushInterval: 0, logger: Logger(label: "test"))
        let (snapshot, freshness) = try Self.snapshot(yard: 25, at: Self.midnight + 9 * 3600 + 150)
        await again.record(snapshot, freshness: freshness, at: Self.midnight + 9 * 3600 + 150)
        #expect(await again.rows(area: "yard").map(\.minute) == [540, 541, 542, 1439])
    }

    @Test("The CSV link serves only rows the recorder can read: no foreign line, no spreadsheet formula")
    func servedRowsOnly() async throws {
        let folder = try Self.folder()
        try FileManager.default.createDirectory(atPath: "\(folder)/yard", withIntermediateDirectories: true)
        try (RecordRow.header + "\n=HYPERLINK(\"http://example.invalid\",\"x\")\n<script>alert(1)</script>\n"
            + "2026-08-06T10:00+09:00,21.0,wbgt,caution,caution,measured,clear,,none,false,running\n"
            + "2026-08-01T10:00+09:00,21.0,wbgt,caution,caution,measured,clear,,none,false,running\n")
            .write(toFile: "\(folder)/yard/2026-08-06.csv", atomically: true, encoding: .utf8)
        try "x".write(toFile: "\(folder)/yard/2026-02-30.csv", atomically: true, encoding: .utf8)
        let recorder = DailyRecorder(directory: folder, keepDays: 30, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        let (snapshot, freshness) = try Self.snapshot(yard: 22, at: Self.midnight + 300)
        await recorder.record(snapshot, freshness: freshness, at: Self.midnight + 300)
        let served = try #require(await recorder.csv(area: "yard", date: "2026-08-06"))
        #expect(served == RecordRow.header + "\n2026-08-06T10:00+09:00,21.0,wbgt,caution,caution,measured,clear,,none,false,running\n")
        // Not a real date: not one of its files, so not removed by the retention.
        #expect(FileManager.default.fileExists(atPath: "\(folder)/yard/2026-02-30.csv"))
    }

    @Test("Rows that cannot be written by the time the service stops are said lost in the log")
    func lostAtStop() async throws {
        let parent = try Self.folder()
        try "a file".write(toFile: parent + "/records", atomically: true, encoding: .utf8)
        let log = NotificationTests.CapturedLog()
        let recorder = DailyRecorder(directory: parent + "/records", keepDays: 30, utcOffsetSeconds: 9 * 3600, logger: log.logger)
        let (snapshot, freshness) = try Self.snapshot(yard: 22, at: Self.midnight + 600)
        await recorder.record(snapshot, freshness: freshness, at: Self.midnight + 600)
        await recorder.finish()
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("2 rows of 2026-08-07 could not be written and are lost as the service stops") }, "\(lines)")
    }

    @Test("Rows still unwritten when the day ends are said lost in the log, and the next day goes on")
    func lostAtDayEnd() async throws {
        let parent = try Self.folder()
        try "a file".write(toFile: parent + "/records", atomically: true, encoding: .utf8)
        let log = NotificationTests.CapturedLog()
        let recorder = DailyRecorder(directory: parent + "/records", keepDays: 30, utcOffsetSeconds: 9 * 3600, logger: log.logger)
        for at in [Self.midnight - 60, Self.midnight] {
            let (snapshot, freshness) = try Self.snapshot(yard: 22, at: at)
            await recorder.record(snapshot, freshness: freshness, at: at)
        }
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("2 rows of 2026-08-06 could not be written by the day's end and are lost") }, "\(lines)")
        #expect(await recorder.rows(area: "yard").map(\.minute) == [0])
    }

    @Test("A daemon state silent on an official source the companion fetches: recorded as unknown")
    func officialExpected() async throws {
        let folder = try Self.folder()
        let recorder = DailyRecorder(directory: folder, keepDays: 30, utcOffsetSeconds: 9 * 3600, officialFetched: OfficialSourcesFetched(heatAlerts: true, thunderAdvisory: true),
                                     logger: Logger(label: "test"))
        let (snapshot, freshness) = try Self.snapshot(yard: 22, at: Self.midnight + 600)
        await recorder.record(snapshot, freshness: freshness, at: Self.midnight + 600)
        let row = try #require(await recorder.rows(area: "yard").last)
        #expect(row.heatAlert == "unknown" && row.thunderAdvisory == nil)
        #expect(Self.lines("\(folder)/yard/2026-08-07.csv").last?.hasSuffix(",unknown,unknown,running") == true)
    }
}
