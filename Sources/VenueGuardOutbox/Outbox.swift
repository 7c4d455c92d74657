import Foundation
import GRDB

/// The store-and-forward queue in front of the broker: a SQLite file (WAL, `synchronous=FULL`,
/// so a power cut loses at most what was not yet committed and never corrupts it) holding
/// every message the broker has not acknowledged yet. The publisher decides what is committed
/// when (events at once, readings in batches: see `MQTTPublisher`); the outbox numbers
/// messages and keeps them.
///
/// Sequence numbers are handed out from blocks reserved in a `SequenceMark` beside the file,
/// so they are never reused for a site, whatever happens to the outbox: a damaged file is
/// moved aside (its readable rows copied into a fresh one), a file deleted while running is
/// noticed and re-created with what was pending, and a file that cannot be used at all is
/// replaced by one in memory, so MQTT carries on. What happened is in `opening` and `problem`.
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
        /// When it was made, seconds since 1970.
        public var created: Double

        /// Creates a message.
        public init(seq: Int64, topic: String, historyTopic: String, payload: [UInt8], retain: Bool, created: Double) {
            self.seq = seq
            self.topic = topic
            self.historyTopic = historyTopic
            self.payload = payload
            self.retain = retain
            self.created = created
        }
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
        /// Whether the failure is a full disk (SQLITE_FULL, ENOSPC).
        public var storageFull = false
        /// Creates a failure.
        public init(description: String, storageFull: Bool = false) {
            self.description = description
            self.storageFull = storageFull
        }
    }

    /// What opening the outbox found.
    public struct Opening: Sendable {
        /// A damaged file moved aside: where it went, and what was wrong.
        public var setAside: (path: String, reason: String)?
        /// Rows copied from the damaged file into the fresh one (their backlog is still sent).
        public var salvaged = 0
        /// The highest number this box knows a message of it was stored under (0: none).
        public var lastStoredSeq: Int64 = 0
        /// The first number this run hands out: above every number any earlier run reserved.
        public var firstSeq: Int64 = 1
        /// Why the file could not be used, when the outbox is in memory only.
        public var inMemoryBecause: String?
    }

    private var queue: DatabaseQueue
    /// The file.
    public let path: String
    /// Messages older than this are dropped (default 7 days).
    public let maxAge: Duration
    /// The file may not grow past this (default 100 MB); the oldest messages go first.
    public let maxBytes: Int64
    /// What opening found.
    public private(set) var opening = Opening()
    private let mark: SequenceMark
    private let block: Int64
    private var nextSeqValue: Int64 = 1
    private var inode: ino_t = 0

    /// Opens (or creates) the outbox at `path`. `reservationBlock` numbers are reserved at a time.
    public init(path: String, maxAge: Duration = .seconds(7 * 86400), maxBytes: Int64 = 100_000_000, reservationBlock: Int64 = 10_000) throws {
        self.path = path
        self.maxAge = maxAge
        self.maxBytes = maxBytes
        block = max(1, reservationBlock)
        mark = SequenceMark(path: path + ".seq")
        let (queue, opening) = Self.openOrRecover(path: path)
        self.queue = queue
        self.opening = opening
        inode = Self.inode(of: path)
        let stored = (try? queue.read { db in
            max(try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM outbox") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? 0)
        }) ?? 0
        self.opening.lastStoredSeq = stored
        nextSeqValue = max(stored, mark.reserved) + 1
        self.opening.firstSeq = nextSeqValue
        // The first block is reserved by the first number handed out: merely opening the
        // outbox (to count its backlog, say) writes nothing.
    }

    // MARK: - Opening

    private static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // Durable commits: WAL with synchronous=NORMAL may lose the last commits on power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        let queue = try DatabaseQueue(path: path, configuration: configuration())
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            try createTables(db)
            let check = try String.fetchAll(db, sql: "PRAGMA quick_check")
            guard check == ["ok"] else { throw Failure(description: "damaged: \(check.prefix(3).joined(separator: "; "))") }
        }
        return queue
    }

    private static func createTables(_ db: Database) throws {
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
    }

    /// Opens the file; a damaged one is moved aside with what could be read of it copied into a
    /// fresh file; a path that cannot hold a database at all gives an outbox in memory.
    private static func openOrRecover(path: String) -> (DatabaseQueue, Opening) {
        var opening = Opening()
        do {
            return (try open(path), opening)
        } catch {
            let reason = "\(error)"
            var salvage: [Message] = []
            var lastSeq: Int64 = 0
            if FileManager.default.fileExists(atPath: path) {
                (salvage, lastSeq) = salvageRows(path)
                let aside = "\(path).damaged-\(Int(Date().timeIntervalSince1970))"
                if (try? FileManager.default.moveItem(atPath: path, toPath: aside)) != nil {
                    opening.setAside = (aside, reason)
                    for suffix in ["-wal", "-shm"] {
                        try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix)
                    }
                }
            }
            do {
                let queue = try open(path)
                try queue.write { db in
                    for message in salvage { try insert(message, db) }
                    if lastSeq > 0 { try recordHandedOut(lastSeq, in: db) }
                }
                opening.salvaged = salvage.count
                return (queue, opening)
            } catch {
                opening.inMemoryBecause = "\(error)"
                let queue = try! DatabaseQueue()  // in memory: cannot fail short of no memory at all
                try? queue.write { db in
                    try createTables(db)
                    for message in salvage { try insert(message, db) }
                }
                opening.salvaged = salvage.count
                return (queue, opening)
            }
        }
    }

    /// Whatever rows of a damaged file can still be read (and the highest number it knew),
    /// a chunk at a time, stepping over chunks that cannot be read. Bounded work.
    private static func salvageRows(_ path: String) -> ([Message], Int64) {
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return ([], 0) }
        var rows: [Message] = []
        var lastSeq: Int64 = (try? queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'last_seq'") ?? 0 }) ?? 0
        var after: Int64 = 0
        var emptySpans = 0
        // A chunk that cannot be read (it crosses a damaged page) is read again row by row, so
        // only the rows on the damaged page are lost; long runs of nothing end the search.
        while rows.count < 2_000_000 && emptySpans < 20 {
            if let chunk = try? queue.read({ db in
                try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT 500", arguments: [after]).map(message)
            }) {
                guard let last = chunk.last else { break }
                rows += chunk
                after = last.seq
                emptySpans = 0
                continue
            }
            var found = 0
            for seq in (after + 1)...(after + 500) {
                if let row = try? queue.read({ db in try Row.fetchOne(db, sql: "SELECT * FROM outbox WHERE seq = ?", arguments: [seq]) }) {
                    rows.append(message(row))
                    found += 1
                }
            }
            after += 500
            emptySpans = found == 0 ? emptySpans + 1 : 0
        }
        lastSeq = max(lastSeq, rows.last?.seq ?? 0)
        return (rows, lastSeq)
    }

    private static func inode(of path: String) -> ino_t {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_ino : 0
    }

    // MARK: - Numbers

    /// The last sequence number handed out (before the first: the highest any earlier run
    /// could have used).
    public var currentSeq: Int64 { nextSeqValue - 1 }

    /// Why the last reservation could not be written, while that lasts: numbers handed out
    /// beyond the mark could be used again after a restart.
    public private(set) var markProblem: String?
    private var lastReservationAttempt: Int64 = 0

    /// The next sequence number, reserving another block in the mark when this one is used up.
    /// A mark that cannot be written is tried again every 100 numbers and reported in
    /// `markProblem`; numbering goes on meanwhile (unique within this run).
    public func nextSeq() -> Int64 {
        if nextSeqValue > mark.reserved && (markProblem == nil || nextSeqValue - lastReservationAttempt >= 100) {
            reserve(from: nextSeqValue)
        }
        defer { nextSeqValue += 1 }
        return nextSeqValue
    }

    private func reserve(from first: Int64) {
        lastReservationAttempt = first
        do {
            try mark.reserve(upTo: first + block - 1)
            markProblem = nil
        } catch {
            markProblem = "\(error)"
        }
    }

    // MARK: - Storage

    private static func insert(_ message: Message, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO outbox (seq, topic, history_topic, payload, retain, created) VALUES (?, ?, ?, ?, ?, ?)")
        try statement.execute(arguments: [message.seq, message.topic, message.historyTopic, Data(message.payload), message.retain, message.created])
    }

    private static func message(_ row: Row) -> Message {
        Message(seq: row["seq"], topic: row["topic"], historyTopic: row["history_topic"],
                payload: [UInt8]((row["payload"] as Data?) ?? Data()), retain: row["retain"], created: row["created"])
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw Failure(description: "\(error.message ?? "\(error)") (\(path))",
                          storageFull: error.resultCode == .SQLITE_FULL || error.extendedResultCode == .SQLITE_IOERR_WRITE)
        }
    }

    /// Whether the last failure says the file is damaged (not merely full or read-only).
    public static func isDamage(_ error: Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    /// Stores numbered messages in one durable transaction.
    public func store(_ messages: [Message]) throws {
        guard !messages.isEmpty else { return }
        try guarded {
            try queue.write { db in
                for message in messages { try Self.insert(message, db) }
            }
        }
    }

    /// Numbers `drafts` and stores them in one durable transaction (tests and tools).
    public func append(_ drafts: [Draft], now: Double = Date().timeIntervalSince1970) throws -> [Message] {
        var messages: [Message] = []
        for draft in drafts {
            let seq = nextSeq()
            messages.append(Message(seq: seq, topic: draft.topic, historyTopic: draft.historyTopic, payload: draft.payload(seq),
                                    retain: draft.retain, created: now))
        }
        try store(messages)
        return messages
    }

    /// Removes acknowledged messages, a run of consecutive numbers per statement.
    public func acknowledge(_ seqs: [Int64]) throws {
        guard !seqs.isEmpty else { return }
        let sorted = seqs.sorted()
        var ranges: [(Int64, Int64)] = []
        for seq in sorted {
            if let last = ranges.last, seq == last.1 + 1 { ranges[ranges.count - 1].1 = seq } else { ranges.append((seq, seq)) }
        }
        try guarded {
            try queue.write { db in
                let statement = try db.cachedStatement(sql: "DELETE FROM outbox WHERE seq BETWEEN ? AND ?")
                for (low, high) in ranges { try statement.execute(arguments: [low, high]) }
                try Self.recordHandedOut(sorted.last!, in: db)
            }
        }
    }

    /// Keeps the highest sequence number stored when the rows holding it leave.
    private static func recordHandedOut(_ seq: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
                       arguments: [seq])
    }

    /// Stored messages with a sequence number above `after`, oldest first.
    public func pending(after: Int64 = 0, limit: Int = 100) throws -> [Message] {
        try guarded {
            try queue.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [after, limit]).map(Self.message)
            }
        }
    }

    /// How many messages wait.
    public func count() throws -> Int {
        try guarded { try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox") ?? 0 } }
    }

    /// Messages dropped by the bounds so far (survives restarts).
    public func droppedTotal() throws -> Int64 {
        try guarded { try queue.read { db in try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'dropped'") ?? 0 } }
    }

    /// Applies the age and size bounds, oldest first; returns how many messages were dropped now.
    @discardableResult
    public func prune(now: Double = Date().timeIntervalSince1970) throws -> Int {
        try guarded {
            try queue.write { db -> Int in
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
        }
    }

    /// Caps the file at `pages` pages, so a test can make storage full (SQLITE_FULL) at will.
    func limitSize(pages: Int) throws {
        try queue.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages)") }
    }

    /// The file's size in pages now.
    func pageCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
    }

    /// Flushes the WAL into the main file (on clean shutdown).
    public func checkpoint() {
        try? queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    // MARK: - Damage and deletion while running

    /// Whether the file at `path` is still the one open (not deleted or replaced while running).
    public var isStillOnDisk: Bool {
        opening.inMemoryBecause != nil || (inode != 0 && Self.inode(of: path) == inode)
    }

    /// Starts a fresh file at `path` (the open one was deleted, replaced or found damaged) and
    /// carries over every message the old one still holds; a damaged file is moved aside first.
    /// Sequence numbering goes on from the mark. Returns what was done, for the log.
    public func reopen(damaged: Bool) -> String {
        let carried = (try? queue.read { db in try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY seq").map(Self.message) }) ?? []
        var what: String
        if damaged, FileManager.default.fileExists(atPath: path) {
            let aside = "\(path).damaged-\(Int(Date().timeIntervalSince1970))"
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.moveItem(atPath: path + suffix, toPath: aside + suffix) }
            opening.setAside = (aside, "damaged while running")
            what = "moved the damaged outbox aside to \(aside)"
        } else {
            what = "the outbox file was deleted or replaced while running"
        }
        let (fresh, freshOpening) = Self.openOrRecover(path: path)
        try? fresh.write { db in for message in carried { try Self.insert(message, db) } }
        queue = fresh
        inode = Self.inode(of: path)
        if let why = freshOpening.inMemoryBecause { opening.inMemoryBecause = why }
        what += "; started a fresh one with the \(carried.count) message(s) still pending"
        return what
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
