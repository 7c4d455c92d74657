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

extension DriverError {
    /// Runs one exchange with a chip and gives its failure as a driver error: a bus error
    /// becomes `.i2c` or `.sysfs`, a driver error passes through, anything else is invalid
    /// data. Every driver's transfers go through here, so the mapping is written once.
    public static func catching<T>(_ exchange: () throws -> T) throws(DriverError) -> T {
        do {
            return try exchange()
        } catch let error as I2CError {
            throw .i2c(error)
        } catch let error as SysfsError {
            throw .sysfs(error)
        } catch let error as DriverError {
            throw error
        } catch {
            throw .invalidData("\(error)")
        }
    }
}
