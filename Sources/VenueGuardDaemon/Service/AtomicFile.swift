import Foundation

/// A file replaced whole: each write goes to a temporary file renamed over the old one, so a
/// reader never sees half a file. A durable write also syncs the file and its directory, so
/// after a power cut the file is either the old one or the new one. Used for the state file
/// `venueguard status` reads (in the runtime directory, world-readable, never synced: it is
/// on a RAM disk) and for the safety memory (in the state directory, synced).
public struct AtomicFile: Sendable {
    /// The file's path.
    public let path: String
    /// The permission bits of the file, whatever the umask.
    public let mode: mode_t

    /// A file at `path` with `mode`.
    public init(path: String, mode: mode_t = 0o644) {
        self.path = path
        self.mode = mode
    }

    /// The state file's default path: `$RUNTIME_DIRECTORY/state.json` under systemd, else `/run/venueguard/state.json`.
    public static var defaultPath: String { directory("RUNTIME_DIRECTORY", fallback: "/run/venueguard") + "/state.json" }

    /// Where a daemon started from a terminal (no `/run/venueguard`, no systemd) keeps its state
    /// file, so that `venueguard status` by the same user finds it: `$XDG_RUNTIME_DIR/venueguard`,
    /// else `/tmp/venueguard-<uid>`.
    public static var userStatePath: String {
        let base = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        return (base.map { "\($0)/venueguard" } ?? "/tmp/venueguard-\(getuid())") + "/state.json"
    }

    /// Makes `userStatePath`'s directory (mode 0700) and checks it is a real directory owned by
    /// this user (in `/tmp` another user could have made it first); `nil` when it cannot be used.
    public static func makeUserStateFile() -> AtomicFile? {
        let directory = (userStatePath as NSString).deletingLastPathComponent
        if mkdir(directory, 0o700) != 0 && errno != EEXIST { return nil }
        var info = stat()
        guard lstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
              info.st_mode & 0o022 == 0 else { return nil }
        return AtomicFile(path: userStatePath)
    }

    /// The state file `status` reads when none is named: the service's, else (when the service's
    /// is absent) the one a daemon started from a terminal by this user keeps.
    public static var statusPath: String {
        let service = defaultPath
        if ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"] == nil, access(service, F_OK) != 0, access(userStatePath, R_OK) == 0 {
            return userStatePath
        }
        return service
    }

    /// The safety memory's default path: `$STATE_DIRECTORY/memory.json` under systemd, else `/var/lib/venueguard/memory.json`.
    public static var defaultMemoryPath: String { directory("STATE_DIRECTORY", fallback: "/var/lib/venueguard") + "/memory.json" }

    private static func directory(_ variable: String, fallback: String) -> String {
        // systemd may list several directories separated by colons; ours is the first.
        if let value = ProcessInfo.processInfo.environment[variable], let first = value.split(separator: ":").first {
            return String(first)
        }
        return fallback
    }

    /// Whether the file's directory exists and is writable by this process.
    public var directoryIsWritable: Bool {
        access((path as NSString).deletingLastPathComponent, W_OK) == 0
    }

    /// Replaces the file with `bytes`; `durable` syncs it to storage before and after the rename.
    /// On a full file system the state file (not durable) is rewritten in place instead: the old
    /// file's blocks are freed by the truncation and taken again, so `status` keeps seeing fresh
    /// content (a reader catching the rewrite sees half a file and reads again).
    public func write(_ bytes: [UInt8], durable: Bool = false) throws {
        do {
            try replace(bytes, durable: durable)
        } catch let error as AtomicFileError where error.errno == ENOSPC && !durable {
            unlink(path + ".tmp")
            try rewriteInPlace(bytes)
        }
    }

    private func rewriteInPlace(_ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw AtomicFileError(path: path, errno: errno) }
            offset += written
        }
    }

    private func replace(_ bytes: [UInt8], durable: Bool) throws {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFileError(path: temporary, errno: errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw AtomicFileError(path: temporary, errno: errno) }
            offset += written
        }
        if durable && fsync(fd) != 0 { throw AtomicFileError(path: temporary, errno: errno) }
        close(fd)
        closed = true
        guard rename(temporary, path) == 0 else { throw AtomicFileError(path: path, errno: errno) }
        if durable {
            let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directory >= 0 {
                fsync(directory)
                close(directory)
            }
        }
    }

    /// The file's contents, or `nil` when there is none.
    public func read() -> Data? {
        FileManager.default.contents(atPath: path)
    }
}

/// A file that could not be written.
public struct AtomicFileError: Error, CustomStringConvertible {
    /// Which file.
    public var path: String
    /// The system error.
    public var errno: Int32
    public var description: String { "\(path): \(String(cString: strerror(errno)))" }
}
