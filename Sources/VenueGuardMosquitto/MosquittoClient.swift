import CMosquitto
import Foundation
import Glibc
import Synchronization

/// An MQTT client over libmosquitto. The network loop runs on a dedicated thread (ours, not
/// `mosquitto_loop_start`'s, whose thread gives up for good after a TLS failure), which
/// reconnects with capped exponential backoff. libmosquitto calls back on that thread, so the
/// callbacks are plain C functions (never actor-isolated closures: Swift 6 traps when a
/// `@MainActor` closure runs on a foreign thread). They find the client through the user
/// pointer given to `mosquitto_new` and hand each event to an `AsyncStream`, whose
/// continuation is safe to use from any thread.
///
/// Every connection starts from a fresh libmosquitto state (`mosquitto_reinitialise`):
/// libmosquitto would otherwise resend the previous connection's unacknowledged messages after
/// the new connection's first publishes, so an old retained value could land after a fresh one.
/// The caller's store (the outbox) is what keeps unacknowledged messages; a message the
/// broker never acknowledged is the caller's to send again. Under MQTT 5 the CONNECT announces
/// `maximumPacketSize`, and a DISCONNECT with reason 142 (session taken over) is reported.
public final class MosquittoClient: @unchecked Sendable {
    /// Everything the network thread reports, in order, a batch per turn of its loop (the
    /// acknowledgements of a burst of publishes arrive together: one wake-up, not one each).
    public let events: AsyncStream<[MQTTEvent]>
    private let continuation: AsyncStream<[MQTTEvent]>.Continuation
    private let pendingEvents = Mutex<[MQTTEvent]>([])
    /// PUBACKs not yet taken, and since when the oldest waits (announced once it waits a second).
    private let pendingAcknowledgements = Mutex<(list: [MQTTAcknowledgement], since: ContinuousClock.Instant?, announced: Bool)>(([], nil, false))
    private let handle: OpaquePointer
    /// The settings (the password among them is never logged).
    public let settings: MQTTSettings
    private let running = Atomic<Bool>(false)
    /// CONNACK accepted and the connection not yet lost: the network thread then waits on the
    /// socket and `wakeDescriptor` itself (see `turn()`).
    private let sessionUp = Atomic<Bool>(false)
    /// An eventfd that wakes the network thread when packets are queued, once per batch of
    /// publishes rather than once per publish (libmosquitto's own wake, a byte down a socket
    /// pair for every packet, cost the thread a `pselect` and a `read` each: a sixth of the
    /// daemon's system calls at 1 Hz).
    private let wakeDescriptor: Int32
    /// Publishes inside `batch(_:)` under way; they leave the wake to the batch's end.
    private let batchDepth = Atomic<Int>(0)
    /// Something was queued inside the current batch.
    private let batchQueued = Atomic<Bool>(false)
    /// A wake is written and not yet taken by the network thread.
    private let wakePending = Atomic<Bool>(false)
    private let connectedFlag = Atomic<Bool>(false)
    private let refusedFlag = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let backoffWake = DispatchSemaphore(value: 0)
    private var thread: Thread?
    /// Held around every call that touches libmosquitto's state from outside the network
    /// thread's loop (publish, subscribe) and around the reinitialisation between connections.
    private let handleLock = NSLock()

    private static let libraryReady: Bool = {
        mosquitto_lib_init()
        return true
    }()

    /// Creates a client with `settings`; nothing connects until `start()`.
    public init(settings: MQTTSettings) throws(MQTTError) {
        _ = Self.libraryReady
        self.settings = settings
        (events, continuation) = AsyncStream.makeStream(of: [MQTTEvent].self, bufferingPolicy: .unbounded)
        let wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wakeDescriptor >= 0 else {
            throw MQTTError(code: Int32(errno), description: "cannot create the MQTT client's wake-up: \(String(cString: strerror(errno)))")
        }
        guard let handle = mosquitto_new(settings.clientID, settings.cleanSession, nil) else {
            let code = errno
            close(wakeDescriptor)
            throw MQTTError(code: Int32(code), description: "cannot create an MQTT client: \(String(cString: strerror(code)))")
        }
        self.wakeDescriptor = wakeDescriptor
        self.handle = handle
        try configure()
    }

    /// Applies the settings and callbacks to the handle (again after each reinitialisation).
    private func configure() throws(MQTTError) {
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        let version = settings.protocolVersion == .v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311
        try check(mosquitto_int_option(handle, MOSQ_OPT_PROTOCOL_VERSION, version), "protocol version")
        if let username = settings.username {
            try check(mosquitto_username_pw_set(handle, username, settings.password), "username")
        }
        if let tls = settings.tls {
            try check(mosquitto_tls_set(handle, tls.caFile, nil, tls.certFile, tls.keyFile, nil), "TLS files")
            try check(mosquitto_tls_insecure_set(handle, !tls.verifyHostname), "TLS hostname check")
        }
        if let will = settings.will {
            let result = will.payload.withUnsafeBytes { bytes in
                mosquitto_will_set_v5(handle, will.topic, Int32(bytes.count), bytes.baseAddress, 1, will.retain, nil)
            }
            try check(result, "last will")
        }
        try check(mosquitto_threaded_set(handle, true), "threading")
        try check(mosquitto_max_inflight_messages_set(handle, UInt32(settings.maxInflight)), "inflight")
        mosquitto_connect_v5_callback_set(handle, onConnect)
        mosquitto_disconnect_v5_callback_set(handle, onDisconnect)
        mosquitto_publish_v5_callback_set(handle, onPublish)
        mosquitto_message_v5_callback_set(handle, onMessage)
        mosquitto_subscribe_v5_callback_set(handle, onSubscribe)
        mosquitto_log_callback_set(handle, onLog)
    }

    deinit {
        stop()
        mosquitto_destroy(handle)
        close(wakeDescriptor)
        continuation.finish()
    }

    private func check(_ result: Int32, _ what: @autoclosure () -> String) throws(MQTTError) {
        guard result == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(code: result, description: "\(what()): \(String(cString: mosquitto_strerror(result)))")
        }
    }

    /// Starts the network thread, which connects and reconnects by itself: a broker that is
    /// down now, refuses us, or fails the TLS handshake is tried again after 1, 2, 4 … seconds,
    /// up to the configured maximum.
    public func start() throws(MQTTError) {
        guard !running.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in networkLoop() }
        thread.name = "venueguard-mqtt"
        self.thread = thread
        thread.start()
    }

    /// A fresh libmosquitto state for the next connection: the previous one's queued and
    /// in-flight messages are dropped (the caller still holds them).
    private func reinitialise() -> Int32 {
        handleLock.lock()
        defer { handleLock.unlock() }
        let result = mosquitto_reinitialise(handle, settings.clientID, settings.cleanSession, Unmanaged.passUnretained(self).toOpaque())
        guard result == MOSQ_ERR_SUCCESS.rawValue else { return result }
        do {
            try configure()
        } catch {
            return error.code
        }
        return MOSQ_ERR_SUCCESS.rawValue
    }

    /// Starts one connection. Under MQTT 5 the CONNECT carries the maximum packet size, which
    /// only the (blocking) `mosquitto_connect_bind_v5` can send; this thread is ours to block.
    private func connect(keepalive: Int32) -> Int32 {
        guard settings.protocolVersion == .v5 else {
            return mosquitto_connect_async(handle, settings.host, Int32(settings.port), keepalive)
        }
        var properties: OpaquePointer?
        defer { mosquitto_property_free_all(&properties) }
        let maximum = UInt32(clamping: settings.maximumPacketSize)
        let added = mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_MAXIMUM_PACKET_SIZE.rawValue), maximum)
        guard added == MOSQ_ERR_SUCCESS.rawValue else { return added }
        return mosquitto_connect_bind_v5(handle, settings.host, Int32(settings.port), keepalive, nil, properties)
    }

    private func networkLoop() {
        let keepalive = Int32(clamping: max(5, min(65535, settings.keepalive.components.seconds)))
        var delay = settings.reconnectMinimum
        var first = true
        while running.load(ordering: .acquiring) {
            errno = 0
            var attempt = first ? MOSQ_ERR_SUCCESS.rawValue : reinitialise()
            first = false
            if attempt == MOSQ_ERR_SUCCESS.rawValue { attempt = connect(keepalive: keepalive) }
            var result = attempt
            if attempt == MOSQ_ERR_SUCCESS.rawValue {
                // Run the connection until it fails or we stop.
                // Waits on the socket: libmosquitto wakes the wait itself when a publish is
                // queued from another thread (its socket pair) or data arrives, so the timeout
                // only bounds how late keepalive pings and a stop are noticed.
                // Until the CONNACK, libmosquitto's own loop (it drives a connection in progress
                // and a TLS handshake); once connected, `turn()`.
                repeat {
                    result = sessionUp.load(ordering: .acquiring) ? turn() : mosquitto_loop(handle, Self.loopTimeoutMilliseconds, 1)
                    flushEvents()
                } while result == MOSQ_ERR_SUCCESS.rawValue && running.load(ordering: .acquiring)
            }
            sessionUp.store(false, ordering: .releasing)
            guard running.load(ordering: .acquiring) else { break }
            if connectedFlag.exchange(false, ordering: .acquiringAndReleasing) {
                delay = settings.reconnectMinimum  // it had worked: start the backoff afresh
            } else if refusedFlag.exchange(false, ordering: .acquiringAndReleasing) {
                // The broker answered and refused us; `.refused` already said why.
            } else {
                // Failed before any CONNACK (refused by TCP, TLS, DNS): say why, then back off.
                let detail = result == MOSQ_ERR_ERRNO.rawValue && errno != 0 ? String(cString: strerror(errno))
                                                                              : String(cString: mosquitto_strerror(result))
                emit(.disconnected(code: Int(result == 0 ? -1 : result), reason: detail))
            }
            flushEvents()
            sleep(delay)
            delay = min(delay * 2, settings.reconnectMaximum)
        }
        finished.signal()
    }

    /// The network loop's longest wait, ms.
    static let loopTimeoutMilliseconds: Int32 = 1000

    /// One turn of the connected loop: what `mosquitto_loop` does, waiting on the socket and
    /// `wakeDescriptor` instead of libmosquitto's socket pair (whose bytes are left unread: it
    /// is non-blocking, so once full its writes fail at once, and each connection gets a new
    /// one). All socket I/O stays on this thread, as TLS requires. Source: mosquitto.h
    /// (`mosquitto_socket`, `mosquitto_loop_read`, `mosquitto_loop_write`, `mosquitto_loop_misc`,
    /// `mosquitto_want_write`: the external event loop interface).
    private func turn() -> Int32 {
        let socket = mosquitto_socket(handle)
        guard socket >= 0 else { return MOSQ_ERR_NO_CONN.rawValue }
        if quietAfterWrite {
            // The broker acknowledges a burst of publishes in several segments: let them all
            // arrive and read them in one wake-up rather than one per segment. Only a batch of
            // ours wakes this wait early; nothing waits on a PUBACK by the millisecond.
            quietAfterWrite = false
            var wake = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&wake, 1, Self.acknowledgementGatherMilliseconds)
        }
        var descriptors = [pollfd(fd: socket, events: Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0),
                           pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, 2, Self.loopTimeoutMilliseconds)
        if ready < 0 { return errno == EINTR ? MOSQ_ERR_SUCCESS.rawValue : MOSQ_ERR_ERRNO.rawValue }
        let woken = descriptors[1].revents != 0
        if woken {
            var count: UInt64 = 0
            _ = read(wakeDescriptor, &count, 8)
            wakePending.store(false, ordering: .releasing)
        }
        let readable = descriptors[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0
        if readable {
            // Everything already received is read before anything is written: a subscriber's
            // reads stop at one message each (libmosquitto sizes them by its own queues), and a
            // broker that closes the connection leaves its last messages in our socket, which a
            // failed PUBACK write would otherwise drop with the connection (the broker sends
            // them again in the kept session, as duplicates). Bounded, so a flood still lets
            // this thread write.
            var reads = 0
            repeat {
                let result = mosquitto_loop_read(handle, 1)
                if result != MOSQ_ERR_SUCCESS.rawValue || mosquitto_socket(handle) < 0 { return result }
                reads += 1
                var more = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
                guard reads < 256, poll(&more, 1, 0) > 0, more.revents & Int16(POLLIN) != 0 else { break }
            } while true
        }
        if mosquitto_want_write(handle) {
            // libmosquitto writes each packet with a write(2) of its own; corked, a batch leaves
            // in as few TCP segments as fit (tcp(7) TCP_CORK; uncorking sends the rest at once).
            setCork(socket, true)
            let result = mosquitto_loop_write(handle, 1)
            setCork(socket, false)
            if result != MOSQ_ERR_SUCCESS.rawValue || mosquitto_socket(handle) < 0 { return result }
            // Only after a batch of ours, never while reading (a subscriber's PUBACKs to a
            // stream of messages must not wait).
            quietAfterWrite = woken && !readable
        }
        return mosquitto_loop_misc(handle)
    }

    private func setCork(_ socket: Int32, _ on: Bool) {
        var value: Int32 = on ? 1 : 0
        _ = setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// How long the network thread lets acknowledgements gather after it wrote, ms.
    static let acknowledgementGatherMilliseconds: Int32 = 10
    /// Set by `turn()` after a write (the network thread's own).
    private var quietAfterWrite = false

    /// Wakes the network thread to write what is queued (once until it has woken).
    private func wakeNetwork() {
        guard sessionUp.load(ordering: .acquiring), !wakePending.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }

    /// Runs `body`, whose publishes wake the network thread once, at the end, rather than each.
    public func batch<T>(_ body: () throws -> T) rethrows -> T {
        batchDepth.add(1, ordering: .acquiringAndReleasing)
        defer {
            if batchDepth.subtract(1, ordering: .acquiringAndReleasing).newValue == 0,
               batchQueued.exchange(false, ordering: .acquiringAndReleasing) {
                wakeNetwork()
            }
        }
        return try body()
    }

    fileprivate func markSessionUp() { sessionUp.store(true, ordering: .releasing) }

    /// Waits `duration` before the next attempt, or until `stop()`.
    private func sleep(_ duration: Duration) {
        _ = backoffWake.wait(timeout: .now() + duration.seconds)
    }

    fileprivate func markConnected() { connectedFlag.store(true, ordering: .releasing) }
    fileprivate func markRefused() { refusedFlag.store(true, ordering: .releasing) }

    /// Publishes `payload` to `topic`; returns the message id its acknowledgement will carry.
    @discardableResult
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        var messageID: Int32 = 0
        handleLock.lock()
        let result = payload.withUnsafeBytes { bytes in
            mosquitto_publish_v5(handle, &messageID, topic, Int32(clamping: bytes.count), bytes.baseAddress, qos, retain, nil)
        }
        handleLock.unlock()
        if batchDepth.load(ordering: .acquiring) == 0 { wakeNetwork() } else { batchQueued.store(true, ordering: .releasing) }
        try check(result, "publish to \(topic)")
        return messageID
    }

    /// How a subscription treats retained messages (MQTT 5 subscription options; under 3.1.1
    /// the broker sends retained messages at subscription with the retain flag set).
    public enum RetainHandling: Sendable {
        /// The broker's default: retained messages at subscription, live ones without the flag.
        case standard
        /// Never send retained messages, and keep the retain flag on live ones, so a retained
        /// publish can be told apart (commands: a retained one would act at every reconnect).
        case neverAndAsPublished
    }

    /// Subscribes to `pattern` at QoS 1.
    public func subscribe(_ pattern: String, qos: Int32 = 1, retain: RetainHandling = .standard) throws(MQTTError) {
        var messageID: Int32 = 0
        var options: Int32 = 0
        if retain == .neverAndAsPublished && settings.protocolVersion == .v5 {
            options = Int32(MQTT_SUB_OPT_SEND_RETAIN_NEVER.rawValue | MQTT_SUB_OPT_RETAIN_AS_PUBLISHED.rawValue)
        }
        handleLock.lock()
        let result = mosquitto_subscribe_v5(handle, &messageID, pattern, qos, options, nil)
        handleLock.unlock()
        wakeNetwork()
        try check(result, "subscribe to \(pattern)")
    }

    /// Unsubscribes from `pattern`.
    public func unsubscribe(_ pattern: String) throws(MQTTError) {
        var messageID: Int32 = 0
        handleLock.lock()
        let result = mosquitto_unsubscribe_v5(handle, &messageID, pattern, nil)
        handleLock.unlock()
        wakeNetwork()
        try check(result, "unsubscribe from \(pattern)")
    }

    /// Disconnects cleanly (no Last Will) and stops the network thread. A thread still inside a
    /// blocking connect (a host that does not answer) is not waited for beyond a few seconds:
    /// it holds the client until it returns, then ends by itself.
    public func stop() {
        guard running.exchange(false, ordering: .acquiringAndReleasing) else { return }
        handleLock.lock()
        mosquitto_disconnect_v5(handle, 0, nil)
        handleLock.unlock()
        wakeNetwork()
        backoffWake.signal()
        guard finished.wait(timeout: .now() + 5) == .success else { return }
        // Let the DISCONNECT packet out.
        for _ in 0..<5 where mosquitto_want_write(handle) { _ = mosquitto_loop_write(handle, 1) }
    }

    /// Collects an event from a callback; the loop hands the batch on after its turn.
    fileprivate func emit(_ event: MQTTEvent) {
        pendingEvents.withLock { $0.append(event) }
    }

    private func flushEvents() {
        var batch = pendingEvents.withLock { pending -> [MQTTEvent] in
            defer { pending = [] }
            return pending
        }
        let waiting = pendingAcknowledgements.withLock { pending -> Bool in
            guard let since = pending.since, !pending.announced, ContinuousClock.now - since >= .seconds(1) else { return false }
            pending.announced = true
            return true
        }
        if waiting { batch.append(.acknowledgementsWaiting) }
        if !batch.isEmpty { continuation.yield(batch) }
    }

    fileprivate func noteAcknowledgement(_ acknowledgement: MQTTAcknowledgement) {
        pendingAcknowledgements.withLock { pending in
            if pending.list.isEmpty { pending.since = .now }
            pending.list.append(acknowledgement)
        }
    }

    /// The PUBACKs received since the last call, oldest first. A consumer takes them when it
    /// suits it (a publisher once per evaluation); `.acknowledgementsWaiting` says when they
    /// have waited a second.
    public func takeAcknowledgements() -> [MQTTAcknowledgement] {
        pendingAcknowledgements.withLock { pending in
            defer { pending = ([], nil, false) }
            return pending.list
        }
    }

    fileprivate static func client(_ user: UnsafeMutableRawPointer?) -> MosquittoClient? {
        guard let user else { return nil }
        return Unmanaged<MosquittoClient>.fromOpaque(user).takeUnretainedValue()
    }

    /// Words for a CONNACK or DISCONNECT reason code.
    static func reason(_ code: Int32, v5: Bool) -> String {
        v5 ? String(cString: mosquitto_reason_string(code)) : String(cString: mosquitto_connack_string(code))
    }
}

// The C callbacks. File-scope functions with no captured context: nothing here is
// actor-isolated, so running on libmosquitto's thread is safe.

private let onConnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, OpaquePointer?) -> Void = { mosq, user, code, _, _ in
    guard let client = MosquittoClient.client(user) else { return }
    if code == 0 {
        // libmosquitto formats every log line (each PUBLISH and PUBACK at debug level) before
        // handing it to a callback; only its errors are used, and those that matter come while
        // connecting (TLS, refusals). Connected, the callback is dropped; the next connection's
        // `configure()` sets it again. (It cost a twentieth of the daemon's instructions at 1 Hz.)
        mosquitto_log_callback_set(mosq, nil)
        client.markSessionUp()
        client.markConnected()
        client.emit(.connected)
    } else {
        client.markRefused()
        client.emit(.refused(code: Int(code), reason: MosquittoClient.reason(code, v5: client.settings.protocolVersion == .v5)))
    }
}

private let onDisconnect: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, OpaquePointer?) -> Void = { _, user, code, _ in
    guard let client = MosquittoClient.client(user) else { return }
    // Under MQTT 5 a broker's DISCONNECT gives its reason code (142: session taken over).
    let reason: String
    if code == 0 {
        reason = "disconnected"
    } else if code == Int32(MQTT_RC_SESSION_TAKEN_OVER.rawValue) {
        reason = "session taken over by another client with the same client id"
    } else if code >= 128 && client.settings.protocolVersion == .v5 {
        reason = String(cString: mosquitto_reason_string(code))
    } else {
        reason = String(cString: mosquitto_strerror(code))
    }
    client.emit(.disconnected(code: Int(code), reason: reason))
}

private let onPublish: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, OpaquePointer?) -> Void = { _, user, mid, reason, _ in
    MosquittoClient.client(user)?.noteAcknowledgement(MQTTAcknowledgement(messageID: mid, reasonCode: Int(reason)))
}

private let onMessage: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, UnsafePointer<mosquitto_message>?, OpaquePointer?) -> Void = { _, user, message, _ in
    guard let client = MosquittoClient.client(user), let message = message?.pointee, let topic = message.topic else { return }
    var payload: [UInt8] = []
    if let bytes = message.payload, message.payloadlen > 0 {
        payload = Array(UnsafeRawBufferPointer(start: bytes, count: Int(message.payloadlen)))
    }
    client.emit(.message(topic: String(cString: topic), payload: payload, retained: message.retain))
}

private let onSubscribe: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, Int32, UnsafePointer<Int32>?, OpaquePointer?) -> Void = { _, user, mid, _, _, _ in
    MosquittoClient.client(user)?.emit(.subscribed(messageID: mid))
}

private let onLog: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?) -> Void = { _, user, level, text in
    guard level & Int32(MOSQ_LOG_ERR) != 0, let text, let client = MosquittoClient.client(user) else { return }
    client.emit(.error(String(cString: text)))
}

extension Duration {
    /// The duration in seconds.
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
