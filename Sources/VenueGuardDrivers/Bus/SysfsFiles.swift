/// Why a sysfs file could not be read.
public enum SysfsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file or directory does not exist (device unplugged, driver not loaded).
    case missing(String)
    /// Reading failed (the driver reported an I/O error or timeout).
    case io(String, reason: String)

    public var description: String {
        switch self {
        case let .missing(path): "\(path) does not exist"
        case let .io(path, reason): "reading \(path) failed: \(reason)"
        }
    }
}

/// Read access to the kernel's sysfs tree (1-Wire, hwmon, IIO), rooted at a configurable
/// directory so tests can point it at a temporary tree.
public protocol SysfsFiles: AnyObject {
    /// The text of the file at `path` (relative to the root, e.g. `bus/w1/devices/28-…/w1_slave`).
    func read(_ path: String) throws(SysfsError) -> String
    /// The entries of the directory at `path`, sorted.
    func list(_ path: String) throws(SysfsError) -> [String]
    /// Where `path` leads once its symbolic links are followed (sysfs links a device's class
    /// entry to its place on the bus: `class/hwmon/hwmon2/device` → `…/i2c-1/1-0044`).
    func resolve(_ path: String) throws(SysfsError) -> String
}
