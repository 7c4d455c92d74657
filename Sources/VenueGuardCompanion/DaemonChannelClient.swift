import Glibc

/// The companion's end of the local channel to the safety daemon: one Unix datagram per input,
/// `NAME` `\n` `JSON`, where NAME and JSON are exactly what the daemon accepts on MQTT's
/// `cmd/NAME` (`alert`: `{"heat_alert": "alert", "until": "…"}`, `{"thunder_advisory": true,
/// "until": "…"}`). A datagram either arrives whole or not at all; sending never blocks, so the
/// companion never waits on the daemon either.
public struct DaemonChannelClient: Sendable {
    /// The daemon's socket (`/run/venueguard/companion.sock` under systemd).
    public let path: String

    /// A client for the socket at `path`.
    public init(path: String) { self.path = path }

    /// Why a send failed.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the system's error text.
        public var description: String
    }

    /// Sends one input; throws when the daemon is not listening or the socket refuses it.
    public func send(name: String, json: String) throws(Failure) {
        let message = Array("\(name)\n\(json)".utf8)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(descriptor, message, message.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard sent == message.count else {
            throw Failure(description: "sending to \(path): \(sent < 0 ? String(cString: strerror(errno)) : "short send")")
        }
    }
}
