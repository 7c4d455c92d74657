import Foundation
import Glibc
import Testing
import VenueGuardLinuxSystem

/// A datagram socket playing systemd's notify socket.
final class NotifyListener {
    let descriptor: Int32
    let address: String

    /// Binds `address`: a path, or `@name` for the abstract namespace.
    init(address: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.address = address
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let result = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    deinit {
        close(descriptor)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// The next message, or `nil` after `timeout`.
    func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout.seconds * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }
}

struct SystemdNotifierTests {
    @Test("Messages arrive as datagrams on a path socket and on an abstract socket", arguments: ["path", "abstract"])
    func sends(_ kind: String) throws {
        let address = kind == "path"
            ? FileManager.default.temporaryDirectory.appendingPathComponent("vg-notify-\(UUID().uuidString.prefix(8)).sock").path
            : "@vg-notify-\(UUID().uuidString.prefix(8))"
        let listener = try NotifyListener(address: address)
        let notifier = try SystemdNotifier(address: address)
        #expect(notifier.send("READY=1\nSTATUS=safe"))
        #expect(notifier.send("WATCHDOG=1"))
        #expect(listener.receive(timeout: .seconds(1)) == "READY=1\nSTATUS=safe")
        #expect(listener.receive(timeout: .seconds(1)) == "WATCHDOG=1")
    }

    @Test("A listener that stops reading: sends fail at once instead of blocking, and work again once it reads")
    func fullQueue() throws {
        let address = "@vg-notify-full-\(UUID().uuidString.prefix(8))"
        let listener = try NotifyListener(address: address)
        let notifier = try SystemdNotifier(address: address)
        let started = ContinuousClock.now
        var sent = 0
        while sent < 100_000 && notifier.send("WATCHDOG=1") { sent += 1 }
        // The queue filled (the kernel's datagram backlog), and the failing send returned.
        #expect(sent > 0 && sent < 100_000)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(!notifier.send("READY=1"))
        #expect(listener.receive(timeout: .seconds(1)) == "WATCHDOG=1")
        #expect(notifier.send("READY=1"))
    }

    @Test("No listener: sending fails quietly, never crashes; a relative address is refused")
    func noListener() throws {
        let notifier = try SystemdNotifier(address: "/nonexistent/notify.sock")
        #expect(!notifier.send("READY=1"))
        #expect(throws: SystemdNotifier.NotifyError.self) { try SystemdNotifier(address: "relative.sock") }
    }

    @Test("The watchdog interval comes from WATCHDOG_USEC, only when WATCHDOG_PID is ours or unset")
    func watchdogEnvironment() {
        defer { unsetenv("WATCHDOG_USEC"); unsetenv("WATCHDOG_PID") }
        unsetenv("WATCHDOG_USEC")
        #expect(SystemdNotifier.watchdogInterval() == nil)
        setenv("WATCHDOG_USEC", "30000000", 1)
        #expect(SystemdNotifier.watchdogInterval() == .seconds(30))
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        #expect(SystemdNotifier.watchdogInterval() == .seconds(30))
        setenv("WATCHDOG_PID", "1", 1)
        #expect(SystemdNotifier.watchdogInterval() == nil)
    }
}
