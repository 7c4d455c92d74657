import ArgumentParser
import Foundation
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon

/// `venueguard simulate SCENARIO --config FILE`: the pipeline over a scenario as fast as it can.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a scenario through the whole pipeline as fast as possible; one JSON line per change.",
        discussion: "Each line has t (seconds from the scenario start), status per area, heat_level, wbgt, wbgt_method, lightning, reasons, leds and buzzer. The same input gives the same bytes.")

    @Argument(help: "The scenario file (YAML).")
    var scenario: String

    @Option(name: .shortAndLong, help: "The site configuration file (YAML).")
    var config: String

    @Option(help: "Evaluate at least this often in scenario time (e.g. 1s), so timers end on time.")
    var step: String = "1s"

    func run() async throws {
        do {
            let configuration = try ConfigurationLoader.load(path: config)
            let loaded = try ScenarioLoader.load(path: scenario, configuration: configuration)
            guard let step = DurationText.parse(step), step > .zero else { fail("--step '\(self.step)' is not a positive duration") }
            await SimulationRunner.run(configuration: configuration, scenario: loaded, evaluationStep: step) { line in
                output(line + "\n")
            }
        } catch let error as ConfigError {
            fail(error.description)
        }
    }
}
