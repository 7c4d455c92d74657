import Glibc

/// Hands the code pages that only start-up used back to the page cache.
///
/// Start-up (argument parsing, YAML, configuration checks, opening the outbox, OpenSSL's
/// initialisation in libmosquitto) touches code spread over most of the static binary and its
/// libraries, and the kernel maps each fault's neighbours too (fault-around, 64 KiB), so right
/// after start-up about 18 MB of the program's file is resident although the steady state runs
/// on a fraction of it. `madvise(MADV_PAGEOUT)` (Linux 5.4+, madvise(2)) reclaims clean,
/// file-backed pages that only this process maps (pages another process maps too, such as
/// most of libc's, are left alone by the kernel); they stay in the page cache, and any that
/// are needed again fault back in. Nothing private (heap, stacks, SQLite's cache) is touched.
public enum StartupPages {
    /// `MADV_PAGEOUT` from `<linux/mman.h>` (not in every libc's headers).
    static let adviceValue: Int32 = 21

    /// The result of one page-out.
    public struct Outcome: Sendable, Hashable {
        /// The read-only file mappings that were advised.
        public var mappings: Int
        /// Their total size, bytes.
        public var bytes: Int
        /// The mappings the kernel refused (`EINVAL` before Linux 5.4).
        public var refused: Int
    }

    /// Advises `MADV_PAGEOUT` on the read-only and executable file mappings of the running
    /// process (the program and its shared libraries, from `/proc/self/maps`). `nil` when the
    /// map cannot be read.
    public static func pageOut() -> Outcome? {
        guard let maps = readText("/proc/self/maps") else { return nil }
        var outcome = Outcome(mappings: 0, bytes: 0, refused: 0)
        for line in maps.split(separator: "\n") {
            // address perms offset dev inode path
            let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
            guard fields.count == 6, fields[1] == "r-xp" || fields[1] == "r--p",
                  fields[5].trimmingCharacters(in: " ").hasPrefix("/") else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = UInt(bounds[0], radix: 16), let high = UInt(bounds[1], radix: 16), high > low,
                  let start = UnsafeMutableRawPointer(bitPattern: low) else { continue }
            outcome.mappings += 1
            outcome.bytes += Int(high - low)
            if madvise(start, Int(high - low), adviceValue) != 0 { outcome.refused += 1 }
        }
        return outcome
    }

    private static func readText(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 16 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
