import Foundation

/// The high-water mark of sequence numbers, kept in a small file beside the outbox so that
/// numbers are never reused for a site, whatever happens to the outbox (damaged, set aside,
/// deleted while running). Numbers are reserved in blocks: the mark is written once per block,
/// not once per message (SD-card wear), and a restart continues above the whole reserved
/// block (the jump is announced as an event, so a subscriber can tell it from loss).
///
/// The file holds two fixed-size slots, each a number and its checksum, written in place
/// alternately and synced: overwriting bytes a file already has needs no free space (a full
/// disk cannot stop it), and a write torn by a power cut leaves the other slot valid.
public final class SequenceMark: @unchecked Sendable {
    /// The file.
    public let path: String
    private var descriptor: Int32 = -1
    private var slots: [Int64?] = [nil, nil]

    static let slotSize = 32

    /// Opens (or creates) the mark file at `path`.
    public init(path: String) {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: Self.slotSize * 2)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        if count > 0 {
            for slot in 0..<2 where count >= (slot + 1) * Self.slotSize {
                slots[slot] = Self.decode(Array(bytes[slot * Self.slotSize..<(slot + 1) * Self.slotSize]))
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The highest number reserved so far (0 when the file is new or unreadable).
    public var reserved: Int64 { slots.compactMap { $0 }.max() ?? 0 }

    /// Whether the file could be opened for writing.
    public var isWritable: Bool { descriptor >= 0 }

    /// Records `high` as reserved; throws when it could not be made durable.
    public func reserve(upTo high: Int64) throws {
        guard descriptor >= 0 else { throw Outbox.Failure(description: "cannot open the sequence mark \(path)") }
        // Overwrite the older (or invalid) slot, so the newer one survives a torn write.
        let slot = (slots[0] ?? -1) <= (slots[1] ?? -1) ? 0 : 1
        let bytes = Self.encode(high)
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(slot * Self.slotSize)) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw Outbox.Failure(description: "cannot write the sequence mark \(path): \(String(cString: strerror(errno)))")
        }
        slots[slot] = high
    }

    /// `"<20 digits> <8 hex checksum>\n"` padded to the slot size.
    static func encode(_ value: Int64) -> [UInt8] {
        let digits = String(value)
        let padded = String(repeating: "0", count: max(0, 20 - digits.count)) + digits
        let sum = String(checksum(Array(padded.utf8)), radix: 16)
        var text = Array((padded + " " + String(repeating: "0", count: 8 - sum.count) + sum + "\n").utf8)
        text += [UInt8](repeating: UInt8(ascii: " "), count: slotSize - text.count)
        return text
    }

    static func decode(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count == slotSize, bytes[20] == UInt8(ascii: " "), bytes[29] == UInt8(ascii: "\n") else { return nil }
        let digits = Array(bytes[0..<20])
        guard let value = Int64(String(decoding: digits, as: UTF8.self)), value >= 0,
              let sum = UInt32(String(decoding: bytes[21..<29], as: UTF8.self), radix: 16), sum == checksum(digits) else { return nil }
        return value
    }

    /// FNV-1a, 32 bits: enough to tell a torn or garbled slot from a written one.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        return hash
    }
}
