import Glibc
import VenueGuardDrivers

/// The kernel's sysfs tree, read with plain POSIX calls from a configurable root (`/sys` on a
/// board; a temporary directory in tests).
public final class LinuxSysfs: SysfsFiles, @unchecked Sendable {
    /// The root directory.
    public let root: String

    /// A reader rooted at `root`.
    public init(root: String = "/sys") {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    private func full(_ path: String) -> String { "\(root)/\(path)" }

    public func read(_ path: String) throws(SysfsError) -> String {
        let fd = open(full(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == ENODEV { throw .missing(path) }
            throw .io(path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                // A 1-Wire or DHT read that fails reports EIO/ETIMEDOUT here; a vanished device ENODEV.
                if errno == ENODEV || errno == ENOENT { throw .missing(path) }
                throw .io(path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > 1 << 16 { break }  // sysfs attributes are small; never buffer without bound
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func resolve(_ path: String) throws(SysfsError) -> String {
        guard let resolved = realpath(full(path), nil) else {
            if errno == ENOENT || errno == ENOTDIR { throw .missing(path) }
            throw .io(path, reason: String(cString: strerror(errno)))
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func list(_ path: String) throws(SysfsError) -> [String] {
        guard let directory = opendir(full(path)) else {
            if errno == ENOENT || errno == ENOTDIR { throw .missing(path) }
            throw .io(path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
