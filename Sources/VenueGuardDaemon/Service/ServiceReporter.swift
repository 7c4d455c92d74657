import Foundation
import Logging
import Synchronization
import VenueGuardCore
import VenueGuardLinuxSystem
import VenueGuardTelemetry

/// Tells systemd and `venueguard status` how the daemon is doing, from one task ticking once a
/// second (four times per watchdog interval when that is shorter): `READY=1` once the first
/// sensor cycle is done and evaluated (again after a reload), `STATUS=` with a one-line summary
/// when it changes, `WATCHDOG=1` at half the watchdog interval only while the `WatchdogGate`
/// sees progress, `STOPPING=1` at the end; and the state file once a second.
public final class ServiceReporter: Sendable {
    /// Where the figures of the running configuration come from (replaced on reload).
    public struct Generation: Sendable {
        /// Payload builders for the site.
        public var payloads: TelemetryPayloads
        /// The latest status.
        public var status: @Sendable () -> VenueStatus?
        /// The MQTT figures, when MQTT is configured.
        public var mqtt: @Sendable () async -> DaemonStateDocument.MQTT?
        /// The safety memory to keep on disk, if this generation has one (the board, not a scenario).
        public var memory: (@Sendable () async -> VenueMemory)?

        /// Creates a generation.
        public init(payloads: TelemetryPayloads, status: @escaping @Sendable () -> VenueStatus?,
                    mqtt: @escaping @Sendable () async -> DaemonStateDocument.MQTT? = { nil },
                    memory: (@Sendable () async -> VenueMemory)? = nil) {
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
        var lastStateWrite: MonotonicInstant?
        var lastSummary: MonotonicInstant?
        var savedMemory: VenueMemory?
        var memoryFileFailed = false
        /// After a failed save, the next attempt waits (a full disk is not retried every second).
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
    /// Once a second, or four times per watchdog interval when that is shorter (tests).
    private var tickPeriod: Duration { min(.seconds(1), (watchdogInterval ?? .seconds(4)) / 4) }

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
        state.withLock { $0.generation = generation }
        ticker.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    await self.tick()
                    // Quick until ready, so READY=1 follows the first cycle closely; then once a
                    // second (every wake-up costs on a small board).
                    let waiting = self.state.withLock { $0.readyAfterEvaluations != nil }
                    try? await Task.sleep(for: waiting ? .milliseconds(20) : self.tickPeriod)
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
        await writeStateFile(running: false, reason: reason)
        await saveMemory(force: true)
    }

    /// Writes the safety memory when its facts changed (so a quiet day writes nothing).
    func saveMemory(force: Bool = false) async {
        // Not before the first evaluation: until then the engine has not taken back the old memory.
        guard let memoryFile, let provider = state.withLock({ $0.readyAfterEvaluations == nil ? $0.generation?.memory : nil }) else { return }
        let now = clock.monotonic
        if !force, let retryAt = state.withLock({ $0.memoryRetryAt }), now < retryAt { return }
        let memory = await provider()
        guard !memory.sameFacts(as: state.withLock({ $0.savedMemory })) else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try memoryFile.write(Array(try encoder.encode(memory)), durable: true)
            let recovered = state.withLock { state in
                defer {
                    state.savedMemory = memory
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
                    state.memoryRetryAt = now + .seconds(60)
                    state.fileProblems["memory"] = text
                }
                return !state.memoryFileFailed
            }
            if first { logger.error("\(text); retrying once a minute") }
        }
    }

    func tick() async {
        let now = clock.monotonic
        let evaluations = progress.evaluations
        let firstCycleDone = progress.firstCycleDone
        let (becameReady, generation) = state.withLock { state -> (Bool, Generation?) in
            if let threshold = state.readyAfterEvaluations, evaluations > threshold, firstCycleDone {
                state.readyAfterEvaluations = nil
                return (true, state.generation)
            }
            return (false, state.generation)
        }
        guard let generation else { return }
        let due = state.withLock { state -> (summary: Bool, file: Bool) in
            let summary = becameReady || state.lastSummary.map { now - $0 >= .seconds(5) } ?? true
            let file = state.lastStateWrite.map { now - $0 >= .milliseconds(900) } ?? true
            if summary { state.lastSummary = now }
            if file { state.lastStateWrite = now }
            return (summary, file)
        }
        if state.withLock({ $0.readyUnsent }) { sendReady(status: "ready") }
        petWatchdog(at: now)
        guard becameReady || due.summary || due.file else { return }
        let mqtt = await generation.mqtt()
        let status = generation.status()
        if becameReady {
            sendReady(status: Self.summary(status, mqtt: mqtt))
            logger.notice("monitoring: first sensor cycle evaluated")
        }
        if due.summary && !becameReady {
            let line = Self.summary(status, mqtt: mqtt)
            let changed = state.withLock { state in
                defer { state.lastStatusLine = line }
                return state.lastStatusLine != line && state.withheldBecause == nil
            }
            if changed { notifier?.send("STATUS=\(line)") }
        }
        if due.file {
            await writeStateFile(running: true, reason: nil, generation: generation, status: status, mqtt: mqtt)
            await saveMemory()
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

    private func writeStateFile(running: Bool, reason: String?, generation: Generation? = nil, status: VenueStatus? = nil,
                                mqtt: DaemonStateDocument.MQTT? = nil) async {
        guard let stateFile else { return }
        var generation = generation, status = status, mqtt = mqtt
        if generation == nil {
            generation = state.withLock { $0.generation }
            status = generation?.status()
            mqtt = await generation?.mqtt()
        }
        guard let generation else { return }
        let fileProblems = state.withLock { $0.fileProblems }
        let problems = fileProblems.keys.sorted().map { fileProblems[$0]! } + (mqtt?.problems ?? [])
        let bytes = DaemonStateDocument.encode(status: status, payloads: generation.payloads, mqtt: mqtt, pid: getpid(),
                                               configuration: configurationPath, running: running, stoppedBecause: reason,
                                               written: SystemClock.wall, boot: SystemClock.bootID.map { ($0, SystemClock.bootTimeNanoseconds) },
                                               problems: problems)
        do {
            try stateFile.write(bytes)
            state.withLock { $0.stateFileFailed = false }
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
