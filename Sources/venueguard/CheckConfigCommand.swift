import ArgumentParser
import Foundation
import VenueGuardConfiguration

/// `venueguard check-config FILE`: print the effective configuration, or the first error.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Check a site file and print the effective configuration (standard → region → site).")

    @Argument(help: "The site configuration file (YAML).")
    var file: String

    @Flag(help: "Print nothing on success; only errors and warnings.")
    var quiet = false

    func run() throws {
        let configuration: SiteConfiguration
        do {
            configuration = try ConfigurationLoader.load(path: file)
        } catch let error as ConfigError {
            fail(error.description)
        }
        if let simulation = configuration.simulation {
            do {
                _ = try ScenarioLoader.load(path: simulation.scenario, configuration: configuration)
            } catch let error as ConfigError {
                fail(error.description)
            }
        }
        for warning in configuration.warnings {
            FileHandle.standardError.write(Data("venueguard: warning: \(warning)\n".utf8))
        }
        if !quiet { output(EffectiveConfigurationPrinter.render(configuration)) }
    }
}
