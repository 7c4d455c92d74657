import ArgumentParser
import Foundation
import Logging
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardLinuxSystem
import VenueGuardSimulation
import VenueGuardTelemetry

/// `venueguard run --config FILE`: the daemon in real time.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the venue in real time and show the lamps and buzzer.",
        discussion: """
            With 'hardware: simulated' the sensors play the configured scenario; the panel shows exactly what a mentor \
            would see. Without a terminal, plain lines are printed instead of the panel. Under systemd it reports \
            READY, STATUS and WATCHDOG on $NOTIFY_SOCKET. SIGHUP re-reads the configuration (a bad one is rejected \
            and the running one kept); SIGTERM stops with the outputs in the not-monitoring state.
            """)

    @Option(name: .shortAndLong, help: "The site configuration file (YAML).")
    var config: String

    @Option(help: "Scenario seconds per real second (simulated hardware).")
    var speed: Double?

    @Option(help: "A scenario file instead of the configuration's.")
    var scenario: String?

    @Flag(help: "Stop when the scenario ends (the demo).")
    var exitAtEnd = false

    @Flag(help: "Print plain lines even on a terminal.")
    var plain = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: "The state file for 'venueguard status' (default: $RUNTIME_DIRECTORY/state.json, else /run/venueguard/state.json when that directory exists; 'none' for none).")
    var stateFile: String?

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        if let speed, !(speed > 0 && speed <= Bounds.speed) { throw ValidationError("--speed must be above 0 and at most \(Int(Bounds.speed))") }
    }

    /// How one configuration's run ended.
    enum Outcome {
        case ended(String)
        case failedToStart(String)
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        // Priority prefixes are for journald; on a terminal they are noise.
        let prefixed = isatty(STDERR_FILENO) == 0
        let logger = Logger(label: "venueguard") { JournalLogHandler(label: $0, level: level, priorityPrefix: prefixed) }
        var configuration: SiteConfiguration
        do {
            configuration = try validated(config: config)
        } catch {
            logger.critical("\(error)")
            Foundation.exit(1)
        }
        for warning in configuration.warnings { logger.warning("\(warning)") }
        // The package's example drives GPIO lines that may be someone else's (a HAT): a box runs
        // its own site, never the example's. EX_CONFIG keeps systemd from retrying it.
        if configuration.hardware == .linux && scenario == nil && configuration.model.site.id == ExampleSite.id {
            logger.critical("\(config): this is the example site ('\(ExampleSite.id)'): describe your venue first (site id, location, the lines your lamps use), check it with 'venueguard check-config \(config)', then start again")
            Foundation.exit(ExampleSite.exitStatus)
        }

        let control = DaemonControl()
        let progress = RunProgress()
        let memoryFile = resolvedMemoryFile(logger)
        let reporter = ServiceReporter(notifier: SystemdNotifier.fromEnvironment(), watchdogInterval: SystemdNotifier.watchdogInterval(),
                                       progress: progress, stateFile: resolvedStateFile(logger), memoryFile: memoryFile,
                                       configurationPath: config, logger: logger)
        var carried = loadMemory(memoryFile, logger: logger)
        let handlers = SignalHandlers.install(control) { [self] in
            Task { reload(control: control, reporter: reporter, logger: logger) }
        }
        defer { _ = handlers }
        // Once start-up is over, the program's code pages that only start-up used go back to the
        // page cache (StartupPages): about a third of the resident size of a static binary.
        Task.detached(priority: .background) {
            try? await Task.sleep(for: .seconds(30))
            if let outcome = StartupPages.pageOut() {
                logger.debug("start-up pages: \(outcome.mappings) read-only file mapping(s), \(outcome.bytes / 1024) KiB advised MADV_PAGEOUT, \(outcome.refused) refused")
            }
        }

        var previous: SiteConfiguration?
        var reason = "done"
        while true {
            let stop = control.beginGeneration()
            switch await runGeneration(configuration, stop: stop, progress: progress, reporter: reporter, memory: &carried, logger: logger) {
            case let .failedToStart(problem):
                if let good = previous {
                    logger.error("the reloaded configuration cannot start (\(problem)); going back to the previous one")
                    configuration = good
                    previous = nil
                    continue
                }
                logger.critical("\(problem)")
                await reporter.finish(reason: problem)
                Foundation.exit(1)
            case let .ended(why):
                if why == DaemonControl.reloadReason, let next = control.takePending() {
                    previous = configuration
                    configuration = next
                    for warning in configuration.warnings { logger.warning("\(warning)") }
                    logger.notice("configuration reloaded from \(config)")
                    continue
                }
                reason = control.terminated ?? why
            }
            break
        }
        await reporter.finish(reason: reason)
        logger.notice("stopped (\(reason)): outputs off, not monitoring")
    }

    /// The configuration at `config`, with its scenario checked when it will play one.
    func validated(config: String) throws -> SiteConfiguration {
        let configuration = try ConfigurationLoader.load(path: config)
        if configuration.hardware == .simulated || scenario != nil {
            guard let path = scenario ?? configuration.simulation?.scenario else {
                throw ConfigError(file: config, line: nil, key: "simulation.scenario",
                                  message: "simulated hardware needs a scenario: set simulation.scenario or pass --scenario")
            }
            _ = try ScenarioLoader.load(path: path, configuration: configuration)
        }
        return configuration
    }

    /// SIGHUP: re-read and validate; only a good configuration replaces the running one.
    func reload(control: DaemonControl, reporter: ServiceReporter, logger: Logger) {
        logger.notice("SIGHUP: re-reading \(config)")
        do {
            let next = try validated(config: config)
            reporter.reloading()
            control.reload(with: next)
        } catch {
            logger.error("reload rejected, the running configuration stays: \(error)")
        }
    }

    func resolvedStateFile(_ logger: Logger) -> AtomicFile? {
        if let stateFile { return stateFile == "none" ? nil : AtomicFile(path: stateFile) }
        let path = AtomicFile.defaultPath
        let directory = (path as NSString).deletingLastPathComponent
        guard access(directory, W_OK) == 0 else {
            // Started from a terminal: a per-user file, so 'venueguard status' still finds it.
            if ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"] == nil, let file = AtomicFile.makeUserStateFile() {
                logger.info("state file for 'venueguard status': \(file.path) (\(directory) is not writable)")
                return file
            }
            logger.debug("no state file: \(directory) is not writable")
            return nil
        }
        return AtomicFile(path: path)
    }

    func runGeneration(_ configuration: SiteConfiguration, stop: StopRequest, progress: RunProgress, reporter: ServiceReporter,
                       memory: inout VenueMemory?, logger: Logger) async -> Outcome {
        if configuration.hardware == .linux && scenario == nil {
            return await runOnLinux(configuration, stop: stop, progress: progress, reporter: reporter, memory: &memory, logger: logger)
        }
        let loaded: Scenario
        do {
            loaded = try ScenarioLoader.load(path: scenario ?? configuration.simulation?.scenario ?? "", configuration: configuration)
        } catch {
            return .failedToStart("\(error)")
        }
        let rate = speed ?? configuration.simulation?.speed ?? 1
        if rate == 1 {
            return await runSimulatedInRealTime(configuration, scenario: loaded, stop: stop, progress: progress, reporter: reporter,
                                                logger: logger)
        }
        let renderer = makeRenderer(title: configuration.model.site.name, utcOffsetSeconds: loaded.utcOffsetSeconds,
                                    parameters: configuration.model.parameters)
        let logEvents = !(renderer is TerminalPanel)  // the panel shows them; log lines would scroll it away
        let telemetry = makeTelemetry(configuration, logger: logger)
        let latest = Mutex<VenueStatus?>(nil)
        reporter.begin(generation(configuration, telemetry: telemetry) { latest.withLock { $0 } })
        // MQTT commands and the panel's acknowledge key, into one stream of inputs.
        let (inputs, continuation) = AsyncStream<[VenueInput]>.makeStream()
        let forwarding = telemetry.map { telemetry in
            Task { for await commands in telemetry.publisher.commands { continuation.yield(commands) } }
        }
        let keys = acknowledgeKeys(renderer) { continuation.yield([.acknowledge(source: "terminal")]) }
        await LiveRunner(configuration: configuration, scenario: loaded, speed: rate, exitAtEnd: exitAtEnd)
            .run(renderer: renderer, stop: stop, onStatus: { status, events in
                latest.withLock { $0 = status }
                reporter.evaluated(status, memory: nil)
                if logEvents { for event in events { logger.log(level: event.logLevel, "\(event.summary)") } }
                telemetry?.submit(status, events)
            }, commands: inputs, progress: progress)
        keys?.stop()
        forwarding?.cancel()
        continuation.finish()
        await telemetry?.stop()
        return .ended(stop.requested ?? "scenario ended")
    }

    /// The simulated venue at real speed: the same real-time runtime as on a board (one tick for
    /// sensors of one period, frames only at pattern edges), over the register-level twins, with
    /// the scenario's events played at their times and its wall clock.
    func runSimulatedInRealTime(_ configuration: SiteConfiguration, scenario: Scenario, stop: StopRequest, progress: RunProgress,
                                reporter: ServiceReporter, logger: Logger) async -> Outcome {
        let hardware = SimulatedHardware(configuration: configuration, scenario: scenario)
        let clock = SystemClock(wallStart: scenario.start, synchronized: scenario.clockSynchronized)
        let renderer = makeRenderer(title: configuration.model.site.name, utcOffsetSeconds: scenario.utcOffsetSeconds,
                                    parameters: configuration.model.parameters)
        let runtime = VenueRuntime(model: configuration.model, wiring: .init(sources: hardware.sources, renderer: renderer),
                                   clock: clock, progress: progress, logger: logger)
        let keys = acknowledgeKeys(renderer) { Task { await runtime.submit([.acknowledge(source: "terminal")]) } }
        defer { keys?.stop() }
        let telemetry = makeTelemetry(configuration, logger: logger, flushedByCaller: true)
        if let telemetry {
            runtime.onStatus = { status, events in telemetry.submit(status, events) }
            runtime.afterEvaluation = { await telemetry.flush() }
        }
        runtime.onEvaluated = { status, _ in reporter.evaluated(status, memory: nil) }
        let commands = telemetry?.forwardCommands { await runtime.submit($0) }
        // A scenario takes no official inputs: the live daemon's socket stays its own.
        // A scenario keeps no safety memory: it is not a venue's afternoon.
        reporter.begin(generation(configuration, telemetry: telemetry) { runtime.status })
        let player = Task { await ScenarioPlayer(scenario: scenario, hardware: hardware).play(into: runtime, stop: stop, exitAtEnd: exitAtEnd) }
        await runtime.run(stop: stop)
        player.cancel()
        commands?.cancel()
        await telemetry?.stop()
        return .ended(stop.requested ?? "scenario ended")
    }

    /// The daemon on the board's real devices.
    func runOnLinux(_ configuration: SiteConfiguration, stop: StopRequest, progress: RunProgress, reporter: ServiceReporter,
                    memory: inout VenueMemory?, logger: Logger) async -> Outcome {
        let hardware: LinuxHardware
        do {
            hardware = try LinuxHardware(configuration: configuration)
        } catch {
            return .failedToStart("\(configuration.file): cannot open the signal outputs: \(error)")
        }
        let clock = SystemClock()
        let renderer = makeRenderer(title: configuration.model.site.name, utcOffsetSeconds: configuration.model.site.utcOffsetSeconds,
                                    parameters: configuration.model.parameters)
        // The official sources are expected from the companion service only on the board (a
        // scenario run takes no official inputs).
        var configuration = configuration
        configuration.model.officialSources = configuration.official?.sources ?? []
        configuration.model.estimateComparison = configuration.official?.estimateComparison
        let runtime = VenueRuntime(model: configuration.model,
                                   wiring: .init(sources: hardware.sources, pushSources: hardware.pushSources, signal: hardware.signal,
                                                 renderer: renderer, close: { hardware.close() }),
                                   clock: clock, progress: progress, logger: logger)
        hardware.connect(to: runtime, clock: clock)
        let keys = acknowledgeKeys(renderer) { Task { await runtime.submit([.acknowledge(source: "terminal")]) } }
        defer { keys?.stop() }
        for problem in hardware.problems { logger.warning("\(problem)") }
        let telemetry = makeTelemetry(configuration, logger: logger, flushedByCaller: true)
        if let telemetry {
            runtime.onStatus = { status, events in telemetry.submit(status, events) }
            runtime.afterEvaluation = { await telemetry.flush() }
        }
        let commands = telemetry?.forwardCommands { await runtime.submit($0) }
        let companion = openCompanionChannel(configuration, clock: clock, runtime: runtime, logger: logger)
        defer { companion?.stop() }
        runtime.restoring = memory
        runtime.keepsMemory = true
        runtime.onEvaluated = { status, memory in reporter.evaluated(status, memory: memory) }
        var generation = generation(configuration, telemetry: telemetry) { runtime.status }
        generation.memory = { await runtime.memory() }
        reporter.begin(generation)
        await runtime.run(stop: stop)
        // A reload carries the 30-minute rule, the alerts and the held levels over.
        memory = await runtime.memory()
        commands?.cancel()
        await telemetry?.stop()
        return .ended(stop.requested ?? "done")
    }

    /// The companion service's channel (`companion.sock` beside the state file), when the site
    /// has an `official:` section. The daemon runs without it if it cannot be made.
    func openCompanionChannel(_ configuration: SiteConfiguration, clock: SystemClock, runtime: VenueRuntime,
                              logger: Logger) -> CompanionChannel? {
        guard configuration.official != nil else { return nil }
        let statePath = stateFile.flatMap { $0 == "none" ? nil : $0 } ?? AtomicFile.defaultPath
        let path = (statePath as NSString).deletingLastPathComponent + "/companion.sock"
        do {
            let channel = try CompanionChannel(path: path, logger: logger, now: { clock.now }) { await runtime.submit($0) }
            logger.info("official alerts and advisories from the companion service are taken on \(path)")
            return channel
        } catch {
            logger.warning("no channel for the companion service: \(error); official alerts reach the box only by MQTT commands")
            return nil
        }
    }

    func resolvedMemoryFile(_ logger: Logger) -> AtomicFile? {
        let file = AtomicFile(path: AtomicFile.defaultMemoryPath, mode: 0o600)
        guard file.directoryIsWritable else {
            logger.debug("no safety memory: \((file.path as NSString).deletingLastPathComponent) is not writable")
            return nil
        }
        return file
    }

    /// The safety memory the previous run left, if any. A damaged file is set aside, not trusted.
    func loadMemory(_ file: AtomicFile?, logger: Logger) -> VenueMemory? {
        guard let file, let data = file.read() else { return nil }
        guard let memory = try? JSONDecoder().decode(VenueMemory.self, from: data) else {
            logger.error("\(file.path) is damaged; starting without the previous run's lightning and heat memory")
            rename(file.path, file.path + ".damaged")
            return nil
        }
        var held: [String] = []
        if let strike = memory.dangerStrike ?? memory.watchStrike { held.append("a strike \(NumberText.format(strike.kilometres)) km away") }
        if memory.heatAlert != "none" { held.append("heat alert \(memory.heatAlert)") }
        if memory.thunderAdvisory { held.append("thunder advisory") }
        if !memory.levels.isEmpty { held.append("levels " + memory.levels.keys.sorted().map { "\($0) \(memory.levels[$0]!.level)" }.joined(separator: ", ")) }
        if !held.isEmpty { logger.notice("taking back what the previous run knew: \(held.joined(separator: "; "))") }
        return memory
    }

    func makeRenderer(title: String, utcOffsetSeconds: Int, parameters: SafetyParameters) -> SignalRenderer {
        !plain && isatty(STDOUT_FILENO) == 1
            ? TerminalPanel(title: title, utcOffsetSeconds: utcOffsetSeconds, parameters: parameters,
                            acknowledgeKey: isatty(STDIN_FILENO) == 1, write: output)
            : PlainSignalLog(utcOffsetSeconds: utcOffsetSeconds, write: output)
    }

    /// With the panel in a terminal, the `a` key acknowledges the alarm (as the button does);
    /// `nil` otherwise. The caller stops it, which puts the terminal back.
    func acknowledgeKeys(_ renderer: SignalRenderer, _ acknowledge: @escaping @Sendable () -> Void) -> TerminalKeys? {
        guard renderer is TerminalPanel else { return nil }
        return TerminalKeys.start { key in
            if key == UInt8(ascii: "a") || key == UInt8(ascii: "A") { acknowledge() }
        }
    }

    func generation(_ configuration: SiteConfiguration, telemetry: TelemetryBridge?,
                    status: @escaping @Sendable () -> VenueStatus?) -> ServiceReporter.Generation {
        let payloads = TelemetryPayloads(site: configuration.model.site.id, utcOffsetSeconds: configuration.model.site.utcOffsetSeconds)
        let facts = DaemonStateDocument.siteFacts(configuration.model)
        guard let telemetry, let mqtt = configuration.mqtt else { return .init(payloads: payloads, status: status, siteFacts: facts) }
        let broker = "\(mqtt.host):\(mqtt.port)"
        let publisher = telemetry.publisher
        return .init(payloads: payloads, status: status, mqtt: {
            let (stats, sensorPayloads) = publisher.snapshot()
            return DaemonStateDocument.MQTT(broker: broker, connected: stats.connected, backlog: stats.backlog,
                                            dropped: stats.dropped + stats.droppedUnstored, lastError: stats.lastError, problems: stats.problems,
                                            sensorPayloads: sensorPayloads)
        }, siteFacts: facts)
    }

    /// The MQTT publisher, when the configuration has an `mqtt` section. A publisher that
    /// cannot start (an unusable outbox) is logged and skipped: the signals run regardless.
    func makeTelemetry(_ configuration: SiteConfiguration, logger: Logger, flushedByCaller: Bool = false) -> TelemetryBridge? {
        guard let mqtt = configuration.mqtt else { return nil }
        do {
            return try TelemetryBridge(configuration: configuration, mqtt: mqtt, logger: logger, flushedByCaller: flushedByCaller)
        } catch {
            logger.error("MQTT publishing disabled: \(error)")
            return nil
        }
    }
}
