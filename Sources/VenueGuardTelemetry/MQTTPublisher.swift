import Foundation
import Logging
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardMosquitto
import VenueGuardOutbox

/// Publishes the venue over MQTT without ever losing a reading and without ever holding up
/// the signals: every message is committed to the outbox first and leaves it only when the
/// broker acknowledges it with a success code. After an outage the backlog goes, oldest
/// first and at a bounded rate, to `history/…` topics (never the retained ones, which must
/// not go back in time) while live messages keep flowing.
public actor MQTTPublisher {
    /// What the publisher knows of itself, for `status` and the state file.
    public struct Stats: Sendable, Hashable {
        public var connected = false
        public var backlog = 0
        public var dropped: Int64 = 0
        public var published = 0
        public var refusedPublishes = 0
        public var rejectedCommands = 0
        public var lastError: String?
    }

    private let config: MQTTConfiguration
    private let model: VenueModel
    /// The topics.
    public nonisolated let topics: TopicScheme
    private let payloads: TelemetryPayloads
    private let discovery: HomeAssistantDiscovery
    private let outbox: Outbox
    private let logger: Logger
    private var client: MosquittoClient?
    private var tasks: [Task<Void, Never>] = []
    private var inflight: [Int32: Int64] = [:]
    /// Acknowledged by the broker, still in the outbox until the next bulk removal.
    private var acknowledged: Set<Int64> = []
    private var pending: [Outbox.Draft] = []
    private var pendingSince: ContinuousClock.Instant?
    private var lastSensor: [SensorID: String] = [:]
    private var lastStateSignature: String?
    private var lastStateAt: ContinuousClock.Instant?
    private var latest: VenueStatus?
    private var connectionFirstSeq: Int64 = .max
    private var replayCursor: Int64 = 0
    private var replayTask: Task<Void, Never>?
    private var reported: Set<String> = []
    private var lastLibraryError: String?
    private var lastPrune = ContinuousClock.now
    private var lastAcknowledgement = ContinuousClock.now
    private var stats = Stats()
    /// Validated commands for the runtime.
    public nonisolated let commands: AsyncStream<[VenueInput]>
    private let commandSink: AsyncStream<[VenueInput]>.Continuation

    /// Opens the outbox; nothing connects until `start()`.
    public init(config: MQTTConfiguration, model: VenueModel, logger: Logger) throws {
        self.config = config
        self.model = model
        self.logger = logger
        topics = TopicScheme(prefix: config.topicPrefix)
        payloads = TelemetryPayloads(site: model.site.id, utcOffsetSeconds: model.site.utcOffsetSeconds)
        discovery = HomeAssistantDiscovery(prefix: config.homeAssistantPrefix, topics: topics, model: model, stateInterval: config.stateInterval)
        let directory = (config.outboxPath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        outbox = try Outbox(path: config.outboxPath, maxAge: config.outboxMaxAge, maxBytes: config.outboxMaxBytes)
        (commands, commandSink) = AsyncStream.makeStream(of: [VenueInput].self)
        stats.backlog = (try? outbox.count()) ?? 0
        stats.dropped = (try? outbox.droppedTotal()) ?? 0
    }

    /// The settings libmosquitto gets (with the Last Will `offline` on `status`).
    nonisolated var settings: MQTTSettings {
        var tls: MQTTSettings.TLS?
        if let ca = config.tlsCAFile {
            tls = .init(caFile: ca, certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, verifyHostname: config.tlsVerifyHostname)
        }
        return MQTTSettings(host: config.host, port: config.port, protocolVersion: config.protocolVersion == "3.1.1" ? .v311 : .v5,
                            clientID: config.clientID, username: config.username, password: config.password, tls: tls,
                            keepalive: config.keepalive, reconnectMinimum: config.reconnectMinimum, reconnectMaximum: config.reconnectMaximum,
                            will: .init(topic: topics.status, payload: Array("offline".utf8), retain: true))
    }

    /// Starts connecting (a broker that is down is retried with backoff) and the 1 s housekeeping.
    public func start() {
        do {
            let client = try MosquittoClient(settings: settings)
            self.client = client
            try client.start()
            tasks.append(Task { [weak self] in
                for await event in client.events { await self?.on(event) }
            })
        } catch {
            report("MQTT client for \(config.host):\(config.port) could not start: \(error)")
        }
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await self?.housekeeping()
            }
        })
    }

    /// The current figures.
    public func currentStats() -> Stats {
        var copy = stats
        copy.backlog = max(0, stats.backlog - acknowledged.count)  // kept as messages come and go: no query
        return copy
    }

    // MARK: - From the runtime

    /// Takes one evaluation's status and events.
    public func handle(_ status: VenueStatus, _ events: [VenueEvent]) {
        latest = status
        var urgent = false
        for event in events {
            pending.append(draft(topic: topics.events, retain: false) { [payloads] seq in payloads.event(event, at: status.at, seq: seq) })
            urgent = true
        }
        for sensor in status.sensors {
            let newest = sensor.readings.map(\.at.nanoseconds).max() ?? -1
            let signature = "\(newest)|\(sensor.health.quality)|\(sensor.health)"
            guard lastSensor[sensor.descriptor.id] != signature else { continue }
            lastSensor[sensor.descriptor.id] = signature
            pending.append(draft(topic: topics.sensor(sensor.descriptor.id.rawValue), retain: true) { [payloads] seq in
                payloads.sensor(sensor, at: status.at, seq: seq)
            })
        }
        let signature = stateSignature(status)
        let due = lastStateAt.map { ContinuousClock.now - $0 >= config.stateInterval } ?? true
        if signature != lastStateSignature || due {
            lastStateSignature = signature
            lastStateAt = .now
            pending.append(stateDraft(status))
            urgent = true
        }
        if pendingSince == nil && !pending.isEmpty { pendingSince = .now }
        // Readings are committed in batches of up to a second (SD-card wear); events and state changes at once.
        if urgent || (pendingSince.map { ContinuousClock.now - $0 >= .seconds(1) } ?? false) { flush() }
    }

    private func stateSignature(_ status: VenueStatus) -> String {
        let areas = status.areas.map { "\($0.id)=\($0.status.rawValue)/\($0.heatLevel.rawValue)/\($0.estimate?.method.rawValue ?? "-")" }
        let lamps = status.signal.lamps.sorted { $0.key < $1.key }.map { "\($0.key.rawValue)=\($0.value.rawValue)" }
        return ([status.overall.rawValue, status.lightning.rawValue, status.heatAlert.rawValue, "\(status.thunderAdvisory)",
                 status.signal.buzzer.rawValue] + areas + lamps + status.reasons).joined(separator: "|")
    }

    private func stateDraft(_ status: VenueStatus) -> Outbox.Draft {
        let backlog = max(0, stats.backlog - acknowledged.count), dropped = stats.dropped
        return draft(topic: topics.state, retain: true) { [payloads] seq in payloads.state(status, seq: seq, backlog: backlog, dropped: dropped) }
    }

    private func draft(topic: String, retain: Bool, payload: @escaping (Int64) -> [UInt8]) -> Outbox.Draft {
        Outbox.Draft(topic: topic, historyTopic: topics.history(of: topic), retain: retain, payload: payload)
    }

    private func notice(_ type: String, _ summary: String, _ fields: [String: JSONValue]) {
        guard let at = latest?.at else { return }
        pending.append(draft(topic: topics.events, retain: false) { [payloads] seq in
            payloads.notice(type: type, summary: summary, fields: fields, at: at, seq: seq)
        })
        flush()
    }

    /// Commits what is pending and, when connected, publishes it live.
    private func flush() {
        guard !pending.isEmpty else { return }
        let drafts = pending
        pending = []
        pendingSince = nil
        let messages: [Outbox.Message]
        do {
            messages = try outbox.append(drafts, now: latest?.at.wall.secondsSince1970 ?? Date().timeIntervalSince1970)
        } catch {
            report("the outbox cannot store messages: \(error)")
            pending = drafts + pending  // keep them for the next attempt
            return
        }
        stats.backlog += messages.count
        guard let client, stats.connected else { return }
        for message in messages {
            do {
                inflight[try client.publish(topic: message.topic, payload: message.payload, retain: message.retain)] = message.seq
            } catch {
                report("publishing to \(message.topic) failed: \(error)")
            }
        }
    }

    /// Acknowledged rows leave the outbox in bulk (every 30 s, or 1000 at a time): one
    /// transaction then frees whole pages instead of rewriting the same page every second.
    /// Until then a crash would only replay them as duplicates, which `seq` lets subscribers drop.
    private func housekeeping(final: Bool = false) {
        if pendingSince.map({ ContinuousClock.now - $0 >= .seconds(1) }) ?? false { flush() }
        let due = final || acknowledged.count >= 1000 || ContinuousClock.now - lastAcknowledgement >= .seconds(30)
        if !acknowledged.isEmpty && due {
            lastAcknowledgement = .now
            do {
                try outbox.acknowledge(Array(acknowledged))
                stats.backlog = max(0, stats.backlog - acknowledged.count)
                acknowledged = []
            } catch {
                report("the outbox cannot drop acknowledged messages: \(error)")
            }
        }
        if ContinuousClock.now - lastPrune >= .seconds(60) {
            lastPrune = .now
            if let dropped = try? outbox.prune(now: latest?.at.wall.secondsSince1970 ?? Date().timeIntervalSince1970), dropped > 0 {
                stats.dropped += Int64(dropped)
                // Rare (long outages): count again rather than track which rows the bounds took.
                try? outbox.acknowledge(Array(acknowledged))
                acknowledged = []
                stats.backlog = (try? outbox.count()) ?? stats.backlog
                logger.warning("outbox bounds dropped the \(dropped) oldest message(s) (\(stats.dropped) in all)")
                notice("outbox-dropped", "the outbox dropped \(dropped) oldest message(s)",
                       ["count": .integer(Int64(dropped)), "total": .integer(stats.dropped)])
            }
        }
    }

    // MARK: - From the network thread

    private func on(_ event: MQTTEvent) {
        switch event {
        case .connected:
            stats.connected = true
            reported.removeAll()
            lastLibraryError = nil
            logger.notice("MQTT connected to \(config.host):\(config.port)")
            onConnected()
        case let .refused(code, reason):
            stats.connected = false
            var hint = ""
            if code == 134 || code == 4 || code == 5 || code == 135 { hint = "; check mqtt.username and the password (\(config.passwordSource ?? "none given"))" }
            report("MQTT broker \(config.host):\(config.port) refused the connection: \(reason) (\(code))\(hint)")
        case let .disconnected(code, reason):
            let wasConnected = stats.connected
            stats.connected = false
            inflight.removeAll()  // their messages stay in the outbox and are replayed as history
            replayTask?.cancel()
            if code != 0 {
                let detail = lastLibraryError.map { ": \($0)" } ?? ""
                if wasConnected {
                    logger.warning("MQTT connection to \(config.host):\(config.port) lost (\(reason))\(detail); retrying with backoff")
                } else {
                    report("MQTT connection to \(config.host):\(config.port) failed (\(reason))\(detail); retrying with backoff")
                }
            }
        case let .acknowledged(messageID, reasonCode):
            guard let seq = inflight.removeValue(forKey: messageID) else { return }
            if reasonCode < 128 {
                stats.published += 1
                if seq > 0 { acknowledged.insert(seq) }
            } else {
                // MQTT 5: e.g. 135 "not authorised". The message stays in the outbox.
                stats.refusedPublishes += 1
                report("MQTT broker refused a publish (reason code \(reasonCode)): check the account's ACL for \(topics.prefix)/#")
            }
        case let .message(topic, payload, _):
            onMessage(topic: topic, payload: payload)
        case .subscribed:
            break
        case let .error(text):
            lastLibraryError = text
        }
    }

    private func onConnected() {
        guard let client else { return }
        _ = try? client.publish(topic: topics.status, payload: Array("online".utf8), retain: true)
        if config.homeAssistant {
            sendDiscovery()
            try? client.subscribe(discovery.statusTopic)
        }
        if config.commands { try? client.subscribe(topics.commands) }
        // Whatever is in the outbox now is backlog: it goes to history. Fresh retained values follow.
        connectionFirstSeq = outbox.currentSeq + 1
        replayCursor = 0
        if let status = latest {
            for sensor in status.sensors {
                pending.append(draft(topic: topics.sensor(sensor.descriptor.id.rawValue), retain: true) { [payloads] seq in
                    payloads.sensor(sensor, at: status.at, seq: seq)
                })
            }
            lastStateAt = .now
            pending.append(stateDraft(status))
            flush()
        }
        let interval = Duration.seconds(fractional: 1 / config.replayRate)
        replayTask = Task { [weak self] in
            while !Task.isCancelled {
                guard let more = await self?.replayBatch(), more else { return }
                try? await Task.sleep(for: interval * 20)
            }
        }
    }

    /// Publishes up to 20 backlog messages to their history topics; `false` when the backlog is done.
    private func replayBatch() -> Bool {
        guard let client, stats.connected else { return false }
        guard let batch = try? outbox.pending(after: replayCursor, limit: 20).filter({ $0.seq < connectionFirstSeq }), !batch.isEmpty else {
            return false
        }
        for message in batch {
            replayCursor = message.seq
            if inflight.values.contains(message.seq) || acknowledged.contains(message.seq) { continue }
            if let mid = try? client.publish(topic: message.historyTopic, payload: message.payload, retain: false) {
                inflight[mid] = message.seq
            }
        }
        return true
    }

    private func sendDiscovery() {
        guard let client else { return }
        for message in discovery.messages() {
            _ = try? client.publish(topic: message.topic, payload: message.payload, retain: true)
        }
    }

    private func onMessage(topic: String, payload: [UInt8]) {
        if topic == discovery.statusTopic {
            if String(decoding: payload, as: UTF8.self) == "online" { sendDiscovery() }
            return
        }
        guard config.commands, topic.hasPrefix("\(topics.prefix)/cmd/") else { return }
        let name = String(topic.dropFirst("\(topics.prefix)/cmd/".count))
        let now = latest?.at ?? Timestamp(monotonic: .origin, wall: WallClockTime(secondsSince1970: Date().timeIntervalSince1970),
                                           wallClockSynchronized: false)
        switch CommandParser.parse(name: name, payload: payload, now: now) {
        case let .failure(rejection):
            stats.rejectedCommands += 1
            logger.warning("rejected MQTT command on \(topic): \(rejection.reason)")
            notice("command-rejected", "rejected \(name): \(rejection.reason)",
                   ["topic": .string(topic), "reason": .string(rejection.reason), "rejected_total": .integer(Int64(stats.rejectedCommands))])
        case let .success(command):
            switch command {
            case let .acknowledge(by):
                commandSink.yield([.acknowledge(source: "mqtt" + (by.map { ":\($0)" } ?? ""))])
            case let .heatAlert(alert, until):
                commandSink.yield([.heatAlert(alert, until: until)])
                notice("command-accepted", "heat alert set to \(alert.rawValue)", ["topic": .string(topic)])
            case let .thunderAdvisory(active, until):
                commandSink.yield([.thunderAdvisory(active, until: until)])
                notice("command-accepted", "thunder advisory \(active ? "set" : "cleared")", ["topic": .string(topic)])
            case let .ping(id):
                notice("pong", "pong", ["id": .optional(id)])
            }
        }
    }

    /// Logs a problem once per distinct text (retries repeat it; the log should not).
    private func report(_ text: String) {
        stats.lastError = text
        if reported.insert(text).inserted { logger.warning("\(text)") }
    }

    /// Clean shutdown: store what is pending, publish `offline` (retained), wait briefly for
    /// acknowledgements, disconnect, and checkpoint the outbox.
    public func stop() async {
        flush()
        if let client, stats.connected {
            if let mid = try? client.publish(topic: topics.status, payload: Array("offline".utf8), retain: true) { inflight[mid] = 0 }
            let deadline = ContinuousClock.now + .seconds(2)
            while !inflight.isEmpty && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        housekeeping(final: true)
        replayTask?.cancel()
        client?.stop()
        for task in tasks { task.cancel() }
        commandSink.finish()
        outbox.checkpoint()
    }
}
