import ArgumentParser
import Foundation
import VenueGuardConfiguration
import VenueGuardDaemon
import VenueGuardLinuxSystem
import VenueGuardSimulation

/// `venueguard run --config FILE`: the daemon in real time.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the venue in real time and show the lamps and buzzer.",
        discussion: "With 'hardware: simulated' the sensors play the configured scenario; the panel shows exactly what a mentor would see. Without a terminal, plain lines are printed instead of the panel.")

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

    func run() async throws {
        let configuration: SiteConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: config)
        } catch let error as ConfigError {
            fail(error.description)
        }
        for warning in configuration.warnings {
            FileHandle.standardError.write(Data("venueguard: warning: \(warning)\n".utf8))
        }
        if configuration.hardware == .linux && scenario == nil {
            await runOnLinux(configuration)
            return
        }
        guard let scenarioPath = scenario ?? configuration.simulation?.scenario else {
            fail("\(config): simulated hardware needs a scenario: set simulation.scenario or pass --scenario")
        }
        let loaded: Scenario
        do {
            loaded = try ScenarioLoader.load(path: scenarioPath, configuration: configuration)
        } catch let error as ConfigError {
            fail(error.description)
        }
        let rate = speed ?? configuration.simulation?.speed ?? 1
        guard rate > 0 else { fail("--speed must be positive") }

        let stop = StopRequest()
        let handlers = SignalHandlers.install(stop)
        defer { _ = handlers }
        let renderer: SignalRenderer
        if !plain && isatty(STDOUT_FILENO) == 1 {
            renderer = TerminalPanel(title: configuration.model.site.name, utcOffsetSeconds: loaded.utcOffsetSeconds, write: output)
        } else {
            renderer = PlainSignalLog(utcOffsetSeconds: loaded.utcOffsetSeconds, write: output)
        }
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("venueguard: \($0)\n".utf8)) }
        let telemetry = makeTelemetry(configuration, log: log)
        await LiveRunner(configuration: configuration, scenario: loaded, speed: rate, exitAtEnd: exitAtEnd)
            .run(renderer: renderer, stop: stop, onStatus: { status, events in telemetry?.submit(status, events) },
                 commands: telemetry?.publisher.commands)
        await telemetry?.stop()
    }
}

extension RunCommand {
    /// The daemon on the board's real devices.
    func runOnLinux(_ configuration: SiteConfiguration) async {
        let log: @Sendable (String) -> Void = { FileHandle.standardError.write(Data("venueguard: \($0)\n".utf8)) }
        let hardware: LinuxHardware
        do {
            hardware = try LinuxHardware(configuration: configuration)
        } catch {
            fail("\(config): cannot open the signal outputs: \(error)")
        }
        let clock = SystemClock()
        let renderer: SignalRenderer = !plain && isatty(STDOUT_FILENO) == 1
            ? TerminalPanel(title: configuration.model.site.name, utcOffsetSeconds: configuration.model.site.utcOffsetSeconds, write: output)
            : PlainSignalLog(utcOffsetSeconds: configuration.model.site.utcOffsetSeconds, write: output)
        let runtime = VenueRuntime(model: configuration.model,
                                   wiring: .init(sources: hardware.sources, pushSources: hardware.pushSources, signal: hardware.signal,
                                                 renderer: renderer,
                                                 close: { hardware.close() }),
                                   clock: clock, log: log)
        hardware.connect(to: runtime, clock: clock)
        for problem in hardware.problems { log("warning: \(problem)") }
        let telemetry = makeTelemetry(configuration, log: log)
        if let telemetry {
            runtime.onStatus = { status, events in telemetry.submit(status, events) }
        }
        let commands = telemetry?.forwardCommands { await runtime.submit($0) }
        let stop = StopRequest()
        let handlers = SignalHandlers.install(stop)
        defer { _ = handlers }
        await runtime.run(stop: stop)
        commands?.cancel()
        await telemetry?.stop()
        log("stopped (\(stop.requested ?? "done")): outputs off, not monitoring")
    }
}

extension RunCommand {
    /// The MQTT publisher, when the configuration has an `mqtt` section. A publisher that
    /// cannot start (an unusable outbox) is logged and skipped: the signals run regardless.
    func makeTelemetry(_ configuration: SiteConfiguration, log: @escaping @Sendable (String) -> Void) -> TelemetryBridge? {
        guard let mqtt = configuration.mqtt else { return nil }
        do {
            return try TelemetryBridge(configuration: configuration, mqtt: mqtt, log: log)
        } catch {
            log("MQTT publishing disabled: \(error)")
            return nil
        }
    }
}
