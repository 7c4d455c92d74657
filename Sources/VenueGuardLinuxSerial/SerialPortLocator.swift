import Glibc

/// Finds a serial device by a stable path, a glob (`/dev/serial/by-id/usb-*micro*bit*`,
/// `/dev/ttyACM*`) or a USB vendor/product id (read from sysfs), each time it is looked for,
/// so a board that comes back under another name is found again.
public struct SerialPortLocator: Sendable, Hashable, CustomStringConvertible {
    /// How the device is named.
    public enum Spec: Sendable, Hashable {
        /// A path, possibly with glob characters.
        case path(String)
        /// A USB vendor and product id.
        case usb(vendor: UInt16, product: UInt16)
    }

    /// The name.
    public let spec: Spec
    /// The sysfs root (for USB ids) and the device directory.
    public let sysfsRoot: String
    public let devRoot: String

    /// Creates a locator.
    public init(spec: Spec, sysfsRoot: String = "/sys", devRoot: String = "/dev") {
        self.spec = spec
        self.sysfsRoot = sysfsRoot
        self.devRoot = devRoot
    }

    public var description: String {
        switch spec {
        case let .path(path): path
        case let .usb(vendor, product): "USB \(Self.hex(vendor)):\(Self.hex(product))"
        }
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The device path now, if the device is present (the first match, sorted, for a glob).
    public func locate() -> String? {
        switch spec {
        case let .path(pattern):
            return Self.glob(pattern).first
        case let .usb(vendor, product):
            for name in Self.list("\(sysfsRoot)/class/tty") {
                var directory = Self.realPath("\(sysfsRoot)/class/tty/\(name)/device")
                // The tty's device is the USB interface; the ids are on the device above it.
                for _ in 0..<4 {
                    guard let dir = directory else { break }
                    if let v = Self.readHex("\(dir)/idVendor"), let p = Self.readHex("\(dir)/idProduct") {
                        if v == vendor && p == product { return "\(devRoot)/\(name)" }
                        break
                    }
                    directory = Self.parent(dir)
                }
            }
            return nil
        }
    }

    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }

    static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func parent(_ path: String) -> String? {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return nil }
        return String(path[..<slash])
    }

    static func readHex(_ path: String) -> UInt16? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).filter { $0.isHexDigit }
        return UInt16(text, radix: 16)
    }
}
