import ArgumentParser
import Foundation

/// The `venueguard` command.
@main
struct VenueGuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venueguard",
        abstract: "Heat and lightning safety signals for regional ICT club venues.",
        discussion: """
            Reads WBGT, temperature and humidity sensors and a lightning detector, turns them into a heat level \
            and a lightning state by the club guide's rules, and drives a signal tower and buzzer. \
            See README.md for the lamp legend and the configuration reference.
            """,
        version: "0.1.0",
        subcommands: [RunCommand.self, StatusCommand.self, SimulateCommand.self, CheckConfigCommand.self, WBGTCommand.self, ProbeCommand.self])
}

/// Prints a one-line error to standard error and exits non-zero.
func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("venueguard: \(message)\n".utf8))
    exit(code)
}

/// Writes text to standard output without buffering surprises.
func output(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
