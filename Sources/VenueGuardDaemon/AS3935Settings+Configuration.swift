import VenueGuardConfiguration
import VenueGuardDrivers

extension AS3935.Settings {
    /// The driver's settings from a sensor's `lightning` block, the chip's defaults where it
    /// has none; the same for the board and for its simulated twin.
    init(configured lightning: LightningDetectorSettings?) {
        self.init()
        guard let lightning else { return }
        environment = lightning.outdoor ? .outdoor : .indoor
        noiseFloor = UInt8(lightning.noiseFloor)
        minimumStrikes = lightning.minimumStrikes
    }
}
