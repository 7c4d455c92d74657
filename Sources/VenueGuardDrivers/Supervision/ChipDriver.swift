import VenueGuardCore

/// One measurement from a driver: values in canonical units and the raw data they came from
/// (for stuck detection).
public struct ChipMeasurement: Hashable, Sendable {
    /// The values.
    public var values: [Quantity: Double]
    /// The raw words, for detecting a stuck chip.
    public var fingerprint: [UInt32]
    /// How the values were obtained.
    public var origin: ReadingOrigin
    /// What only the chip knows: values on its clamp, its resolution, remarks.
    public var details: SampleDetails

    /// Creates a measurement.
    public init(values: [Quantity: Double], fingerprint: [UInt32], origin: ReadingOrigin = .measured, details: SampleDetails = .none) {
        self.values = values
        self.fingerprint = fingerprint
        self.origin = origin
        self.details = details
    }
}

/// A chip driver: sets the chip up, measures, and tries to recover after an error. Calls
/// block (bus transfers and conversion delays) and are made from one context at a time.
public protocol ChipDriver: AnyObject {
    /// Checks the chip is what the configuration says and configures it. Called before the
    /// first measurement and again after any error or power cycle.
    func initialise() throws(DriverError)
    /// Takes one measurement.
    func measure() throws(DriverError) -> ChipMeasurement
    /// Best-effort recovery after an error (a soft reset); failures are ignored.
    func recover()
}
