import Foundation
import Logging
import Synchronization

/// Log lines for journald on stderr: one line per event, prefixed `<N>` with the syslog
/// priority (sd-daemon(3)), so `journalctl -p warning` works without a logging library in
/// between. Metadata follows as `key=value`. Newlines in a message are escaped: an event is
/// one line.
public struct JournalLogHandler: LogHandler {
    /// Where lines go (stderr by default; tests collect them).
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: Sink
    private let priorityPrefix: Bool

    /// A handler for `label` at `level`, writing to `sink`; `priorityPrefix: false` leaves out the `<N>`.
    public init(label: String, level: Logger.Level = .info, priorityPrefix: Bool = true, sink: @escaping Sink = JournalLogHandler.standardError) {
        self.label = label
        logLevel = level
        self.priorityPrefix = priorityPrefix
        self.sink = sink
    }

    /// Writes a line to stderr in one `write` (lines from several threads do not interleave).
    public static let standardError: Sink = { line in
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { _ = Foundation.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The syslog priority of a level.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var text = "\(event.message)"
        if !merged.isEmpty {
            text += " " + merged.keys.sorted().map { "\($0)=\(merged[$0]!)" }.joined(separator: " ")
        }
        text = text.replacingOccurrences(of: "\n", with: "\\n")
        sink("\(priorityPrefix ? "<\(Self.priority(event.level))>" : "")\(label): \(text)\n")
    }
}
