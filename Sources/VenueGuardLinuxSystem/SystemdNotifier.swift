import Glibc
import VenueGuardCore

/// The systemd notification protocol (sd_notify(3)), spoken directly: one datagram per
/// message to the AF_UNIX socket named in `$NOTIFY_SOCKET` (a path, or `@name` for the
/// abstract namespace). Written against the documented protocol rather than libsystemd, so
/// the daemon has one C dependency fewer and the tests can play systemd with a socket.
public final class SystemdNotifier: Sendable {
    /// The socket's address as given (`/run/systemd/notify` or `@…`).
    public let address: String
    private let descriptor: Int32

    /// Errors opening the socket.
    public struct NotifyError: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }

    /// A notifier for `$NOTIFY_SOCKET`, or `nil` when not started by systemd (or the variable is unusable).
    public static func fromEnvironment() -> SystemdNotifier? {
        guard let value = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        return try? SystemdNotifier(address: value)
    }

    /// The watchdog interval systemd expects pings within (`$WATCHDOG_USEC`), if it is meant
    /// for this process (`$WATCHDOG_PID`, when set, is ours).
    public static func watchdogInterval() -> Duration? {
        guard let usec = getenv("WATCHDOG_USEC").flatMap({ Int64(String(cString: $0)) }), usec > 0 else { return nil }
        if let pid = getenv("WATCHDOG_PID").flatMap({ Int32(String(cString: $0)) }), pid != getpid() { return nil }
        return .microseconds(usec)
    }

    /// A notifier sending to `address`.
    public init(address: String) throws(NotifyError) {
        guard address.hasPrefix("/") || address.hasPrefix("@") else {
            throw NotifyError(description: "NOTIFY_SOCKET '\(address)' is neither a path nor an abstract socket (@name)")
        }
        guard address.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw NotifyError(description: "NOTIFY_SOCKET '\(address)' is too long")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NotifyError(description: "cannot create a notify socket: \(String(cString: strerror(errno)))") }
        self.address = address
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Sends one message, e.g. `READY=1` or `STATUS=…\nWATCHDOG=1`. Returns whether it was sent.
    ///
    /// Never blocks: when the receiver is not reading and its queue is full, the message is
    /// dropped and `false` returned. A blocked send would hold one of the few cooperative
    /// threads of a small board (a bench harness that never read its socket stalled both of
    /// this machine's that way, and the evaluation with them); a dropped `WATCHDOG=1` only lets systemd act, as it should.
    @discardableResult
    public func send(_ message: String) -> Bool {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace: a leading NUL
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            for (index, byte) in path.enumerated() { raw[index] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                sendto(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT), address, length)
            }
        }
        return sent == bytes.count
    }
}
