/// Cuts a byte stream into lines (ended by `\n`, `\r\n` or `\r`) without ever buffering more
/// than the line limit: a line that grows past it is dropped whole, up to its end.
public struct LineAssembler: Sendable {
    /// What came out of the bytes.
    public enum Piece: Hashable, Sendable {
        /// A complete line, without its ending.
        case line([UInt8])
        /// A line longer than the limit was dropped (counted once per line).
        case overlong
    }

    /// The longest line kept, bytes.
    public let limit: Int
    private var buffer: [UInt8] = []
    private var discarding = false
    private var lastWasCR = false

    /// An assembler for lines of at most `limit` bytes (default 256).
    public init(limit: Int = 256) {
        self.limit = max(1, limit)
        buffer.reserveCapacity(self.limit)
    }

    /// Feeds bytes; returns the pieces they complete.
    public mutating func feed<S: Sequence>(_ bytes: S) -> [Piece] where S.Element == UInt8 {
        var pieces: [Piece] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                let isLFAfterCR = byte == UInt8(ascii: "\n") && lastWasCR
                lastWasCR = byte == UInt8(ascii: "\r")
                if isLFAfterCR { continue }
                if discarding {
                    discarding = false
                    pieces.append(.overlong)
                } else {
                    pieces.append(.line(buffer))
                }
                buffer.removeAll(keepingCapacity: true)
                continue
            }
            lastWasCR = false
            if discarding { continue }
            if buffer.count >= limit {
                discarding = true
                buffer.removeAll(keepingCapacity: true)
                continue
            }
            buffer.append(byte)
        }
        return pieces
    }

    /// Forgets a partial line (the device went away).
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        discarding = false
        lastWasCR = false
    }

    /// Bytes held for the line in progress (never more than the limit).
    public var pending: Int { buffer.count }
}
