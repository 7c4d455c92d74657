import Foundation
import Logging
import Synchronization
import VenueGuardCore
import VenueGuardLinuxSystem
import VenueGuardTelemetry

/// Tells systemd and `venueguard status` how the daemon is doing. After every evaluation
/// (`evaluated`, called in evaluation order): `READY=1` once the first sensor cycle is done
/// and evaluated (again after a reload), `STATUS=` with a one-line summary when it changes (at
/// most every 5 s), the state file at once when what it says changed (a level, the lamps,
/// lightning, an alert, a sensor's health, MQTT's connection or problems), the safety memory
/// when its facts changed. On a slow heartbeat of its own (5 s, or a quarter of the watchdog
/// interval when that is shorter): `WATCHDOG=1` at half the watchdog interval only while the
/// `WatchdogGate` sees progress, and the state file rewritten with the latest values, so its
/// age shows the daemon is alive and its numbers are at most 5 s old.
/// `STOPPING=1` at the end. Nothing here wakes once a second on its own.
public final class ServiceReporter: Sendable {
    /// Where the figures of the running configuration come from (replaced on reload).
    public struct Generation: Sendable {
        /// Payload builders for the site.
        public var payloads: TelemetryPayloads
        /// The latest status.
        public var status: @Sendable () -> VenueStatus?
        /// The MQTT figures and latest payloads, when MQTT is configured (never waits).
        public var mqtt: @Sendable () -> DaemonStateDocument.MQTT?
        /// The safety memory to keep on disk at the end, if this generation has one (the board).
        public var memory: (@Sendable () async -> VenueMemory)?
        /// The site's name, thresholds and lightning radii for the state file
        /// (`DaemonStateDocument.siteFacts`), encoded once per generation.
        public var siteFacts: [UInt8]?

        /// Creates a generation.
        public init(payloads: TelemetryPayloads, status: @escaping @Sendable () -> VenueStatus?,
                    mqtt: @escaping @Sendable () -> DaemonStateDocument.MQTT? = { nil },
                    memory: (@Sendable () async -> VenueMemory)? = nil, siteFacts: [UInt8]? = nil) {
            self.siteFacts = siteFacts
            self.payloads = payloads
            self.status = status
            self.mqtt = mqtt
            self.memory = memory
        }
    }

    private struct State {
        var generation: Generation?
        var readyAfterEvaluations: Int?  // READY=1 once evaluations exceed this
        var readyUnsent = false  // READY=1 was due but the socket refused it: resend each tick
        var lastStatusLine: String?
        var gate: WatchdogGate
        var lastWatchdogCheck: MonotonicInstant?
        var withheldBecause: String?
        var stateFileFailed = false
        /// What the state file last said that is written at once when it changes, and when.
        var lastSignificant: StateFileSignificance?
        var lastStateWrite: MonotonicInstant?
        /// A write of the state file is under way (the heartbeat and an evaluation never both write).
        var writingStateFile = false
        /// Payloads encoded here (no MQTT), by sensor, with what they were made from.
        var sensorPayloads: [SensorID: (SensorPayloadSignature, [UInt8])] = [:]
        var lastSummary: MonotonicInstant?
        var savedMemory: VenueMemory?
        var memoryFileFailed = false
        /// A memory that could not be saved, retried after `memoryRetryAt` (a full disk is not
        /// retried every second).
        var pendingMemory: VenueMemory?
        var memoryRetryAt: MonotonicInstant?
        /// Lasting problems of the files this reporter writes, for the state file.
        var fileProblems: [String: String] = [:]
    }

    private let notifier: SystemdNotifier?
    private let watchdogInterval: Duration?
    private let progress: RunProgress
    private let clock: SystemClock
    private let stateFile: AtomicFile?
    private let memoryFile: AtomicFile?
    private let configurationPath: String
    private let logger: Logger
    private let state: Mutex<State>
    private let ticker = Mutex<Task<Void, Never>?>(nil)
    /// The state file is rewritten at least this often, so its age tells a live daemon from a dead one.
    public static let heartbeat = Duration.seconds(5)
    /// The heartbeat, or a quarter of the watchdog interval when that is shorter (tests).
    private var tickPeriod: Duration { min(Self.heartbeat, (watchdogInterval ?? .seconds(20)) / 4) }

    /// A reporter; `notifier` and `watchdogInterval` come from the environment systemd sets.
    public init(notifier: SystemdNotifier?, watchdogInterval: Duration?, progress: RunProgress, clock: SystemClock = SystemClock(),
                stateFile: AtomicFile?, memoryFile: AtomicFile? = nil, configurationPath: String, readLimit: Duration = .seconds(30),
                logger: Logger) {
        self.notifier = notifier
        self.watchdogInterval = watchdogInterval
        self.progress = progress
        self.clock = clock
        self.stateFile = stateFile
        self.memoryFile = memoryFile
        self.configurationPath = configurationPath
        self.logger = logger
        state = Mutex(State(readyAfterEvaluations: 0, gate: WatchdogGate(readLimit: readLimit)))
    }

    /// Starts reporting on `generation` (the first, or the one after a reload).
    public func begin(_ generation: Generation) {
        state.withLock { state in
            state.generation = generation
            state.sensorPayloads = [:]
        }
        ticker.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    self.tick()
                    // Quick until ready when no evaluation will say so (a first cycle that ends
                    // by its time limit); then the heartbeat.
                    let waiting = self.state.withLock { $0.readyAfterEvaluations != nil }
                    try? await Task.sleep(for: waiting ? .milliseconds(50) : self.tickPeriod)
                }
            }
        }
    }

    /// A reload has begun: `READY=1` again once the new configuration has evaluated.
    public func reloading() {
        progress.resetFirstCycle()
        let evaluations = progress.evaluations
        state.withLock { $0.readyAfterEvaluations = evaluations }
        notifier?.send("RELOADING=1")
    }

    /// Stops reporting: `STOPPING=1`, and a last state file saying why the daemon stopped.
    public func finish(reason: String) async {
        notifier?.send("STOPPING=1\nSTATUS=stopping: \(reason)")
        let task = ticker.withLock { task in defer { task = nil }; return task }
        task?.cancel()
        await task?.value
        let generation = state.withLock { $0.generation }
        writeStateFile(running: false, reason: reason, status: generation?.status(), force: true)
        if let provider = state.withLock({ $0.readyAfterEvaluations == nil ? $0.generation?.memory : nil }) {
            // Not before the first evaluation: until then the engine has not taken back the old memory.
            saveMemory(await provider(), force: true)
        }
    }

    /// One evaluation is done (called in evaluation order, so never twice at once): readiness,
    /// the summary, the state file when it changed, and `memory` (given when its facts
    /// changed) to disk.
    public func evaluated(_ status: VenueStatus, memory: VenueMemory?) {
        let now = clock.monotonic
        checkReady(status: status)
        summarise(status: status, at: now)
        if let memory {
            saveMemory(memory)
        } else if let pending = state.withLock({ state in state.memoryRetryAt.map { now >= $0 } == true ? state.pendingMemory : nil }) {
            saveMemory(pending)
        }
        writeStateFile(running: true, reason: nil, status: status)
    }

    /// The heartbeat: the watchdog, a `READY=1` that could not be sent, and the state file
    /// when no evaluation has written it lately.
    func tick() {
        let now = clock.monotonic
        if state.withLock({ $0.readyUnsent }) { sendReady(status: "ready") }
        let status = state.withLock { $0.generation }?.status()
        checkReady(status: status)
        petWatchdog(at: now)
        let stale = state.withLock { state in state.lastStateWrite.map { now - $0 >= Self.heartbeat - .milliseconds(100) } ?? true }
        if stale { writeStateFile(running: true, reason: nil, status: status, force: true) }
    }

    private func checkReady(status: VenueStatus?) {
        let evaluations = progress.evaluations
        let firstCycleDone = progress.firstCycleDone
        let becameReady = state.withLock { state -> Bool in
            guard let threshold = state.readyAfterEvaluations, evaluations > threshold, firstCycleDone, state.generation != nil else { return false }
            state.readyAfterEvaluations = nil
            return true
        }
        guard becameReady else { return }
        let mqtt = state.withLock { $0.generation }?.mqtt()
        sendReady(status: Self.summary(status, mqtt: mqtt))
        logger.notice("monitoring: first sensor cycle evaluated")
    }

    /// `STATUS=` when the summary changed, looked at every 5 s at most.
    private func summarise(status: VenueStatus, at now: MonotonicInstant) {
        let due = state.withLock { state -> Bool in
            guard state.readyAfterEvaluations == nil, state.lastSummary.map({ now - $0 >= .seconds(5) }) ?? true else { return false }
            state.lastSummary = now
            return true
        }
        guard due else { return }
        let line = Self.summary(status, mqtt: state.withLock { $0.generation }?.mqtt())
        let changed = state.withLock { state in
            defer { state.lastStatusLine = line }
            return state.lastStatusLine != line && state.withheldBecause == nil
        }
        if changed { notifier?.send("STATUS=\(line)") }
    }

    /// Writes the safety memory (durably); on failure keeps it for a retry a minute later.
    private func saveMemory(_ memory: VenueMemory, force: Bool = false) {
        guard let memoryFile else { return }
        let now = clock.monotonic
        let skip = state.withLock { state -> Bool in
            if memory.sameFacts(as: state.savedMemory) {
                state.pendingMemory = nil
                return true
            }
            if !force, let retryAt = state.memoryRetryAt, now < retryAt {
                state.pendingMemory = memory
                return true
            }
            return false
        }
        guard !skip else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try memoryFile.write(Array(try encoder.encode(memory)), durable: true)
            let recovered = state.withLock { state in
                defer {
                    state.savedMemory = memory
                    state.pendingMemory = nil
                    state.memoryFileFailed = false
                    state.memoryRetryAt = nil
                    state.fileProblems["memory"] = nil
                }
                return state.memoryFileFailed
            }
            if recovered { logger.notice("the safety memory can be saved again") }
        } catch {
            let full = (error as? AtomicFileError)?.errno == ENOSPC
            let text = "\(full ? "storage full: " : "")cannot save the safety memory (\(error))"
            let first = state.withLock { state in
                defer {
                    state.memoryFileFailed = true
                    state.pendingMemory = memory
                    state.memoryRetryAt = now + .seconds(60)
                    state.fileProblems["memory"] = text
                }
                return !state.memoryFileFailed
            }
            if first { logger.error("\(text); retrying once a minute") }
        }
    }

    /// `READY=1`, retried on later ticks if the notify socket's queue is full (systemd busy):
    /// a lost READY would have systemd kill a healthy daemon at the start timeout.
    private func sendReady(status: String) {
        guard let notifier else { return }
        let sent = notifier.send("READY=1\nSTATUS=\(status)")
        let firstFailure = state.withLock { state in
            defer { state.readyUnsent = !sent }
            return !sent && !state.readyUnsent
        }
        if firstFailure { logger.warning("systemd's notify socket refused READY=1; retrying every tick") }
    }

    private func petWatchdog(at now: MonotonicInstant) {
        guard let interval = watchdogInterval, let notifier else { return }
        let snapshot = progress.snapshot(at: now)
        let verdict: WatchdogGate.Verdict? = state.withLock { state in
            if state.readyAfterEvaluations != nil { return nil }  // not ready yet (or reloading)
            if let last = state.lastWatchdogCheck, now - last < interval / 2 { return nil }
            state.lastWatchdogCheck = now
            return state.gate.check(snapshot)
        }
        switch verdict {
        case nil:
            break
        case .alive?:
            notifier.send("WATCHDOG=1")
            let recovered = state.withLock { state in defer { state.withheldBecause = nil }; return state.withheldBecause != nil }
            if recovered { logger.notice("watchdog: progressing again") }
        case let .stalled(reason)?:
            let first = state.withLock { state in defer { state.withheldBecause = reason }; return state.withheldBecause != reason }
            if first {
                logger.error("watchdog: not pinging systemd: \(reason)")
                notifier.send("STATUS=stalled: \(reason)")
            }
        }
    }

    /// Writes the state file when what it says changed since the last write (values alone
    /// wait for the heartbeat), or when `force` (the heartbeat, the final write). Sensor
    /// payloads come from MQTT when it published them, else are encoded here once per reading.
    private func writeStateFile(running: Bool, reason: String?, status: VenueStatus?, force: Bool = false) {
        guard let stateFile else { return }
        let mqttNow = state.withLock { $0.generation }?.mqtt()
        let significance = StateFileSignificance(status: status, mqtt: mqttNow, running: running)
        let claimed = state.withLock { state -> Bool in
            guard !state.writingStateFile, state.generation != nil else { return false }
            guard force || state.lastSignificant != significance else { return false }
            state.writingStateFile = true
            return true
        }
        guard claimed else { return }
        defer { state.withLock { $0.writingStateFile = false } }
        let (generation, fileProblems, cached) = state.withLock { ($0.generation!, $0.fileProblems, $0.sensorPayloads) }
        let mqtt = mqttNow
        let problems = fileProblems.keys.sorted().map { fileProblems[$0]! } + (mqtt?.problems ?? [])
        var made: [SensorID: (SensorPayloadSignature, [UInt8])] = [:]
        let body = DaemonStateDocument.body(status: status, payloads: generation.payloads, mqtt: mqtt, pid: getpid(),
                                            configuration: configurationPath, running: running, stoppedBecause: reason,
                                            problems: problems, siteFacts: generation.siteFacts) { sensor in
            if let published = mqtt?.sensorPayloads[sensor.descriptor.id] { return published }
            let signature = SensorPayloadSignature(sensor)
            if let (made, bytes) = cached[sensor.descriptor.id], made == signature { return bytes }
            let bytes = generation.payloads.sensor(sensor, at: status!.at, seq: 0)
            made[sensor.descriptor.id] = (signature, bytes)
            return bytes
        }
        let now = clock.monotonic
        state.withLock { state in for (id, entry) in made { state.sensorPayloads[id] = entry } }
        let bytes = DaemonStateDocument.stamped(body, payloads: generation.payloads, written: SystemClock.wall,
                                                boot: SystemClock.bootID.map { ($0, SystemClock.bootTimeNanoseconds) })
        do {
            try stateFile.write(bytes)
            state.withLock { state in
                state.stateFileFailed = false
                state.lastSignificant = significance
                state.lastStateWrite = now
            }
        } catch {
            let first = state.withLock { state in defer { state.stateFileFailed = true }; return !state.stateFileFailed }
            if first { logger.warning("cannot write the state file: \(error)") }
        }
    }

    /// The one-line summary for `STATUS=`.
    public static func summary(_ status: VenueStatus?, mqtt: DaemonStateDocument.MQTT?) -> String {
        guard let status else { return "starting" }
        var parts = ["\(status.overall.rawValue)"]
        let areas = status.areas.map { area -> String in
            if let wbgt = area.estimate?.wbgt { return "\(area.id) \(area.status.rawValue) \(NumberText.format((wbgt * 10).rounded() / 10))°C" }
            return "\(area.id) \(area.status.rawValue)"
        }
        parts.append(areas.joined(separator: ", "))
        parts.append("lightning \(status.lightning.rawValue)")
        let faulted = status.sensors.filter { $0.health != .ok }.count
        parts.append("sensors \(status.sensors.count - faulted) ok\(faulted > 0 ? ", \(faulted) not ok" : "")")
        if let mqtt {
            parts.append("MQTT \(mqtt.connected ? "connected" : "disconnected"), backlog \(mqtt.backlog)")
        }
        return parts.joined(separator: " · ")
    }
}

/// What the state file says that is written at once when it changes: the levels, the lamps
/// and buzzer, lightning, the alerts, each sensor's health, MQTT's connection and problems.
/// Numbers alone (a reading a tenth of a degree up) wait for the heartbeat.
struct StateFileSignificance: Equatable {
    struct Area: Equatable {
        var status: SafetyStatus
        var level: SafetyStatus
        var method: WBGTMethod?
    }
    var running: Bool
    var overall: SafetyStatus?
    var lightning: LightningState?
    var heatAlert: HeatAlert?
    var thunderAdvisory: Bool?
    var signal: SignalIntent?
    var areas: [Area]
    var sensors: [SensorHealth]
    var suspect: Int
    var mqttConnected: Bool?
    var mqttProblems: [String]
    var mqttError: String?

    init(status: VenueStatus?, mqtt: DaemonStateDocument.MQTT?, running: Bool) {
        self.running = running
        overall = status?.overall
        lightning = status?.lightning
        heatAlert = status?.heatAlert
        thunderAdvisory = status?.thunderAdvisory
        signal = status?.signal
        areas = status?.areas.map { Area(status: $0.status, level: $0.heatLevel, method: $0.estimate?.method) } ?? []
        sensors = status?.sensors.map(\.health) ?? []
        suspect = status?.sensors.reduce(0) { $0 + $1.suspect.count } ?? 0
        mqttConnected = mqtt?.connected
        mqttProblems = mqtt?.problems ?? []
        mqttError = mqtt?.lastError
    }
}
