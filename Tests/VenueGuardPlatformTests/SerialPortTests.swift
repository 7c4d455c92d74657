import Logging
import Foundation
import Glibc
import Synchronization
import Testing
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardDrivers
import VenueGuardLinuxSerial
@testable import VenueGuardSimulation

/// A fake board on a real pseudo-terminal: the test writes to the master side; VenueGuard
/// opens the slave through a stable symlink (like /dev/serial/by-id/…). Closing the master
/// is unplugging the board; a new pty behind the same link is plugging it back.
final class FakeBoard: @unchecked Sendable {
    let link: String
    private(set) var master: Int32 = -1

    init(link: String) throws {
        self.link = link
        try plug()
    }

    func plug() throws {
        var master: Int32 = -1, slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw NSError(domain: "pty", code: Int(errno)) }
        // ttyname_r: ttyname's static buffer is shared by the tests running in parallel.
        var buffer = [CChar](repeating: 0, count: 256)
        guard ttyname_r(slave, &buffer, buffer.count) == 0 else { throw NSError(domain: "pty", code: Int(errno)) }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        close(slave)  // VenueGuard opens it by name
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
        unlink(link)
        symlink(name, link)
        self.master = master
    }

    func unplug() {
        unlink(link)
        close(master)
        master = -1
    }

    func write(_ text: String) { write(Array(text.utf8)) }

    /// Writes in chunks of at most 1 KiB with a short pause between them: far faster than a
    /// board at 115200 baud (11.5 KB/s), but without overrunning the pty's input buffer. Gives
    /// up after 2 s without progress (nobody reading).
    func write(_ bytes: [UInt8]) {
        var offset = 0
        var stalledSince: ContinuousClock.Instant?
        while offset < bytes.count, master >= 0 {
            let end = min(bytes.count, offset + 1024)
            let n = bytes[offset..<end].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if n > 0 {
                offset += n
                stalledSince = nil
                usleep(1000)
                continue
            }
            guard errno == EAGAIN || errno == EINTR else { return }
            if let since = stalledSince, ContinuousClock.now - since > .seconds(2) { return }
            stalledSince = stalledSince ?? .now
            usleep(2000)
        }
    }

    deinit { if master >= 0 { unplug() } }
}

/// Collects what a push source delivers.
final class Collector: @unchecked Sendable {
    private let inputs = Mutex<[VenueInput]>([])
    func add(_ more: [VenueInput]) { inputs.withLock { $0 += more } }
    var all: [VenueInput] { inputs.withLock { $0 } }
    var values: [[Quantity: Double]] {
        all.compactMap { if case let .sensor(report) = $0, case let .values(v, _, _, _) = report.sample { return v } else { return nil } }
    }
    func rejected(_ reason: String) -> Int {
        all.filter { if case let .inputRejected(_, r) = $0 { return r == reason } else { return false } }.count
    }
    var unplugs: Int {
        all.filter { if case let .sensor(report) = $0 { return report.sample == .fault(.unplugged) } else { return false } }.count
    }
    func wait(_ timeout: Duration = .seconds(5), until condition: (Collector) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(self) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(self)
    }
}

struct SerialPortTests {
    static func temporaryLink() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("vg-board-\(UUID().uuidString.prefix(8))").path
    }

    static func source(_ link: String, format: SerialLineFormat = .auto(columns: nil), maxLineBytes: Int = 256) -> SerialBoardSource {
        let parser = SerialLineParser(format: format, keys: SerialLineParser.defaultKeys)
        return SerialBoardSource(id: "kid", locator: SerialPortLocator(spec: .path(link)), baud: 115200,
                                 decoder: SerialBoardDecoder(sensor: "kid", parser: parser, maxLineBytes: maxLineBytes),
                                 retryInterval: .milliseconds(200))
    }

    @Test("Every line format over a real pseudo-terminal")
    func formats() async throws {
        let board = try FakeBoard(link: Self.temporaryLink())
        let source = Self.source(board.link, format: .auto(columns: ["temp", "hum"]))
        let collector = Collector()
        source.start(now: { .origin }, deliver: collector.add)
        defer { source.stop() }
        try await Task.sleep(for: .milliseconds(300))
        board.write("junk from before\ntemp:24.5\r\nt=25.5,h=61\n{\"temp\":26.5,\"hum\":62}\n27.5,63\n")
        #expect(await collector.wait { $0.values.count == 4 })
        #expect(collector.values == [[.airTemperature: 24.5], [.airTemperature: 25.5, .relativeHumidity: 61],
                                     [.airTemperature: 26.5, .relativeHumidity: 62], [.airTemperature: 27.5, .relativeHumidity: 63]])
        #expect(collector.rejected("partial") == 1)
    }

    @Test("Garbage, binary noise, overlong and endless lines are counted; memory stays bounded; good lines still get through")
    func garbage() async throws {
        let board = try FakeBoard(link: Self.temporaryLink())
        let source = Self.source(board.link, maxLineBytes: 64)
        let collector = Collector()
        source.start(now: { .origin }, deliver: collector.add)
        defer { source.stop() }
        try await Task.sleep(for: .milliseconds(300))
        board.write("temp:20\n")  // a clean start (the first line counts as possibly partial)
        board.write("hello from my micro:bit!\n")
        board.write([0x00, 0xFF, 0x13, 0x88, 0x0A])  // wrong baud rate noise, then a newline
        board.write(String(repeating: "A", count: 100_000) + "\n")  // a line that never seems to end
        board.write("temp:nan\ntemp:99999\ntemp:23.5\n")
        #expect(await collector.wait { $0.values.contains([.airTemperature: 23.5]) })
        #expect(collector.rejected("unparsable") == 1)
        #expect(collector.rejected("binary") == 1)
        #expect(collector.rejected("overlong") == 1)
        #expect(collector.rejected("nan") == 1)
        // 99999 °C parses; Core's plausibility range rejects it (counted there as implausible).
        #expect(collector.values.contains([.airTemperature: 99999]))
    }

    @Test("A fast burst: every line arrives, in order")
    func burst() async throws {
        let board = try FakeBoard(link: Self.temporaryLink())
        let source = Self.source(board.link)
        let collector = Collector()
        source.start(now: { .origin }, deliver: collector.add)
        defer { source.stop() }
        try await Task.sleep(for: .milliseconds(300))
        board.write("\n")
        let lines = (0..<2000).map { "temp:\(20 + Double($0) / 1000)\n" }.joined()
        board.write(lines)
        #expect(await collector.wait(.seconds(10)) { $0.values.count == 2000 })
        let expected: [Double] = (0..<2000).map { 20 + Double($0) / 1000 }
        let received: [Double] = collector.values.map { $0[.airTemperature] ?? .nan }
        #expect(received == expected)
    }

    @Test("Unplugged: reported once, looked for without spinning, and read again when plugged back in")
    func unplugReplug() async throws {
        let board = try FakeBoard(link: Self.temporaryLink())
        let source = Self.source(board.link)
        let collector = Collector()
        source.start(now: { .origin }, deliver: collector.add)
        defer { source.stop() }
        try await Task.sleep(for: .milliseconds(300))
        board.write("\ntemp:20\n")
        #expect(await collector.wait { $0.values.count == 1 })
        // While the board is there the look-up timer sleeps: a present board costs no wake-ups
        // (before, it fired every 200 ms here, every 2 s by default).
        let firingsWhilePresent = source.lookupTimerFirings
        try await Task.sleep(for: .seconds(1))
        #expect(source.lookupTimerFirings == firingsWhilePresent, "the timer fired while the port was open")
        board.unplug()
        #expect(await collector.wait { $0.unplugs == 1 })
        // While the board is away: looked for on the retry timer (every 200 ms here), not in a
        // loop, and reported once.
        // Judged against the time that really passed: a loaded machine may sleep longer.
        let before = source.lookups
        let started = ContinuousClock.now
        try await Task.sleep(for: .seconds(1))
        let lookups = source.lookups - before
        let elapsed = (ContinuousClock.now - started).seconds
        #expect(lookups >= 2 && Double(lookups) <= elapsed / 0.2 + 2, "\(lookups) lookups in \(elapsed) s")
        #expect(collector.unplugs == 1)
        try board.plug()
        try await Task.sleep(for: .milliseconds(500))
        board.write("\ntemp:21\n")
        #expect(await collector.wait { $0.values.count == 2 })
        #expect(collector.values.last == [.airTemperature: 21])
    }

    @Test("The port is this process's alone")
    func exclusive() async throws {
        let board = try FakeBoard(link: Self.temporaryLink())
        let first = try LinuxSerialPort(path: board.link, baud: 9600, queue: DispatchQueue(label: "a"), onBytes: { _ in }, onClosed: { _ in })
        defer { first.close() }
        #expect(throws: SerialPortError.self) {
            _ = try LinuxSerialPort(path: board.link, baud: 9600, queue: DispatchQueue(label: "b"), onBytes: { _ in }, onClosed: { _ in })
        }
    }

    @Test("A board found by USB vendor/product id through sysfs")
    func usbLocator() throws {
        let tree = try TemporaryTree()
        try tree.write("devices/usb1/1-1/idVendor", "0d28\n")
        try tree.write("devices/usb1/1-1/idProduct", "0204\n")
        try FileManager.default.createDirectory(atPath: tree.root.path + "/devices/usb1/1-1/1-1:1.1/tty/ttyACM0", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: tree.root.path + "/class/tty/ttyACM0", withIntermediateDirectories: true)
        symlink(tree.root.path + "/devices/usb1/1-1/1-1:1.1", tree.root.path + "/class/tty/ttyACM0/device")
        let locator = SerialPortLocator(spec: .usb(vendor: 0x0d28, product: 0x0204), sysfsRoot: tree.root.path, devRoot: "/dev")
        #expect(locator.locate() == "/dev/ttyACM0")
        #expect(SerialPortLocator(spec: .usb(vendor: 0x2341, product: 0x0043), sysfsRoot: tree.root.path).locate() == nil)
        #expect(SerialPortLocator(spec: .path(tree.root.path + "/class/tty/tty*")).locate() == tree.root.path + "/class/tty/ttyACM0")
    }
}

/// Timing-sensitive: run on their own (`make test` runs the *RealTime* suites after the rest, not in parallel).
struct SerialRealTimeTests {
    @Test("A board spewing garbage does not slow the other sensors: their cadence holds")
    func otherSensorsKeepCadence() async throws {
        let site = """
            site: { id: cadence, latitude: 35.0, longitude: 135.0 }
            areas:
              - { id: hall, exposure: indoor, sensors: [hall-climate] }
            sensors:
              - { id: hall-climate, kind: sht3x, bus: 1, address: 0x44, period: 100ms }
            """
        let configuration = try ConfigurationLoader.parse(yaml: site, file: "cadence.yaml")
        let scenario = try ScenarioLoader.parse(yaml: "start: 2024-08-01T13:00:00+09:00\nduration: 1h\nsamples:\n  hall-climate:\n    air_temperature: { 0m: 25 }\n    humidity: { 0m: 50 }\n",
                                                file: "s.yaml", configuration: configuration)
        let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
        let board = try FakeBoard(link: SerialPortTests.temporaryLink())
        let serial = SerialPortTests.source(board.link)
        let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: hardware.sources, pushSources: [serial]), logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let stop = StopRequest()
        let writer = Thread {
            let noise = (0..<20).map { _ in String(repeating: "#", count: 300) + "\n" + "garbage line \u{1}\n" }.joined()
            let deadline = ContinuousClock.now + .seconds(2)
            while ContinuousClock.now < deadline { board.write(noise) }
        }
        writer.start()
        let task = Task { await runtime.run(stop: stop) }
        try await Task.sleep(for: .seconds(2))
        stop.request("test")
        await task.value
        let supervisor = try #require(hardware.supervisors["hall-climate"])
        // 100 ms period for 2 s: about 20 samples (the first cycle plus the loop), despite the flood.
        #expect(supervisor.attempts >= 15, "\(supervisor.attempts) samples in 2 s")
    }
}
