import ArgumentParser
import VenueGuardDaemon

/// `venueguard probe`: what hardware is attached, and a configuration snippet for it.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "List GPIO chips, I2C devices, 1-Wire thermometers, kernel sensors and serial devices.",
        discussion: "Safe: I2C addresses are scanned with reads only; the one write is the register pointer 0xD0 to devices at 0x76/0x77 to read a chip id (turn it off with --no-identify).")

    @Option(help: "The sysfs root.") var sysfsRoot = "/sys"
    @Option(help: "The device directory.") var devRoot = "/dev"
    @Flag(inversion: .prefixedNo, help: "Read chip ids at 0x76/0x77.") var identify = true

    func run() throws {
        let report = HardwareProbe(sysfsRoot: sysfsRoot, devRoot: devRoot, identify: identify).run()
        output(HardwareProbe.render(report))
    }
}
