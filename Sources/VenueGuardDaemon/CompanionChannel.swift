import Dispatch
import Foundation
import Glibc
import Logging
import Synchronization
import VenueGuardCore
import VenueGuardTelemetry

/// The safety daemon's end of the narrow local channel from the companion service: a Unix
/// datagram socket (`companion.sock` in the runtime directory, mode 0660, so only the daemon's
/// user and group can send). Each datagram is `NAME` `\n` `JSON` and is validated exactly as
/// MQTT's `cmd/NAME` (`CommandParser`); besides `alert` only the companion's reports `feed`,
/// `forecast` and `estimate` (`CompanionInputParser`) are taken. `alert` sets the official heat
/// alert (never `none`: an official alert ends at its expiry, not early) and the official thunder
/// advisory (in force until an expiry, or lifted by the JMA's 解除). Official inputs are kept apart
/// from those set by hand (`AlertOrigin`): the companion can neither lower nor shorten a manual
/// alert, nor silence an alarm. Reading happens on its own queue and the inputs are handed
/// on without waiting, so the lamps never wait on the companion; a flood is bounded by the
/// socket's receive buffer and the rejection log is rate-limited.
///
/// `@unchecked Sendable`: the dispatch source is set once in `init` and afterwards only
/// cancelled, which Dispatch allows from any thread; the counters sit behind a mutex.
public final class CompanionChannel: @unchecked Sendable {
    /// How many datagrams were taken and refused.
    public struct Counts: Sendable, Equatable {
        /// Valid inputs handed to the engine.
        public var accepted = 0
        /// Refused datagrams (malformed, unknown name, too large).
        public var rejected = 0
    }

    /// The socket's path.
    public let path: String
    /// The largest datagram accepted, bytes (a forecast report with its name; an `alert` is
    /// further held to `CommandParser.maximumSize`).
    public static let maximumSize = 2048
    private let descriptor: Int32
    private let source: DispatchSourceRead
    private let state = Mutex(Counts())
    private let limiter = Mutex(RejectionLimiter())
    /// Inputs in arrival order to one consumer; a flood keeps only the newest few.
    private let inputs: AsyncStream<[VenueInput]>.Continuation
    private let consumer: Task<Void, Never>

    /// Binds the socket at `path` (an old socket file there is replaced) and starts reading.
    /// `now` gives the engine's current time (for expiries); `deliver` receives valid inputs.
    /// - Throws: `CompanionChannel.Failure` when the socket cannot be made.
    public init(path: String, logger: Logger, now: @escaping @Sendable () -> Timestamp,
                deliver: @escaping @Sendable ([VenueInput]) async -> Void) throws {
        self.path = path
        var existing = stat()
        if lstat(path, &existing) == 0 {
            guard existing.st_mode & S_IFMT == S_IFSOCK else { throw Failure(description: "\(path) exists and is not a socket") }
            unlink(path)
        }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(descriptor)
            throw Failure(description: "the socket path is too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, 0o660) == 0 else {
            let text = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw Failure(description: "cannot listen on \(path): \(text)")
        }
        self.descriptor = descriptor
        let (stream, continuation) = AsyncStream.makeStream(of: [VenueInput].self, bufferingPolicy: .bufferingNewest(16))
        inputs = continuation
        consumer = Task { for await batch in stream { await deliver(batch) } }
        let queue = DispatchQueue(label: "venueguard.companion-channel")
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [weak self] in
            guard let self else { return }
            var buffer = [UInt8](repeating: 0, count: Self.maximumSize + 1)
            // Drain what is queued, a bounded number per wake-up.
            for _ in 0..<64 {
                let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC)) }
                guard count >= 0 else { break }
                switch Self.parse(Array(buffer[..<min(count, buffer.count)]), size: count, now: now()) {
                case let .success(inputs):
                    self.state.withLock { $0.accepted += 1 }
                    self.inputs.yield(inputs)
                case let .failure(rejection):
                    let total = self.state.withLock { $0.rejected += 1; return $0.rejected }
                    if self.limiter.withLock({ $0.record(rejection.code, now: .now) }) {
                        logger.warning("rejected an input from the companion service on \(path): \(rejection.reason) (\(total) rejected in all)")
                    }
                }
            }
        }
        source.setCancelHandler { Glibc.close(descriptor) }
        source.resume()
    }

    deinit { stop() }

    /// Stops reading and removes the socket file.
    public func stop() {
        guard !source.isCancelled else { return }
        source.cancel()
        inputs.finish()
        unlink(path)
    }

    /// What has been taken and refused so far.
    public var counts: Counts { state.withLock { $0 } }

    /// Parses one datagram of `size` bytes (`bytes` holds at most `maximumSize + 1` of them).
    static func parse(_ bytes: [UInt8], size: Int, now: Timestamp) -> Result<[VenueInput], CommandRejection> {
        guard size <= maximumSize else { return .failure(CommandRejection("a datagram of \(size) bytes (at most \(maximumSize))", code: "too-large")) }
        guard let newline = bytes.firstIndex(of: 0x0A) else {
            return .failure(CommandRejection("no NAME line: a datagram is NAME, a newline, then JSON", code: "malformed"))
        }
        let name = String(decoding: bytes[..<newline], as: UTF8.self)
        if name == "feed" || name == "forecast" || name == "estimate" {
            return CompanionInputParser.parse(name: name, payload: Array(bytes[(newline + 1)...]), now: now)
        }
        guard name == "alert" else {
            return .failure(CommandRejection("'\(name.prefix(16))' is not an input the companion may send (alert, feed, forecast, estimate)", code: "unknown-input"))
        }
        switch CommandParser.parse(name: name, payload: Array(bytes[(newline + 1)...]), now: now) {
        case let .failure(rejection):
            return .failure(rejection)
        case let .success(command):
            switch command {
            case .heatAlert(.none, _):
                return .failure(CommandRejection("an official heat alert is never lifted early: it ends at its expiry", code: "lowering"))
            case let .heatAlert(alert, until?):
                return .success([.heatAlert(alert, until: until, origin: .official)])
            case .heatAlert(_, nil):
                return .failure(CommandRejection("an official heat alert needs its expiry ('until')", code: "no-expiry"))
            case let .thunderAdvisory(active, until):
                return .success([.thunderAdvisory(active, until: until, origin: .official)])
            case .acknowledge, .ping:
                return .failure(CommandRejection("not an input the companion may send", code: "unknown-input"))
            }
        }
    }

    /// Why the socket could not be made.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong.
        public var description: String
    }
}

/// The first rejection of each kind at once, then at most one a minute per kind.
struct RejectionLimiter: Sendable {
    private var last: [String: ContinuousClock.Instant] = [:]

    mutating func record(_ code: String, now: ContinuousClock.Instant) -> Bool {
        if let previous = last[code], now - previous < .seconds(60) { return false }
        if last.count > 32 { last.removeAll() }
        last[code] = now
        return true
    }
}
