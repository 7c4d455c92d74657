import Foundation
import Logging
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardMosquitto
import VenueGuardOutbox

/// Publishes the venue over MQTT without ever holding up the signals, and without losing more
/// than its documented contract allows:
///
/// - every message is numbered (per site, never reused) and encoded once, when it is made;
/// - events (level changes, alarms, faults, acknowledgements, commands) are committed to the
///   outbox at once, then published;
/// - readings and states are published at once and kept in memory for the commit window
///   (`mqtt.outbox.commit_window`, default 5 s): those the broker acknowledges in that time
///   never touch storage, the rest are committed in one batch (SD-card wear);
/// - a message leaves the outbox only when the broker acknowledges it with a success code;
///   after an outage the backlog goes, oldest first and at a bounded rate, to `history/…`
///   topics (never the retained ones, which must not go back in time).
///
/// So a power cut or a SIGKILL loses at most the readings of the last commit window, never an
/// event and never a number. When storage fails (a full disk), messages wait in memory within
/// a bound, the oldest readings are dropped first and counted, and retries back off.
public actor MQTTPublisher {
    /// What the publisher knows of itself, for `status` and the state file.
    public struct Stats: Sendable, Hashable {
        public var connected = false
        public var backlog = 0
        public var dropped: Int64 = 0
        public var published = 0
        public var refusedPublishes = 0
        public var rejectedCommands = 0
        /// Command messages received, and of them accepted.
        public var commandsReceived = 0
        public var acceptedCommands = 0
        /// Messages dropped because storage failed and the memory bound was reached.
        public var droppedUnstored: Int64 = 0
        /// Times the broker ended our session because another client took our client id.
        public var takeovers = 0
        /// The highest sequence number this run handed out (0: none yet).
        public var lastSeq: Int64 = 0
        public var lastError: String?
        /// Lasting problems a person must see (`status`, the state file), one line each.
        public var problems: [String] = []
        /// Retained topics of removed sensors and entities cleared since start.
        public var clearedRetained = 0
    }

    /// A message made but not in storage yet.
    private struct Unstored {
        var message: Outbox.Message
        var madeAt: ContinuousClock.Instant
        var isEvent: Bool
    }

    private let config: MQTTConfiguration
    private let model: VenueModel
    /// The topics.
    public nonisolated let topics: TopicScheme
    private let payloads: TelemetryPayloads
    private let discovery: HomeAssistantDiscovery
    let outbox: Outbox
    private let logger: Logger
    private let instanceID: String
    private var client: MosquittoClient?
    private var tasks: [Task<Void, Never>] = []
    private var inflight: [Int32: Int64] = [:]
    /// Acknowledged by the broker, still in the outbox until the next bulk removal.
    private var acknowledged: Set<Int64> = []
    /// Made, not yet in storage (the commit window, or storage failing), oldest first.
    private var unstored: [Unstored] = []
    private var storedCount = 0
    private var storageRetryAt: ContinuousClock.Instant?
    private var storageDelay = Duration.seconds(1)
    private var storageProblem: String?
    private var storageLogged: (at: ContinuousClock.Instant, full: Bool)?
    private var lastSensor: [SensorID: SensorPayloadSignature] = [:]
    private var lastStateSignature: StateSignature?
    /// While the sweep after a connection runs: the retained topics the box owns now.
    private var sweepOwn: Set<String>?
    private var sweepTask: Task<Void, Never>?
    /// The official forecast last published (retained on `forecast`; sent again only when it changes).
    private var lastForecast: OfficialForecast?
    /// The figures and the latest sensor payloads, for readers that must not wait on the
    /// actor (the state file, written right after each evaluation).
    private nonisolated let published = Mutex<(stats: Stats, sensorPayloads: [SensorID: [UInt8]])>((Stats(), [:]))
    private var lastStateAt: ContinuousClock.Instant?
    private var latest: VenueStatus?
    private var connectionFirstSeq: Int64 = .max
    private var replayCursor: Int64 = 0
    private var replayTask: Task<Void, Never>?
    private var reported: Set<String> = []
    private var lastLibraryError: String?
    private var lastPrune = ContinuousClock.now
    private var lastFileCheck = ContinuousClock.now
    private var lastAcknowledgement = ContinuousClock.now
    private var takeoverTimes: [ContinuousClock.Instant] = []
    private var shortConnections: [ContinuousClock.Instant] = []
    private var connectedAt: ContinuousClock.Instant?
    private var rejections = RejectionLimiter()
    private var persistentProblems: [String: String] = [:]
    private var stats = Stats()
    private var startupNotices: [(String, String, [NoticeField])] = []
    /// Validated commands for the runtime.
    public nonisolated let commands: AsyncStream<[VenueInput]>
    private let commandSink: AsyncStream<[VenueInput]>.Continuation

    /// The most messages kept in memory while storage fails (events are dropped last).
    let unstoredLimit: Int

    /// Opens the outbox (a damaged one is set aside, an unusable one replaced by memory: MQTT
    /// carries on either way); nothing connects until `start()`. `instanceID` tells this box
    /// from another configured with the same site (default: from the machine's id).
    public init(config: MQTTConfiguration, model: VenueModel, logger: Logger, instanceID: String? = nil, unstoredLimit: Int = 5000) throws {
        self.unstoredLimit = unstoredLimit
        self.config = config
        self.model = model
        self.logger = logger
        self.instanceID = instanceID ?? BoxIdentity.instanceID(site: model.site.id)
        topics = TopicScheme(prefix: config.topicPrefix)
        payloads = TelemetryPayloads(site: model.site.id, utcOffsetSeconds: model.site.utcOffsetSeconds)
        discovery = HomeAssistantDiscovery(prefix: config.homeAssistantPrefix, topics: topics, model: model, stateInterval: config.stateInterval,
                                           commands: config.commands)
        let directory = (config.outboxPath as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        outbox = try Outbox(path: config.outboxPath, maxAge: config.outboxMaxAge, maxBytes: config.outboxMaxBytes)
        (commands, commandSink) = AsyncStream.makeStream(of: [VenueInput].self)
        storedCount = (try? outbox.count()) ?? 0
        stats.backlog = storedCount
        stats.dropped = (try? outbox.droppedTotal()) ?? 0
        let opening = outbox.opening
        if let (aside, reason) = opening.setAside {
            let text = "the outbox \(config.outboxPath) was damaged (\(reason)): moved aside to \(aside); \(opening.salvaged) message(s) recovered from it"
            logger.error("\(text); MQTT carries on with a fresh outbox")
            persistentProblems["set-aside"] = text
            startupNotices.append(("outbox-set-aside", text, [("moved_to", .text(aside)), ("recovered", .number(Int64(opening.salvaged)))]))
        }
        if let why = opening.inMemoryBecause {
            let text = "the outbox \(config.outboxPath) cannot be used (\(why)): messages are kept in memory only"
            logger.error("\(text)")
            persistentProblems["in-memory"] = text
        }
        if opening.firstSeq > opening.lastStoredSeq + 1 {
            startupNotices.append(("sequence-restart",
                                   "numbering continues at \(opening.firstSeq) after a restart: numbers up to \(opening.firstSeq - 1) were reserved by an earlier run; those a subscriber did not see were never used, or were readings of the commit window lost at a power cut",
                                   [("first_seq", .number(opening.firstSeq)), ("last_stored_seq", .number(opening.lastStoredSeq))]))
        }
        let problems = persistentProblems
        stats.problems = problems.keys.sorted().map { problems[$0]! }
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
                for await batch in client.events { await self?.on(batch) }
            })
        } catch {
            report("MQTT client for \(config.host):\(config.port) could not start: \(error)")
        }
        // Housekeeping rides the evaluations (at least one a second) instead of a timer of its
        // own; this timer only covers a runtime that has stopped evaluating.
        tasks.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(5))
                await self?.housekeepingIfDue()
            }
        })
    }

    private var lastHousekeeping = ContinuousClock.now

    /// Housekeeping at most once a second.
    private func housekeepingIfDue() {
        guard ContinuousClock.now - lastHousekeeping >= .milliseconds(990) else { return }
        lastHousekeeping = .now
        housekeeping()
        refreshSnapshot()
    }

    /// The current figures.
    public func currentStats() -> Stats {
        var copy = stats
        copy.backlog = max(0, storedCount - acknowledged.count) + unstored.count
        return copy
    }

    /// The figures and the payload last published for each sensor as of the publisher's last
    /// step (an evaluation, a network event, housekeeping); never waits.
    public nonisolated func snapshot() -> (stats: Stats, sensorPayloads: [SensorID: [UInt8]]) {
        published.withLock { $0 }
    }

    private var sensorPayloads: [SensorID: [UInt8]] = [:]
    /// Each sensor's retained and history topic, made once.
    private var sensorTopics: [SensorID: (topic: String, history: String)] = [:]

    /// Brings `snapshot()` up to date.
    private func refreshSnapshot() {
        let current = currentStats()
        let payloads = sensorPayloads
        published.withLock { $0 = (current, payloads) }
    }

    // MARK: - From the runtime

    /// Takes one evaluation's status and events.
    public func handle(_ status: VenueStatus, _ events: [VenueEvent]) {
        // One wake-up of the network thread for everything this evaluation publishes.
        if let client { client.batch { handleNow(status, events) } } else { handleNow(status, events) }
    }

    private func handleNow(_ status: VenueStatus, _ events: [VenueEvent]) {
        takeAcknowledgements()
        latest = status
        for (type, summary, fields) in startupNotices { notice(type, summary, fields) }
        startupNotices = []
        var made: [Unstored] = []
        for event in events {
            if let message = make(topic: topics.events, retain: false, { [payloads] seq in payloads.event(event, at: status.at, seq: seq) }) {
                made.append(Unstored(message: message, madeAt: .now, isEvent: true))
            }
        }
        for sensor in status.sensors {
            let signature = SensorPayloadSignature(sensor)
            guard lastSensor[sensor.descriptor.id] != signature else { continue }
            lastSensor[sensor.descriptor.id] = signature
            let id = sensor.descriptor.id
            let names: (topic: String, history: String)
            if let known = sensorTopics[id] { names = known } else {
                let topic = topics.sensor(id.rawValue)
                names = (topic, topics.history(of: topic))
                sensorTopics[id] = names
            }
            if let message = make(topic: names.topic, history: names.history, retain: true, { [payloads] seq in
                payloads.sensor(sensor, at: status.at, seq: seq)
            }) {
                sensorPayloads[sensor.descriptor.id] = message.payload
                made.append(Unstored(message: message, madeAt: .now, isEvent: false))
            }
        }
        if let forecast = status.forecast, forecast != lastForecast {
            lastForecast = forecast
            if let message = make(topic: topics.forecast, retain: true, { [payloads] seq in payloads.forecast(forecast, at: status.at, seq: seq) }) {
                made.append(Unstored(message: message, madeAt: .now, isEvent: false))
            }
        }
        let signature = stateSignature(status)
        let due = lastStateAt.map { ContinuousClock.now - $0 >= config.stateInterval } ?? true
        if signature != lastStateSignature || due {
            lastStateSignature = signature
            lastStateAt = .now
            // What changed is also in the events (committed at once); the state snapshot rides the window.
            if let message = stateMessage(status) { made.append(Unstored(message: message, madeAt: .now, isEvent: false)) }
        }
        send(made)
        housekeepingIfDue()
        refreshSnapshot()
    }

    /// What the `state` payload says apart from numbers: when it changes, `state` is sent at once.
    private struct StateSignature: Equatable {
        struct Area: Equatable {
            var id: AreaID
            var status: SafetyStatus
            var level: SafetyStatus
            var method: WBGTMethod?
        }
        var overall: SafetyStatus
        var lightning: LightningState
        var heatAlert: HeatAlert
        var thunderAdvisory: Bool
        var signal: SignalIntent
        var areas: [Area]
        var reasons: [String]
        var official: [String]
    }

    private func stateSignature(_ status: VenueStatus) -> StateSignature {
        StateSignature(overall: status.overall, lightning: status.lightning, heatAlert: status.heatAlert, thunderAdvisory: status.thunderAdvisory,
                       signal: status.signal,
                       areas: status.areas.map { .init(id: $0.id, status: $0.status, level: $0.heatLevel, method: $0.estimate?.method) },
                       reasons: status.reasons,
                       official: status.official.map { "\($0.source.rawValue) \($0.awaitingCompanion ? "pending" : $0.availability.machineName)" })
    }

    private func stateMessage(_ status: VenueStatus) -> Outbox.Message? {
        let backlog = currentStats().backlog, dropped = stats.dropped + stats.droppedUnstored
        return make(topic: topics.state, retain: true) { [payloads] seq in payloads.state(status, seq: seq, backlog: backlog, dropped: dropped) }
    }

    /// A numbered message, its payload encoded once.
    private func make(topic: String, history: String? = nil, retain: Bool, _ payload: (Int64) -> [UInt8]) -> Outbox.Message? {
        // (Optional so a caller can skip a message it cannot make; numbering itself never fails.)
        let seq = outbox.nextSeq()
        stats.lastSeq = seq
        let markProblem = outbox.markProblem.map { "\($0): after a restart sequence numbers could repeat" }
        if persistentProblems["mark"] != markProblem {
            if let markProblem { logger.error("\(markProblem)") }
            persistentProblems["mark"] = markProblem
            refreshProblems()
        }
        return Outbox.Message(seq: seq, topic: topic, historyTopic: history ?? topics.history(of: topic), payload: payload(seq), retain: retain,
                              created: latest?.at.wall.secondsSince1970 ?? Date().timeIntervalSince1970)
    }

    private func notice(_ type: String, _ summary: String, _ fields: [NoticeField]) {
        guard let at = latest?.at else {
            startupNotices.append((type, summary, fields))
            return
        }
        if let message = make(topic: topics.events, retain: false, { [payloads] seq in
            payloads.notice(type: type, summary: summary, at: at, seq: seq) { o in
                for (key, value) in fields {
                    switch value {
                    case let .text(text): o.field(JSONKey(key), text)
                    case let .number(number): o.field(JSONKey(key), number)
                    }
                }
            }
        }) {
            send([Unstored(message: message, madeAt: .now, isEvent: true)])
        }
    }

    /// Events to storage at once (then live); readings live at once and into the commit window.
    /// An event is stored together with every reading still in the window (all numbered below
    /// it), so storage always holds every unacknowledged number up to the highest it holds: after
    /// a power cut only numbers above the last stored one can be missing, and they were readings.
    private func send(_ made: [Unstored]) {
        guard !made.isEmpty else { return }
        if config.commitWindow == .zero || made.contains(where: \.isEvent) {
            let batch = unstored + made
            if store(batch.map(\.message)) {
                unstored.removeAll()
            } else {
                for entry in made { keepUnstored(entry) }
            }
        } else {
            for entry in made { keepUnstored(entry) }
        }
        publishLive(made.map(\.message))
    }

    private func publishLive(_ messages: [Outbox.Message]) {
        guard let client, stats.connected else { return }
        client.batch { publishEach(messages, client) }
    }

    private func publishEach(_ messages: [Outbox.Message], _ client: MosquittoClient) {
        for message in messages {
            do {
                inflight[try client.publish(topic: message.topic, payload: message.payload, retain: message.retain)] = message.seq
            } catch {
                report("publishing to \(message.topic) failed: \(error)")
            }
        }
    }

    /// Stores messages; `false` (and a backed-off retry) when storage fails.
    private func store(_ messages: [Outbox.Message]) -> Bool {
        guard !messages.isEmpty else { return true }
        if let retryAt = storageRetryAt, ContinuousClock.now < retryAt { return false }
        do {
            try outbox.store(messages)
            storedCount += messages.count
            if storageProblem != nil {
                logger.notice("the outbox can be written again: \(unstored.count) message(s) waiting in memory follow")
                storageProblem = nil
                persistentProblems["storage"] = nil
                refreshProblems()
            }
            storageRetryAt = nil
            storageDelay = .seconds(1)
            return true
        } catch {
            if Outbox.isDamage(error) {
                let what = outbox.reopen(damaged: true)
                logger.error("the outbox was damaged while running: \(what); MQTT carries on")
                persistentProblems["set-aside"] = "the outbox was damaged while running: \(what)"
                refreshProblems()
                return (try? outbox.store(messages)).map { storedCount += messages.count; return true } ?? false
            }
            let full = (error as? Outbox.Failure)?.storageFull == true
            let text = full ? "storage full: the outbox cannot be written (\(error))" : "the outbox cannot be written: \(error)"
            // Said once per kind of failure, not once per retry, and not again for ten minutes
            // when a nearly full disk lets a write through now and then.
            let now = ContinuousClock.now
            if storageProblem.map({ $0.hasPrefix("storage full") }) != full
                && (storageLogged.map { now - $0.at >= .seconds(600) || $0.full != full } ?? true) {
                logger.error("\(text); messages wait in memory (at most \(unstoredLimit)), retrying with backoff")
                storageLogged = (now, full)
            }
            storageProblem = text
            persistentProblems["storage"] = text + "; messages wait in memory"
            refreshProblems()
            storageRetryAt = .now + storageDelay
            storageDelay = min(storageDelay * 2, .seconds(60))
            return false
        }
    }

    /// Keeps a message in memory until it is acknowledged or stored, within the bound: over it,
    /// the oldest reading goes first, then the oldest event; each drop is counted.
    private func keepUnstored(_ entry: Unstored) {
        unstored.append(entry)
        guard unstored.count > unstoredLimit else { return }
        let victim = unstored.firstIndex { !$0.isEvent } ?? 0
        unstored.remove(at: victim)
        stats.droppedUnstored += 1
        if stats.droppedUnstored == 1 || stats.droppedUnstored % 1000 == 0 {
            logger.error("storage is failing and \(unstoredLimit) messages already wait in memory: dropped the oldest (\(stats.droppedUnstored) in all)")
        }
    }

    /// Commits what has outlived the commit window (or everything, `all`).
    private func commitWindow(all: Bool = false) {
        let now = ContinuousClock.now
        // Offline, nothing will be acknowledged: waiting out the window would only widen what a
        // power cut could take.
        // Everything up to the newest entry that is due goes together (entries are in number
        // order), so that what storage holds stays a prefix of the numbering.
        guard let last = unstored.lastIndex(where: { all || $0.isEvent || !stats.connected || now - $0.madeAt >= config.commitWindow }),
              store(unstored[...last].map(\.message)) else { return }
        unstored.removeFirst(last + 1)
    }

    /// Acknowledged rows leave the outbox in bulk (every 30 s, or 1000 at a time): one
    /// transaction then frees whole pages instead of rewriting the same page every second.
    /// Until then a crash would only replay them as duplicates, which `seq` lets subscribers drop.
    private func housekeeping(final: Bool = false) {
        takeAcknowledgements()
        commitWindow(all: final)
        let due = final || acknowledged.count >= 1000 || ContinuousClock.now - lastAcknowledgement >= .seconds(30)
        if !acknowledged.isEmpty && due {
            lastAcknowledgement = .now
            do {
                try outbox.acknowledge(Array(acknowledged))
                storedCount = max(0, storedCount - acknowledged.count)
                acknowledged = []
            } catch {
                report("the outbox cannot drop acknowledged messages: \(error)")
            }
        }
        let now = ContinuousClock.now
        if now - lastFileCheck >= .seconds(10) {
            lastFileCheck = now
            if !outbox.isStillOnDisk {
                let what = outbox.reopen(damaged: false)
                logger.error("\(what); sequence numbers go on from \(outbox.currentSeq + 1)")
                persistentProblems["set-aside"] = what
                refreshProblems()
                notice("outbox-recreated", what, [])
                storedCount = (try? outbox.count()) ?? storedCount
                acknowledged = []
            }
        }
        for (code, count) in rejections.due(now: now) {
            logger.warning("rejected \(count) more MQTT command(s) (\(code)) in the last minute")
            notice("command-rejected", "rejected \(count) more command(s) (\(code)) in the last minute",
                   [("code", .text(code)), ("count", .number(Int64(count))), ("rejected_total", .number(Int64(stats.rejectedCommands)))])
        }
        if now - lastPrune >= .seconds(60) {
            lastPrune = now
            if let dropped = try? outbox.prune(now: latest?.at.wall.secondsSince1970 ?? Date().timeIntervalSince1970), dropped > 0 {
                stats.dropped += Int64(dropped)
                // Rare (long outages): count again rather than track which rows the bounds took.
                try? outbox.acknowledge(Array(acknowledged))
                acknowledged = []
                storedCount = (try? outbox.count()) ?? storedCount
                logger.warning("outbox bounds dropped the \(dropped) oldest message(s) (\(stats.dropped) in all)")
                notice("outbox-dropped", "the outbox dropped \(dropped) oldest message(s)",
                       [("count", .number(Int64(dropped))), ("total", .number(stats.dropped))])
            }
        }
    }

    private func refreshProblems() {
        var problems = persistentProblems.keys.sorted().map { persistentProblems[$0]! }
        if stats.droppedUnstored > 0 { problems.append("\(stats.droppedUnstored) message(s) dropped while storage failed") }
        stats.problems = problems
    }

    // MARK: - From the network thread

    private func on(_ batch: [MQTTEvent]) {
        takeAcknowledgements()
        for event in batch { on(event) }
        refreshSnapshot()
    }

    /// Takes the PUBACKs the client holds: once per evaluation, with any network event, at
    /// housekeeping and while stopping (not a wake-up of their own).
    private func takeAcknowledgements() {
        guard let client else { return }
        for acknowledgement in client.takeAcknowledgements() {
            guard let seq = inflight.removeValue(forKey: acknowledgement.messageID) else { continue }
            if acknowledgement.reasonCode < 128 {
                stats.published += 1
                guard seq > 0 else { continue }
                if let index = unstored.firstIndex(where: { $0.message.seq == seq }) {
                    unstored.remove(at: index)  // delivered within the window: it never touches storage
                } else {
                    acknowledged.insert(seq)
                }
            } else {
                // MQTT 5: e.g. 135 "not authorised". The message stays in the outbox.
                stats.refusedPublishes += 1
                report("MQTT broker refused a publish (reason code \(acknowledgement.reasonCode)): check the account's ACL for \(topics.prefix)/#")
            }
        }
    }

    private func on(_ event: MQTTEvent) {
        switch event {
        case .connected:
            stats.connected = true
            connectedAt = .now
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
            inflight.removeAll()  // their messages stay in the window or the outbox and are replayed as history
            replayTask?.cancel()
            // What was live and unacknowledged is backlog now: into storage, so the replay finds it.
            commitWindow(all: true)
            if code == 142 {
                noteTakeover()
            } else if code != 0, wasConnected, let since = connectedAt, ContinuousClock.now - since < .seconds(30) {
                noteShortConnection()
            }
            if code != 0 {
                let detail = lastLibraryError.map { ": \($0)" } ?? ""
                if wasConnected {
                    logger.warning("MQTT connection to \(config.host):\(config.port) lost (\(reason))\(detail); retrying with backoff")
                } else {
                    report("MQTT connection to \(config.host):\(config.port) failed (\(reason))\(detail); retrying with backoff")
                }
            }
        case .acknowledgementsWaiting:
            takeAcknowledgements()
        case let .message(topic, payload, retained):
            onMessage(topic: topic, payload: payload, retained: retained)
        case .subscribed:
            break
        case let .error(text):
            lastLibraryError = text
        }
    }

    /// The broker ended our session for another client with our client id (MQTT 5 reason 142).
    /// Once is a stale connection; again and again is a second box with the same id.
    private func noteTakeover() {
        stats.takeovers += 1
        let now = ContinuousClock.now
        takeoverTimes = takeoverTimes.filter { now - $0 < .seconds(600) } + [now]
        logger.warning("MQTT session taken over by another client with client id \(config.clientID) (reason 142; \(stats.takeovers) in all)")
        if takeoverTimes.count >= 3 {
            let text = "client id \(config.clientID) was taken over \(takeoverTimes.count) times in 10 minutes: another box or client uses the same client id (two boxes configured as site \(model.site.id)?)"
            if persistentProblems["takeover"] == nil { logger.error("\(text)") }
            persistentProblems["takeover"] = text
            refreshProblems()
        }
        notice("session-taken-over", "the broker ended this box's session for another client with the same client id",
               [("client_id", .text(config.clientID)), ("count", .number(Int64(stats.takeovers)))])
    }

    /// A connection that ends within seconds, again and again: what a session takeover looks
    /// like from a broker that does not send reason 142 (mosquitto 2.0.11 just closes the old
    /// connection), and what a broker refusing us after CONNACK looks like.
    private func noteShortConnection() {
        let now = ContinuousClock.now
        shortConnections = shortConnections.filter { now - $0 < .seconds(300) } + [now]
        guard shortConnections.count >= 3 else { return }
        let text = "the MQTT connection keeps dropping soon after it is made (\(shortConnections.count) times in 5 minutes): another client may be using client id \(config.clientID) (two boxes configured as site \(model.site.id)?), or the broker drops us"
        if persistentProblems["flapping"] == nil {
            logger.error("\(text)")
            notice("connection-flapping", text, [("client_id", .text(config.clientID)), ("count", .number(Int64(shortConnections.count)))])
        }
        persistentProblems["flapping"] = text
        refreshProblems()
    }

    private func onConnected() {
        guard let client else { return }
        _ = try? client.publish(topic: topics.status, payload: Array("online".utf8), retain: true)
        // Who publishes as this site: another box configured with the same site id shows up here.
        // Subscribed first, so the other box's retained id arrives before ours replaces it (the
        // broker handles one client's packets in order).
        try? client.subscribe(topics.instance)
        _ = try? client.publish(topic: topics.instance, payload: Array("{\"instance\":\"\(instanceID)\"}".utf8), retain: true)
        if config.homeAssistant {
            sendDiscovery()
            try? client.subscribe(discovery.statusTopic)
        }
        startSweep()
        // Retained commands are never applied (one would act again at every reconnect): under
        // MQTT 5 the broker is asked not to send them, and the flag marks any that still come.
        if config.commands { try? client.subscribe(topics.commands, retain: .neverAndAsPublished) }
        // Whatever is stored or waiting now is backlog: it goes to history. Fresh retained values follow.
        connectionFirstSeq = outbox.currentSeq + 1
        replayCursor = 0
        if let status = latest {
            var made: [Unstored] = []
            for sensor in status.sensors {
                if let message = make(topic: topics.sensor(sensor.descriptor.id.rawValue), retain: true, { [payloads] seq in
                    payloads.sensor(sensor, at: status.at, seq: seq)
                }) {
                    made.append(Unstored(message: message, madeAt: .now, isEvent: false))
                }
            }
            lastStateAt = .now
            if let message = stateMessage(status) { made.append(Unstored(message: message, madeAt: .now, isEvent: false)) }
            send(made)
        }
        let interval = Duration.seconds(fractional: 1 / config.replayRate)
        replayTask = Task { [weak self] in
            while !Task.isCancelled {
                guard let more = await self?.replayBatch(), more else { return }
                try? await Task.sleep(for: interval * 20)
            }
        }
    }

    /// Publishes up to 20 backlog messages (stored, or waiting in memory) to their history
    /// topics; `false` when the backlog is done.
    private func replayBatch() -> Bool {
        guard let client, stats.connected else { return false }
        var batch = ((try? outbox.pending(after: replayCursor, limit: 20)) ?? []).filter { $0.seq < connectionFirstSeq }
        let waiting = unstored.map(\.message).filter { $0.seq > replayCursor && $0.seq < connectionFirstSeq }
        batch = Array((batch + waiting).sorted { $0.seq < $1.seq }.prefix(20))
        guard !batch.isEmpty else { return false }
        client.batch {
            for message in batch {
                replayCursor = message.seq
                if inflight.values.contains(message.seq) || acknowledged.contains(message.seq) { continue }
                if let mid = try? client.publish(topic: message.historyTopic, payload: message.payload, retain: false) {
                    inflight[mid] = message.seq
                }
            }
        }
        return true
    }

    private func sendDiscovery() {
        guard let client else { return }
        client.batch {
            for message in discovery.messages() {
                _ = try? client.publish(topic: message.topic, payload: message.payload, retain: true)
            }
        }
    }

    // MARK: - Nothing left behind

    /// The retained topics this box owns now: its sensors' and (with Home Assistant) its discovery configs.
    private var ownRetainedTopics: Set<String> {
        var own = Set(model.sensors.map { topics.sensor($0.id.rawValue) })
        if config.homeAssistant { own.formUnion(discovery.messages().map(\.topic)) }
        return own
    }

    /// For a few seconds after each connection the box reads back the retained topics it may
    /// own (`sensors/+` and its discovery configs) and clears, with an empty retained message,
    /// those of sensors, areas or entities no longer configured: a removed globe thermometer
    /// leaves nothing behind in Home Assistant or on the broker. Then it unsubscribes, so its
    /// own publications do not come back to it.
    private func startSweep() {
        guard let client else { return }
        let patterns = [topics.sensor("+"), discovery.ownConfigPattern]
        sweepOwn = ownRetainedTopics
        for pattern in patterns { try? client.subscribe(pattern) }
        sweepTask?.cancel()
        sweepTask = Task { [weak self] in
            try? await Task.sleep(for: Self.sweepWindow)
            await self?.endSweep(patterns)
        }
    }

    private func endSweep(_ patterns: [String]) {
        sweepOwn = nil
        for pattern in patterns { try? client?.unsubscribe(pattern) }
    }

    /// How long after connecting retained topics are read back for the sweep.
    static let sweepWindow = Duration.seconds(5)

    /// A retained message on a topic the box may own: cleared when it is no longer configured.
    private func sweep(topic: String, payload: [UInt8], retained: Bool) {
        guard retained, !payload.isEmpty, let own = sweepOwn, !own.contains(topic), let client else { return }
        // Only the box's own discovery node and sensor topics reach here (the patterns say so).
        _ = try? client.publish(topic: topic, payload: [], retain: true)
        stats.clearedRetained += 1
        logger.notice("cleared the retained \(String(topic.prefix(160))): no longer configured")
    }

    private func onMessage(topic: String, payload: [UInt8], retained: Bool) {
        if sweepOwn != nil, topic.hasPrefix(topics.sensor("")) || (topic.hasPrefix("\(discovery.prefix)/") && topic.hasSuffix("/config")) {
            sweep(topic: topic, payload: payload, retained: retained)
            return
        }
        if topic == discovery.statusTopic {
            if String(decoding: payload.prefix(16), as: UTF8.self) == "online" { sendDiscovery() }
            return
        }
        if topic == topics.instance {
            noteInstance(payload)
            return
        }
        guard config.commands, topic.hasPrefix("\(topics.prefix)/cmd/") else { return }
        stats.commandsReceived += 1
        let name = String(topic.dropFirst("\(topics.prefix)/cmd/".count))
        let now = latest?.at ?? Timestamp(monotonic: .origin, wall: WallClockTime(secondsSince1970: Date().timeIntervalSince1970),
                                           wallClockSynchronized: false)
        let result: Result<CommandParser.Command, CommandRejection> = retained
            ? .failure(CommandRejection("a retained command is never applied (it would act again at every reconnect); publish commands without the retain flag, and clear the retained one with an empty retained message",
                                        code: "retained"))
            : CommandParser.parse(name: name, payload: payload, now: now)
        switch result {
        case let .failure(rejection):
            stats.rejectedCommands += 1
            // The first of each kind at once; the rest counted and reported once a minute, so a
            // flood cannot fill the journal or the outbox.
            guard rejections.record(rejection.code, now: .now) else { return }
            logger.warning("rejected MQTT command on \(String(topic.prefix(160))): \(rejection.reason)")
            notice("command-rejected", "rejected \(String(name.prefix(32))): \(rejection.reason)",
                   [("topic", .text(String(topic.prefix(160)))), ("code", .text(rejection.code)), ("reason", .text(rejection.reason)),
                    ("rejected_total", .number(Int64(stats.rejectedCommands)))])
        case let .success(command):
            stats.acceptedCommands += 1
            switch command {
            case let .acknowledge(by):
                commandSink.yield([.acknowledge(source: "mqtt" + (by.map { ":\($0)" } ?? ""))])
            case let .heatAlert(alert, until):
                commandSink.yield([.heatAlert(alert, until: until)])
                notice("command-accepted", "heat alert set to \(alert.rawValue)", [("topic", .text(topic))])
            case let .thunderAdvisory(active, until):
                commandSink.yield([.thunderAdvisory(active, until: until)])
                notice("command-accepted", "thunder advisory \(active ? "set" : "cleared")", [("topic", .text(topic))])
            case let .ping(id):
                notice("pong", "pong", [("id", .text(id))])
            }
        }
    }

    /// Another box announcing itself on this site's instance topic means two boxes are
    /// configured with the same site id: both would publish the same topics.
    private func noteInstance(_ payload: [UInt8]) {
        guard payload.count <= 256, !payload.isEmpty,
              let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
              let other = object["instance"] as? String, other != instanceID else { return }
        let text = "another box (instance \(String(other.prefix(32)))) publishes as site \(model.site.id) on this broker: two boxes configured with the same site id"
        if persistentProblems["site-conflict"] == nil {
            logger.error("\(text)")
            notice("site-conflict", text, [("other_instance", .text(String(other.prefix(32)))), ("instance", .text(instanceID))])
        }
        persistentProblems["site-conflict"] = text
        refreshProblems()
    }

    /// Logs a problem once per distinct text (retries repeat it; the log should not).
    private func report(_ text: String) {
        stats.lastError = text
        if reported.insert(text).inserted { logger.warning("\(text)") }
    }

    /// Clean shutdown: store what is pending, publish `offline` (retained), wait briefly for
    /// acknowledgements, disconnect, and checkpoint the outbox.
    public func stop() async {
        if let client, stats.connected {
            if let mid = try? client.publish(topic: topics.status, payload: Array("offline".utf8), retain: true) { inflight[mid] = 0 }
            let deadline = ContinuousClock.now + .seconds(2)
            while !inflight.isEmpty && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
                takeAcknowledgements()
            }
        }
        storageRetryAt = nil
        housekeeping(final: true)
        replayTask?.cancel()
        client?.stop()
        for task in tasks { task.cancel() }
        commandSink.finish()
        outbox.checkpoint()
    }
}

/// Rejected input reported at a bounded rate: the first of each kind at once, the rest of the
/// minute counted and reported together when the minute ends.
struct RejectionLimiter {
    /// The reporting window.
    var window = Duration.seconds(60)
    private var open: [String: (since: ContinuousClock.Instant, suppressed: Int)] = [:]

    /// Records one rejection of `code`; `true` when it is to be reported now.
    mutating func record(_ code: String, now: ContinuousClock.Instant) -> Bool {
        if var entry = open[code], now - entry.since < window {
            entry.suppressed += 1
            open[code] = entry
            return false
        }
        open[code] = (now, 0)
        return true
    }

    /// The kinds whose window ended with rejections not yet reported, and how many.
    mutating func due(now: ContinuousClock.Instant) -> [(code: String, count: Int)] {
        var result: [(String, Int)] = []
        for (code, entry) in open where now - entry.since >= window {
            if entry.suppressed > 0 { result.append((code, entry.suppressed)) }
            open[code] = nil
        }
        return result.sorted { $0.0 < $1.0 }
    }
}

/// One field of an event the publisher raises itself, in the order written.
typealias NoticeField = (key: String, value: NoticeValue)

/// The value of a notice's field.
enum NoticeValue: Sendable {
    /// Text, or `null`.
    case text(String?)
    /// A whole number.
    case number(Int64)
}
