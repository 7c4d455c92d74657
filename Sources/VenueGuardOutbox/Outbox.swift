import Foundation
import GRDB

/// The store-and-forward queue in front of the broker: every message is committed to a
/// SQLite file (WAL, `synchronous=FULL`, so a power cut loses at most what was not yet
/// written and never corrupts it) before it is published, and leaves only when the broker
/// has acknowledged it. Sequence numbers are the rows' keys; the highest one handed out is
/// either still in the table or was recorded in `meta` by the transaction that removed it,
/// so they increase across restarts and a subscriber can see a gap. An append touches only
/// the table's last page (SD-card wear: no second page for the counter).
public final class Outbox: @unchecked Sendable {
    /// A stored message.
    public struct Message: Sendable, Hashable {
        /// The per-site sequence number (also in the payload).
        public var seq: Int64
        /// The live topic.
        public var topic: String
        /// Where the message goes when it is replayed after an outage (never a retained topic).
        public var historyTopic: String
        /// The payload bytes.
        public var payload: [UInt8]
        /// Whether the live publish is retained.
        public var retain: Bool
        /// When it was stored, seconds since 1970.
        public var created: Double
    }

    /// What to store; the payload is made with the sequence number it gets.
    public struct Draft {
        public var topic: String
        public var historyTopic: String
        public var retain: Bool
        public var payload: (Int64) -> [UInt8]
        /// Creates a draft.
        public init(topic: String, historyTopic: String, retain: Bool, payload: @escaping (Int64) -> [UInt8]) {
            self.topic = topic
            self.historyTopic = historyTopic
            self.retain = retain
            self.payload = payload
        }
    }

    /// Why the outbox failed.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let queue: DatabaseQueue
    /// The file.
    public let path: String
    /// Messages older than this are dropped (default 7 days).
    public let maxAge: Duration
    /// The file may not grow past this (default 100 MB); the oldest messages go first.
    public let maxBytes: Int64
    private var lastSeq: Int64 = 0

    /// Opens (or creates) the outbox at `path`. A file that is not a database is moved aside
    /// (`.corrupt-<time>`) and a new one started, so the daemon keeps running.
    public init(path: String, maxAge: Duration = .seconds(7 * 86400), maxBytes: Int64 = 100_000_000) throws {
        self.path = path
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Durable commits: WAL with synchronous=NORMAL may lose the last commits on power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        func open() throws -> DatabaseQueue {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: """
                    CREATE TABLE IF NOT EXISTS outbox (
                        seq INTEGER PRIMARY KEY,
                        topic TEXT NOT NULL,
                        history_topic TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        retain INTEGER NOT NULL,
                        created REAL NOT NULL);
                    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
                    """)
                _ = try Int.fetchOne(db, sql: "PRAGMA quick_check") // fails on a damaged file
            }
            return queue
        }
        do {
            queue = try open()
        } catch {
            let aside = "\(path).corrupt-\(Int(Date().timeIntervalSince1970))"
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            try? FileManager.default.removeItem(atPath: path + "-wal")
            try? FileManager.default.removeItem(atPath: path + "-shm")
            do {
                queue = try open()
            } catch {
                throw Failure(description: "cannot open the outbox \(path): \(error)")
            }
        }
        lastSeq = try queue.read { db in
            max(try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? 0)
        }
    }

    /// The last sequence number handed out.
    public var currentSeq: Int64 { lastSeq }

    /// Stores `drafts` in one durable transaction and returns them with their sequence numbers.
    public func append(_ drafts: [Draft], now: Double = Date().timeIntervalSince1970) throws -> [Message] {
        guard !drafts.isEmpty else { return [] }
        var next = lastSeq
        let messages = try queue.write { db -> [Message] in
            var stored: [Message] = []
            for draft in drafts {
                next += 1
                let message = Message(seq: next, topic: draft.topic, historyTopic: draft.historyTopic, payload: draft.payload(next),
                                      retain: draft.retain, created: now)
                try db.execute(sql: "INSERT INTO outbox (seq, topic, history_topic, payload, retain, created) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [message.seq, message.topic, message.historyTopic, Data(message.payload), message.retain, now])
                stored.append(message)
            }
            return stored
        }
        lastSeq = next
        return messages
    }

    /// Removes acknowledged messages.
    public func acknowledge(_ seqs: [Int64]) throws {
        guard let highest = seqs.max() else { return }
        try queue.write { db in
            for seq in seqs { try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [seq]) }
            try Self.recordHandedOut(highest, in: db)
        }
    }

    /// Keeps the highest sequence number handed out when the rows holding it leave.
    private static func recordHandedOut(_ seq: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                       arguments: [seq])
    }

    /// Stored messages with a sequence number above `after`, oldest first.
    public func pending(after: Int64 = 0, limit: Int = 100) throws -> [Message] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, limit]).map { row in
                Message(seq: row["seq"], topic: row["topic"], historyTopic: row["history_topic"],
                        payload: [UInt8]((row["payload"] as Data?) ?? Data()), retain: row["retain"], created: row["created"])
            }
        }
    }

    /// How many messages wait.
    public func count() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 }
    }

    /// Messages dropped by the bounds so far (survives restarts).
    public func droppedTotal() throws -> Int64 {
        try queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dropped'") ?? 0 }
    }

    /// Applies the age and size bounds, oldest first; returns how many messages were dropped now.
    @discardableResult
    public func prune(now: Double = Date().timeIntervalSince1970) throws -> Int {
        let dropped = try queue.write { db -> Int in
            if let highest = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") { try Self.recordHandedOut(highest, in: db) }
            try db.execute(sql: "DELETE FROM outbox WHERE created < ?", arguments: [now - maxAge.seconds])
            var dropped = db.changesCount
            func bytes() throws -> Int64 {
                let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                return (pages - free) * size
            }
            // Over the size bound: drop about as many of the oldest rows as the excess holds, and check again.
            for _ in 0..<20 {
                let used = try bytes()
                guard used > maxBytes else { break }
                let rows = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0
                guard rows > 0 else { break }
                let perRow = max(1, used / rows)
                let excess = (used - maxBytes) / perRow + 1
                try db.execute(sql: "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox ORDER BY seq LIMIT ?)", arguments: [excess])
                if db.changesCount == 0 { break }
                dropped += db.changesCount
            }
            if dropped > 0 {
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('dropped', ?) ON CONFLICT(key) DO UPDATE SET value = value + excluded.value",
                               arguments: [dropped])
            }
            return dropped
        }
        return dropped
    }

    /// Flushes the WAL into the main file (on clean shutdown).
    public func checkpoint() {
        try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
