import Foundation
import Synchronization
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardSimulation

/// A flag set from a signal handler and read by the run loop, which can also wait for it
/// without polling (a wake-up costs on a small board).
public final class StopRequest: Sendable {
    private struct State {
        var reason: String?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())
    /// Creates an unset request.
    public init() {}
    /// Asks the loop to stop, giving why (the first reason stays).
    public func request(_ why: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.reason == nil { state.reason = why }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
    /// Why a stop was asked for, if it was.
    public var requested: String? { state.withLock { $0.reason } }
    /// Returns once a stop has been requested.
    public func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.reason != nil { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}

/// Runs the venue in real time on simulated hardware: the scenario clock runs `speed` times
/// faster than real time, the outputs are drawn at 20 frames a second on the real clock.
public struct LiveRunner {
    /// The configuration.
    public var configuration: SiteConfiguration
    /// The scenario the simulated hardware plays.
    public var scenario: Scenario
    /// Scenario seconds per real second.
    public var speed: Double
    /// Stop when the scenario ends (the demo), rather than holding its last values.
    public var exitAtEnd: Bool

    /// Creates a runner.
    public init(configuration: SiteConfiguration, scenario: Scenario, speed: Double, exitAtEnd: Bool) {
        self.configuration = configuration
        self.scenario = scenario
        self.speed = speed
        self.exitAtEnd = exitAtEnd
    }

    /// Runs until the scenario ends (`exitAtEnd`) or `stop` is requested; leaves the outputs not monitoring.
    public func run(renderer: SignalRenderer, stop: StopRequest, onStatus: ((VenueStatus, [VenueEvent]) -> Void)? = nil,
                    commands: AsyncStream<[VenueInput]>? = nil, progress: RunProgress? = nil) async {
        let (pipeline, _) = SensorSourceFactory.simulatedPipeline(configuration, scenario: scenario)
        let inbox = CommandInbox()
        let listener = commands.map { stream in Task { for await inputs in stream { inbox.add(inputs) } } }
        defer { listener?.cancel() }
        let clock = ContinuousClock()
        let started = clock.now
        let frame = Duration.milliseconds(50)
        var nextFrame = started
        var reason = "scenario ended"
        while true {
            if let why = stop.requested { reason = why; break }
            let real = (clock.now - started).seconds
            var scenarioTime = Duration.seconds(fractional: real * speed)
            if scenarioTime > scenario.duration && exitAtEnd { scenarioTime = scenario.duration }
            // Accelerated, one frame spans many evaluations: keep a chirp that one of them asked for.
            var chirp: SignalIntent?
            for input in inbox.take() { pipeline.apply(input) }
            await pipeline.advance(to: .origin + scenarioTime) { status, events in
                if status.signal.buzzer != .off && !status.signal.buzzer.repeats { chirp = status.signal }
                renderer.observe(status)
                progress?.evaluated()
                onStatus?(status, events)
            }
            if var status = pipeline.latest {
                if status.signal.buzzer == .off, let chirp, chirp.buzzerGeneration == status.signal.buzzerGeneration {
                    status.signal.buzzer = chirp.buzzer
                }
                renderer.render(status, scenarioSeconds: scenarioTime.seconds, realSeconds: real)
                progress?.framed()
            }
            progress?.endFirstCycle()  // the pipeline samples every sensor on its first advance
            if exitAtEnd && scenarioTime >= scenario.duration { break }
            // A fixed cadence on the monotonic clock: frames do not drift when one runs late.
            nextFrame = nextFrame + frame
            if nextFrame < clock.now { nextFrame = clock.now }
            try? await Task.sleep(until: nextFrame, clock: clock)
        }
        renderer.shutDown(reason: reason)
    }
}

/// Commands received between frames, applied at the next one.
final class CommandInbox: Sendable {
    private let queue = Mutex<[VenueInput]>([])
    func add(_ inputs: [VenueInput]) { queue.withLock { $0 += inputs } }
    func take() -> [VenueInput] {
        queue.withLock { inputs in
            let taken = inputs
            inputs = []
            return taken
        }
    }
}
