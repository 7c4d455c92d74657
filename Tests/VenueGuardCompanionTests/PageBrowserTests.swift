import Foundation
import Logging
import Synchronization
import Testing
@testable import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardCore

/// The page in a real headless Chromium (Debian's package), served by the companion's own HTTP
/// server on loopback from real daemon state files: phone and desktop screenshots in both
/// languages, a level change shown within 5 s without a reload, nothing fetched from anywhere
/// but the box with name resolution cut, "not updating" said when the companion stops, and the
/// legend card printed to one A4 and one A5 page. Screenshots and PDFs are kept in `out/page/`.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct PageBrowserTests {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("browser_driver.py").path
    static let output = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("out/page").path

    /// A companion serving the page for a state file in a fresh folder.
    struct Served {
        var folder: String
        var stateFile: String
        var port: Int
        var page: VenuePage
        var serving: Task<Void, any Error>
        var paging: Task<Void, Never>
        /// How the server's stop ended, once it has.
        var stopOutcome: StopRecord
        /// The server's connection counts.
        var connections: HTTPConnectionLimit.Counts

        func stop() async {
            await page.stop()
            serving.cancel()
            _ = await serving.result
            await paging.value
        }
    }

    /// Where the server says how its stop ended.
    final class StopRecord: Sendable {
        let outcome = Mutex<CompanionHTTPServer.StopOutcome?>(nil)
    }

    static func serve(language: String, idleTimeout: Duration = .seconds(30),
                      shutdownLimit: Duration = .seconds(10), maximumConnections: Int = 256) async throws -> Served {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vg-page-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let stateFile = folder + "/state.json"
        let site = CompanionSiteConfiguration(siteID: "club", siteName: "Minami club", utcOffsetSeconds: 9 * 3600, official: nil,
                                              companion: CompanionConfiguration(listen: "127.0.0.1", port: 0, language: language),
                                              emergency: PageFixtures.plan)
        let recorder = DailyRecorder(directory: folder + "/records", keepDays: 30, utcOffsetSeconds: 9 * 3600, logger: Logger(label: "test"))
        let page = VenuePage(site: site, daemonStateFile: stateFile, recorder: recorder)
        var server = CompanionHTTPServer(configuration: site.companion, daemonStateFile: stateFile, companion: nil, page: page,
                                         logger: Logger(label: "test"))
        server.idleTimeout = idleTimeout
        server.shutdownLimit = shutdownLimit
        server.maximumConnections = maximumConnections
        let port = Mutex(0), record = StopRecord()
        let serving = Task {
            try await server.run(running: { bound in port.withLock { $0 = bound } },
                                 stopped: { outcome in record.outcome.withLock { $0 = outcome } })
        }
        let paging = Task { await page.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while port.withLock({ $0 }) == 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let bound = port.withLock { $0 }
        guard bound > 0 else {
            serving.cancel()
            throw CancellationError()
        }
        return Served(folder: folder, stateFile: stateFile, port: bound, page: page, serving: serving, paging: paging, stopOutcome: record,
                      connections: server.connections)
    }

    /// A state file made now (the daemon's own writer), saved in `folder` under `name`.
    static func state(_ name: String, folder: String, yard: Double, strikeKm: Double? = nil, running: Bool = true) throws -> String {
        let path = "\(folder)/\(name).json"
        let bytes = PageFixtures.state(yard: yard, strikeKm: strikeKm, running: running,
                                       written: WallClockTime(secondsSince1970: Date().timeIntervalSince1970))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs the driver on `job`; polls (never blocks a test thread) until it ends or `limit` passes.
    /// `whileRunning` is called each poll with the driver's output folder.
    static func drive(_ job: [String: Any], folder: String, limit: Duration = .seconds(120),
                      whileRunning: (() async -> Void)? = nil) async throws -> [String: Any] {
        let jobFile = "\(folder)/job-\(UUID().uuidString.prefix(6)).json"
        try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobFile))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", driver, jobFile]
        let resultFile = jobFile + ".out"
        _ = FileManager.default.createFile(atPath: resultFile, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: resultFile))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/null"))
        try process.run()
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline {
            await whileRunning?()
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.terminate()
            Issue.record("the browser driver did not finish within \(limit)")
        }
        let text = (try? String(contentsOfFile: resultFile, encoding: .utf8)) ?? ""
        let line = try #require(text.split(separator: "\n").last { $0.hasPrefix("{\"screenshots\"") }, "driver output: \(text.prefix(2000))")
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    /// The width and height of a PNG (its IHDR).
    static func pngSize(_ path: String) -> (Int, Int)? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 24, data.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) else { return nil }
        func be(_ at: Int) -> Int { data[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be(16), be(20))
    }

    /// `pdfinfo`'s page count and page size in points.
    static func pdfInfo(_ path: String) -> (pages: Int, width: Double, height: Double)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["pdfinfo", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var pages = 0, width = 0.0, height = 0.0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("Pages:") { pages = Int(line.split(separator: " ").last ?? "") ?? 0 }
            if line.hasPrefix("Page size:") {
                let parts = line.split(separator: " ")
                if parts.count >= 5 { width = Double(parts[2]) ?? 0; height = Double(parts[4]) ?? 0 }
            }
        }
        return (pages, width, height)
    }

    @Test("Japanese: phone and desktop screenshots, a level change within 5 s, the companion stopping said, the legend on A4 and A5")
    func japanese() async throws {
        let served = try await Self.serve(language: "ja")
        try FileManager.default.createDirectory(atPath: Self.output, withIntermediateDirectories: true)
        let severe = try Self.state("severe", folder: served.folder, yard: 29.4)
        let stop = try Self.state("stop", folder: served.folder, yard: 32.5)
        let caution = try Self.state("caution", folder: served.folder, yard: 22)
        let stopped = try Self.state("stopped", folder: served.folder, yard: 26, running: false)
        let base = "http://127.0.0.1:\(served.port)"
        let marker = served.folder + "/ready-for-lost"
        let job: [String: Any] = [
            "url": base + "/", "state_file": served.stateFile, "out": Self.output, "lang": "ja",
            "sizes": [[390, 844], [1280, 900]],
            "states": [["file": severe, "headline": "厳重警戒"], ["file": stop, "headline": "危険"],
                       ["file": caution, "headline": "注意"], ["file": stopped, "headline": "VenueGuardは停止しています"]],
            "lost_marker": marker,
            "pdfs": [["url": base + "/legend?size=a4", "path": Self.output + "/legend-a4.pdf"],
                     ["url": base + "/legend?size=a5", "path": Self.output + "/legend-a5.pdf"]],
        ]
        var stoppedServer = false
        let result = try await Self.drive(job, folder: served.folder) {
            // The driver asks for the companion to stop once it has seen every change.
            if !stoppedServer && FileManager.default.fileExists(atPath: marker) {
                stoppedServer = true
                await served.stop()
                _ = FileManager.default.createFile(atPath: marker + ".done", contents: nil)
            }
        }
        if !stoppedServer { await served.stop() }
        let first = try #require(result["first"] as? [[String: Any]])
        #expect(first.allSatisfy { $0["seconds"] is Double }, "the first state was not shown: \(first)")
        let shots = try #require(result["screenshots"] as? [[String: Any]])
        #expect(shots.count == 2)
        for shot in shots {
            let size = shot["size"] as? [Int] ?? []
            let png = Self.pngSize(shot["path"] as? String ?? "")
            #expect(png.map { [$0.0, $0.1] } == size, "\(shot)")
            #expect((shot["scroll_width"] as? Int ?? .max) <= size.first ?? 0, "no sideways scrolling at \(size)")
        }
        let changes = try #require(result["changes"] as? [[String: Any]])
        #expect(changes.count == 3)
        for change in changes {
            let seconds = change["seconds"] as? Double
            #expect(seconds != nil && seconds! <= 5, "a change must show within 5 s: \(change)")
            #expect(change["lost_banner"] as? Bool == false)
        }
        let lost = result["lost"] as? [String: Any]
        #expect(lost?["seconds"] is Double, "the page must say it is not updating once the companion stops: \(String(describing: lost))")
        // Nothing but the box itself was asked for.
        let requests = try #require(result["requests"] as? [String])
        #expect(!requests.isEmpty)
        // (data: URLs are the browser's own images, not requests to anywhere.)
        for url in requests where !url.hasPrefix("data:") { #expect(url.hasPrefix(base + "/"), "an outside request: \(url)") }
        // The legend card: one page each, A4 (595×842 pt) and A5 (420×595 pt).
        let a4 = Self.pdfInfo(Self.output + "/legend-a4.pdf"), a5 = Self.pdfInfo(Self.output + "/legend-a5.pdf")
        #expect(a4?.pages == 1 && abs((a4?.width ?? 0) - 595.3) < 2 && abs((a4?.height ?? 0) - 841.9) < 2, "\(String(describing: a4))")
        #expect(a5?.pages == 1 && abs((a5?.width ?? 0) - 419.5) < 2 && abs((a5?.height ?? 0) - 595.3) < 2, "\(String(describing: a5))")
    }

    @Test("English: phone and desktop screenshots and a change to lightning danger within 5 s")
    func english() async throws {
        let served = try await Self.serve(language: "en")
        try FileManager.default.createDirectory(atPath: Self.output, withIntermediateDirectories: true)
        let warning = try Self.state("warning", folder: served.folder, yard: 26)
        let danger = try Self.state("danger", folder: served.folder, yard: 26, strikeKm: 5)
        let base = "http://127.0.0.1:\(served.port)"
        let marker = served.folder + "/refused"
        var taken = 0, released = false, lastBeat = ContinuousClock.now
        let result = try await Self.drive([
            "url": base + "/", "state_file": served.stateFile, "out": Self.output, "lang": "en",
            "sizes": [[390, 844], [1280, 900]],
            "states": [["file": warning, "headline": "warning"], ["file": danger, "headline": "danger"]],
            "refused_marker": marker, "refused_headline": "warning",
        ], folder: served.folder) {
            // Every event-stream place taken (and any freed one taken again) until the page has
            // been refused; then all given back and the state changed, and rewritten every 2 s
            // from then on as the daemon's heartbeat would (a file over 15 s old is "not responding").
            if released {
                guard ContinuousClock.now - lastBeat >= .seconds(2), let fresh = try? Self.state("warning-now", folder: served.folder, yard: 26)
                else { return }
                lastBeat = .now
                rename(fresh, served.stateFile)
                return
            }
            guard FileManager.default.fileExists(atPath: marker + ".fill") else { return }
            while await served.page.openStream() { taken += 1 }
            if !FileManager.default.fileExists(atPath: marker + ".filled") {
                _ = FileManager.default.createFile(atPath: marker + ".filled", contents: nil)
            }
            if FileManager.default.fileExists(atPath: marker) {
                for _ in 0..<taken { await served.page.closeStream() }
                released = true
                lastBeat = .now
                // Written now, as the daemon would: a file as old as the test is "not responding" (15 s).
                let fresh = (try? Self.state("warning-now", folder: served.folder, yard: 26)) ?? warning
                rename(fresh, served.stateFile)
                _ = FileManager.default.createFile(atPath: marker + ".done", contents: nil)
            }
        }
        await served.stop()
        // Refused while every place was taken, the page opened a new stream once places were
        // free, within its 10–20 s retry (and the 45 s the driver waits).
        let refused = try #require(result["refused"] as? [String: Any])
        #expect(refused["refused_seconds"] is Double, "the page's event stream was not refused: \(refused)")
        #expect(refused["recovered_seconds"] is Double, "the page did not come back after a refusal: \(refused)")
        let shots = try #require(result["screenshots"] as? [[String: Any]])
        #expect(shots.count == 2 && shots.allSatisfy { Self.pngSize($0["path"] as? String ?? "") != nil })
        let changes = try #require(result["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && (changes.first?["seconds"] as? Double).map { $0 <= 5 } == true, "\(changes)")
        for url in result["requests"] as? [String] ?? [] where !url.hasPrefix("data:") { #expect(url.hasPrefix(base + "/"), "an outside request: \(url)") }
    }
}
