import VenueGuardCore

/// Why a driver could not produce a measurement.
public enum DriverError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bus transfer failed.
    case i2c(I2CError)
    /// A checksum did not match.
    case crcMismatch
    /// The device at the address is not the configured chip.
    case wrongChip(String)
    /// The chip did not finish its conversion in time.
    case notReady
    /// A sysfs read failed.
    case sysfs(SysfsError)
    /// The chip reported its power-on default instead of a measurement.
    case powerOnValue(Double)
    /// The data made no sense (described).
    case invalidData(String)

    /// The fault the safety logic records.
    public var faultReason: FaultReason {
        switch self {
        case .i2c(.noAcknowledge): .noResponse
        case .i2c(.timeout): .timeout
        case let .i2c(.bus(why)): .other("I2C bus error: \(why)")
        case .crcMismatch: .crcMismatch
        case let .wrongChip(why): .initialisation(why)
        case .notReady: .timeout
        case .sysfs(.missing): .unplugged
        case let .sysfs(.io(_, reason)) where reason.contains("timed out"): .timeout
        case let .sysfs(.io(_, reason)): .other("read failed: \(reason)")
        case let .powerOnValue(value): .powerOnValue(value)
        case let .invalidData(why): .other(why)
        }
    }

    public var description: String { faultReason.description }
}

/// One measurement from a driver: values in canonical units and the raw data they came from
/// (for stuck detection).
public struct ChipMeasurement: Hashable, Sendable {
    /// The values.
    public var values: [Quantity: Double]
    /// The raw words, for detecting a stuck chip.
    public var fingerprint: [UInt32]
    /// How the values were obtained.
    public var origin: ReadingOrigin

    /// Creates a measurement.
    public init(values: [Quantity: Double], fingerprint: [UInt32], origin: ReadingOrigin = .measured) {
        self.values = values
        self.fingerprint = fingerprint
        self.origin = origin
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
