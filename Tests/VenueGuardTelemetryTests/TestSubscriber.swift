import Foundation
import Synchronization
import VenueGuardMosquitto

/// A subscriber standing in for another club's tool: subscribes (again after every
/// reconnect) and keeps every message.
final class TestSubscriber: @unchecked Sendable {
    struct Message: Sendable {
        var topic: String
        var payload: [UInt8]
        var retained: Bool
        var text: String { String(decoding: payload, as: UTF8.self) }
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any] }
    }

    let client: MosquittoClient
    private let received = Locked<[Message]>([])
    private let ready = Locked(false)
    private var task: Task<Void, Never>?

    /// A subscriber on `port`; `persistentID` gives it a session the broker keeps while it is
    /// away (MQTT 3.1.1, clean session false), so nothing queued for it is lost.
    init(port: Int, patterns: [String] = ["venueguard/#", "homeassistant/#"], username: String? = nil, password: String? = nil,
         persistentID: String? = nil) throws {
        client = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: port, protocolVersion: persistentID == nil ? .v5 : .v311,
                                                           clientID: persistentID ?? "test-subscriber-\(UUID().uuidString.prefix(8))",
                                                           cleanSession: persistentID == nil,
                                                           username: username, password: password, reconnectMinimum: .seconds(1),
                                                           reconnectMaximum: .seconds(1)))
        let client = self.client
        task = Task { [received, ready] in
            for await batch in client.events {
                for event in batch {
                switch event {
                case .connected:
                    for pattern in patterns { try? client.subscribe(pattern) }
                case .subscribed:
                    ready.withLock { $0 = true }
                case .disconnected:
                    ready.withLock { $0 = false }
                case let .message(topic, payload, retained):
                    received.withLock { $0.append(Message(topic: topic, payload: payload, retained: retained)) }
                default:
                    break
                }
                }
            }
        }
        try client.start()
    }

    deinit {
        client.stop()
        task?.cancel()
    }

    var messages: [Message] { received.withLock { $0 } }
    var isReady: Bool { ready.withLock { $0 } }

    /// Waits until subscribed (or the timeout).
    func waitReady(timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !isReady && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        return isReady
    }

    /// Waits until `condition` holds on the messages (or the timeout).
    func wait(timeout: Duration = .seconds(20), until condition: ([Message]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(messages) { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition(messages)
    }

    /// The sequence numbers of every VenueGuard JSON payload received (live and history).
    func seqs(prefix: String) -> [Int64] {
        messages.filter { $0.topic.hasPrefix(prefix) }.compactMap { ($0.json?["seq"] as? NSNumber)?.int64Value }
    }
}

/// Validates payloads against the JSON Schemas in `schemas/` with Python's jsonschema.
enum SchemaValidator {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A Python with jsonschema: the one on PATH, else Debian's (python3-jsonschema).
    static var python: String? { python(importing: "jsonschema") }

    /// A Python that can import `module`: the one on PATH, else Debian's (`make setup` installs
    /// python3-jsonschema and python3-jinja2).
    static func python(importing module: String) -> String? {
        for candidate in ["python3", "/usr/bin/python3"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [candidate, "-c", "import \(module)"]
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
            if (try? process.run()) != nil {
                process.waitUntilExit()
                if process.terminationStatus == 0 { return candidate }
            }
        }
        return nil
    }

    /// The problems found: one line per invalid message ("" when all are valid).
    static func validate(_ items: [(schema: String, payload: String)]) throws -> String {
        guard let python else { return "python3 with jsonschema is missing (make test installs python3-jsonschema)" }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("vg-validate-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: input) }
        let lines = try items.map { item -> String in
            let object: [String: Any] = ["schema": item.schema, "payload": try JSONSerialization.jsonObject(with: Data(item.payload.utf8))]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }
        try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
        let script = """
            import json, sys, jsonschema
            root = sys.argv[1]
            cache = {}
            bad = 0
            for line in open(sys.argv[2]):
                item = json.loads(line)
                name = item["schema"]
                if name not in cache:
                    schema = json.load(open(f"{root}/schemas/{name}.schema.json"))
                    jsonschema.Draft202012Validator.check_schema(schema)
                    cache[name] = jsonschema.Draft202012Validator(schema)
                errors = list(cache[name].iter_errors(item["payload"]))
                if errors:
                    bad += 1
                    if bad <= 5: print(f"{name}: {errors[0].message} in {json.dumps(item['payload'])[:300]}")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-c", script, root.path, input.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The schema a VenueGuard topic's payload follows.
    static func schema(for topic: String) -> String? {
        if topic.hasSuffix("/instance") { return "instance" }
        if topic.hasSuffix("/state") || topic.hasSuffix("/history/state") { return "state" }
        if topic.hasSuffix("/events") || topic.hasSuffix("/history/events") { return "event" }
        if topic.contains("/sensors/") || topic.contains("/history/") { return "sensor" }
        return nil
    }
}
