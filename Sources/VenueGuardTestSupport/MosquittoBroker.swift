import Foundation
import Glibc

/// Test support (used by the test targets only, never by a product).
///
/// A real mosquitto broker for tests, on a free loopback port the test picks, in its own
/// temporary directory. `kill()` sends SIGKILL (queued messages are lost, as in a crash);
/// `start()` brings it back on the same port.
public final class MosquittoBroker: @unchecked Sendable {
    /// The broker's temporary directory (configuration, log).
    public let directory: URL
    /// The loopback port it listens on.
    public let port: Int
    private var process: Process?
    private let extraConfig: String

    /// A port nobody listens on now (the kernel picks it).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The mosquitto binary (Debian's package puts it in /usr/sbin).
    public static var executable: String? {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Creates (and starts) a broker; `config` is added to the listener's configuration.
    public init(config: String = "allow_anonymous true", start: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vg-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = Self.freePort()
        extraConfig = config
        if start { try self.start() }
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A file in the broker's directory.
    public func file(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts mosquitto and waits (bounded) until the port accepts connections.
    public func start() throws {
        guard let executable = Self.executable else {
            throw NSError(domain: "MosquittoBroker", code: 1, userInfo: [NSLocalizedDescriptionKey: "mosquitto is not installed (make test installs it)"])
        }
        let conf = "listener \(port) 127.0.0.1\npersistence false\n\(extraConfig)\n"
        try conf.write(toFile: file("mosquitto.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        // The test process blocks SIGTERM, SIGINT and SIGHUP (for its own signal handling), and a
        // child inherits the blocked mask: mosquitto would never see a SIGTERM. Python clears the
        // mask and becomes mosquitto (same pid).
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                             executable, "-c", file("mosquitto.conf")]
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: touch(file("broker.log"))))
        try process.run()
        self.process = process
        // Ready when the port accepts connections.
        for _ in 0..<100 {
            if Self.accepts(port) { return }
            usleep(20_000)
        }
        throw NSError(domain: "MosquittoBroker", code: 2, userInfo: [NSLocalizedDescriptionKey: "mosquitto did not start: \((try? String(contentsOfFile: file("broker.log"), encoding: .utf8)) ?? "")"])
    }

    private func touch(_ path: String) -> String {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        return path
    }

    /// SIGTERM: a clean stop (mosquitto saves its persistence database first); SIGKILL if it
    /// has not ended within 10 s.
    public func stop() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGTERM)
        for _ in 0..<500 where process.isRunning { usleep(20_000) }
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGKILL: no clean shutdown, queued messages lost.
    public func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Whether something accepts TCP connections on loopback `port`.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
