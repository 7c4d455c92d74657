import Foundation
import Logging
import Testing
import VenueGuardTestSupport
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardMosquitto
import VenueGuardOutbox
@testable import VenueGuardTelemetry

/// Against a real mosquitto broker on a loopback port each test picks.
@Suite(.timeLimit(.minutes(2)))
struct MQTTIntegrationTests {
    static let prefix = "venueguard/test-club/"

    /// A mosquitto password file in `probe`'s directory with one user, hashed by `mosquitto_passwd`.
    static func passwordFile(in probe: MosquittoBroker, user: String, password: String) throws -> String {
        let path = probe.file("passwd")
        try "\(user):\(password)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let convert = Process()
        convert.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_passwd")
        convert.arguments = ["-U", path]
        try convert.run()
        convert.waitUntilExit()
        #expect(convert.terminationStatus == 0, "mosquitto_passwd -U failed")
        return path
    }

    /// A file holding the daemon's MQTT password, as `password_file:` expects.
    static func secretFile(_ password: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-secret-\(UUID().uuidString)").path
        try password.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Every sequence number from 1 to the highest, none missing.
    static func complete(_ seqs: [Int64]) -> (missing: [Int64], highest: Int64) {
        let highest = seqs.max() ?? 0
        let present = Set(seqs)
        return ((1...max(highest, 1)).filter { !present.contains($0) && highest > 0 }, highest)
    }

    @Test("Every message validates against the JSON Schemas; sequence numbers complete; status, discovery, clean offline")
    func schemasAndCompleteness() async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let venue = try VenueHarness(port: broker.port)
        let (bridge, plain) = try await venue.run(speed: 1200)
        await bridge.stop()
        #expect(await subscriber.wait { $0.contains { $0.topic == "venueguard/test-club/status" && $0.text == "offline" } })
        let messages = subscriber.messages
        let ours = messages.filter { $0.topic.hasPrefix(Self.prefix) && $0.payload.first == UInt8(ascii: "{") }
        #expect(ours.count > 100)
        let problems = try SchemaValidator.validate(ours.map { (SchemaValidator.schema(for: $0.topic)!, $0.text) })
        #expect(problems == "", "\(problems)")
        let (missing, highest) = Self.complete(subscriber.seqs(prefix: Self.prefix))
        #expect(missing.isEmpty, "missing \(missing.prefix(20))")
        #expect(highest == Int64(ours.filter { $0.json?["seq"] != nil }.count))  // no gaps, no duplicates
        #expect(messages.filter { $0.topic == "venueguard/test-club/status" }.map(\.text) == ["online", "offline"])
        let discovery = messages.filter { $0.topic.hasPrefix("homeassistant/") }
        #expect(discovery.contains { $0.topic.hasSuffix("/hall_wbgt/config") })
        #expect(discovery.contains { $0.topic.hasPrefix("homeassistant/binary_sensor/") && $0.text.contains("\"device_class\":\"problem\"") })
        #expect(ours.contains { $0.topic.hasSuffix("/events") && $0.text.contains("\"type\":\"strike\"") })
        #expect(ours.contains { $0.topic.hasSuffix("/events") && $0.text.contains("\"code\":\"crc\"") })
        #expect(try Outbox(path: venue.outboxPath).count() == 0)
        #expect(!plain.isEmpty)
    }

    @Test("A sensor removed from the configuration leaves no retained topic behind: at the next connection its sensors/ topic and discovery configs are cleared")
    func removedSensorLeavesNothing() async throws {
        let broker = try MosquittoBroker()
        let venue = try VenueHarness(port: broker.port)
        let (first, _) = try await venue.run(speed: 1200)
        await first.stop()
        let globeTopics = ["venueguard/test-club/sensors/hall-globe",
                           "homeassistant/sensor/venueguard_test-club/hall-globe_globe_temperature/config",
                           "homeassistant/binary_sensor/venueguard_test-club/hall-globe_problem/config"]
        let before = try TestSubscriber(port: broker.port)
        #expect(await before.wait { messages in globeTopics.allSatisfy { topic in messages.contains { $0.topic == topic && $0.retained } } })

        // The globe is taken out of the site file; the box starts again with it.
        let text = try String(contentsOfFile: venue.sitePath, encoding: .utf8)
            .replacingOccurrences(of: "sensors: [hall-climate, hall-globe]", with: "sensors: [hall-climate]")
            .split(separator: "\n").filter { !$0.contains("id: hall-globe") }.joined(separator: "\n")
        let configuration = try ConfigurationLoader.parse(yaml: text, file: venue.sitePath)
        #expect(configuration.model.sensor("hall-globe") == nil)
        let second = try TelemetryBridge(configuration: configuration, mqtt: configuration.mqtt!, logger: Logger(label: "test"))
        var cleared = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            cleared = second.publisher.snapshot().stats.clearedRetained
            if cleared >= globeTopics.count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(cleared == globeTopics.count, "cleared \(cleared)")
        await second.stop()

        // A newcomer gets the climate sensor's retained topics, and nothing of the globe.
        let after = try TestSubscriber(port: broker.port)
        #expect(await after.wait { messages in
            messages.contains { $0.topic == "venueguard/test-club/sensors/hall-climate" && $0.retained }
                && messages.contains { $0.topic == "homeassistant/sensor/venueguard_test-club/hall-climate_air_temperature/config" }
                && messages.contains { $0.topic == "venueguard/test-club/status" }
        })
        let left = after.messages.filter { message in globeTopics.contains(message.topic) && !message.payload.isEmpty }
        #expect(left.isEmpty, "\(left.map(\.topic))")
    }

    @Test("The broker is killed (SIGKILL) and restarted twice mid-scenario: every sequence number arrives; retained topics never go back")
    func brokerRestarts() async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let venue = try VenueHarness(port: broker.port)
        let (bridge, _) = try await venue.run(speed: 400) {
            for _ in 0..<2 {
                try? await Task.sleep(for: .milliseconds(2500))
                broker.kill()
                try? await Task.sleep(for: .milliseconds(1500))
                try? broker.start()
            }
        }
        // Every number the box handed out, including any it is still handing out, arrives.
        let highest = await VenueHarness.delivered(bridge, to: subscriber, prefix: Self.prefix)
        #expect(highest != nil, "missing \(Self.complete(subscriber.seqs(prefix: Self.prefix)).missing.prefix(20))")
        await bridge.stop()
        let seqs = subscriber.seqs(prefix: Self.prefix)
        let (missing, _) = Self.complete(seqs)
        #expect(missing.isEmpty, "missing \(missing.prefix(20)) of \(seqs.max() ?? 0)")
        // The backlog went to history topics, never to the retained ones.
        let history = subscriber.messages.filter { $0.topic.hasPrefix(Self.prefix + "history/") }
        #expect(!history.isEmpty)
        #expect(history.allSatisfy { !$0.retained })
        // Live state messages arrive in increasing order: the retained state never goes back in time.
        let stateSeqs = subscriber.messages.filter { $0.topic == Self.prefix + "state" && !$0.retained }.compactMap { ($0.json?["seq"] as? NSNumber)?.int64Value }
        #expect(stateSeqs == stateSeqs.sorted())
        // Duplicates, if any, carry the same sequence number (a subscriber de-duplicates by seq).
        #expect(Set(seqs).count <= seqs.count)
        // What the broker keeps retained is the newest of each topic: a late subscriber never
        // sees an older state or sensor value than the last one published live.
        let late = try TestSubscriber(port: broker.port)
        #expect(await late.waitReady())
        let retainedTopics = [Self.prefix + "state", Self.prefix + "sensors/hall-climate", Self.prefix + "sensors/hall-globe"]
        #expect(await late.wait(timeout: .seconds(20)) { messages in
            retainedTopics.allSatisfy { topic in messages.contains { $0.topic == topic && $0.retained } }
        })
        for topic in retainedTopics {
            let kept = late.messages.last { $0.topic == topic && $0.retained }.flatMap { ($0.json?["seq"] as? NSNumber)?.int64Value }
            let newest = subscriber.messages.filter { $0.topic == topic }.compactMap { ($0.json?["seq"] as? NSNumber)?.int64Value }.max()
            #expect(kept != nil && kept == newest, "\(topic): retained \(String(describing: kept)), newest live \(String(describing: newest))")
        }
    }

    @Test("A broker that is down at start-up: the signals run, and everything arrives once it is up")
    func brokerDownAtStartup() async throws {
        let broker = try MosquittoBroker(start: false)
        let venue = try VenueHarness(port: broker.port)
        let (bridge, plain) = try await venue.run(speed: 1200)
        #expect(!plain.isEmpty)  // the lamps were driven all along
        #expect(try Outbox(path: venue.outboxPath).count() > 0)
        try broker.start()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let highest = await bridge.publisher.currentStats().lastSeq
        #expect(await subscriber.wait(timeout: .seconds(40)) { _ in
            let seqs = subscriber.seqs(prefix: Self.prefix)
            return seqs.max() ?? 0 >= highest && Self.complete(seqs).missing.isEmpty
        })
        await bridge.stop()
        let (missing, _) = Self.complete(subscriber.seqs(prefix: Self.prefix))
        #expect(missing.isEmpty)
        #expect(venue.log.filter { $0.contains("failed") }.count == 1, "\(venue.log)")
    }

    @Test("A wrong password gives one clear error; the signals keep running")
    func wrongPassword() async throws {
        let probe = try MosquittoBroker(start: false)
        let passwords = try Self.passwordFile(in: probe, user: "box", password: "right")
        let broker = try MosquittoBroker(config: "allow_anonymous false\npassword_file \(passwords)")
        let secret = try Self.secretFile("wrong-password-here")
        let venue = try VenueHarness(port: broker.port, mqtt: "  username: box\n  password_file: \(secret)\n  reconnect_min: 1s\n  reconnect_max: 1s")
        let (bridge, plain) = try await venue.run(speed: 300)  // 12 s: several reconnect attempts
        await bridge.stop()
        let errors = venue.log.filter { $0.contains("refused the connection") }
        #expect(errors.count == 1, "\(venue.log)")
        #expect(errors.first?.contains("username") == true)
        #expect(!venue.log.joined().contains("wrong-password-here"))  // never logged
        #expect(plain.contains { $0.contains("venue=") })
    }

    @Test("Bad TLS (a CA that did not sign the broker's certificate) gives one clear error; the right CA connects")
    func badTLS() async throws {
        let broker = try MosquittoBroker(start: false)
        let d = broker.directory.path
        func openssl(_ arguments: [String]) throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = arguments
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            p.waitUntilExit()
        }
        for ca in ["ca", "other-ca"] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(ca)", "-keyout", "\(d)/\(ca).key", "-out", "\(d)/\(ca).crt"])
        }
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr"])
        try "subjectAltName=IP:127.0.0.1\n".write(toFile: "\(d)/san.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key", "-CAcreateserial", "-days", "2",
                     "-extfile", "\(d)/san.ext", "-out", "\(d)/server.crt"])
        // Throwaway test keys: readable by the broker, which drops root privileges to its own user.
        for file in ["server.key", "ca.key", "other-ca.key"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: "\(d)/\(file)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: d)
        let tlsBroker = try MosquittoBroker(config: "allow_anonymous true\ncafile \(d)/ca.crt\ncertfile \(d)/server.crt\nkeyfile \(d)/server.key")
        let wrong = try VenueHarness(port: tlsBroker.port, mqtt: "  tls: { ca_file: \(d)/other-ca.crt }\n  reconnect_min: 1s\n  reconnect_max: 1s")
        let (badBridge, plain) = try await wrong.run(speed: 600)
        await badBridge.stop()
        let errors = wrong.log.filter { $0.contains("failed") }
        #expect(errors.count == 1, "\(wrong.log)")
        #expect(plain.contains { $0.contains("venue=") })
        let right = try VenueHarness(port: tlsBroker.port, mqtt: "  tls: { ca_file: \(d)/ca.crt }")
        let (goodBridge, _) = try await right.run(speed: 1200)
        await goodBridge.stop()
        #expect(right.log.contains { $0.contains("MQTT connected") }, "\(right.log)")
    }

    @Test("MQTT 5: a publish the ACL refuses is reported (reason code 135) and kept in the outbox")
    func refusedPublish() async throws {
        let probe = try MosquittoBroker(start: false)
        let acl = probe.file("acl")
        try "user box\ntopic write elsewhere/#\n".write(toFile: acl, atomically: true, encoding: .utf8)
        let passwords = try Self.passwordFile(in: probe, user: "box", password: "secret")
        let broker = try MosquittoBroker(config: "allow_anonymous false\npassword_file \(passwords)\nacl_file \(acl)")
        let secret = try Self.secretFile("secret")
        let venue = try VenueHarness(port: broker.port, mqtt: "  username: box\n  password_file: \(secret)")
        let (bridge, _) = try await venue.run(speed: 1200)
        try await Task.sleep(for: .milliseconds(500))
        let stats = await bridge.publisher.currentStats()
        await bridge.stop()
        #expect(stats.refusedPublishes > 0)
        #expect(venue.log.filter { $0.contains("refused a publish") }.count == 1, "\(venue.log)")
        #expect(try Outbox(path: venue.outboxPath).count() > 0)  // nothing counted as delivered
    }

    @Test("Commands: malformed ones are rejected and counted; ack works; clearing an alert cannot lower what sensors raised")
    func commands() async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        // Long enough never to end by itself: the test stops it once it has seen what it needs.
        let hot = """
            start: 2024-08-01T13:00:00+09:00
            duration: 30h
            samples:
              hall-climate:
                air_temperature: { 0m: 36 }
                humidity: { 0m: 70 }
              hall-globe:
                globe_temperature: { 0m: 38 }
            """
        let venue = try VenueHarness(port: broker.port, mqtt: "  commands: true", scenario: hot)
        let operatorClient = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "operator"))
        try operatorClient.start()
        let stop = StopRequest()
        @Sendable func events() -> [[String: Any]] { subscriber.messages.filter { $0.topic == Self.prefix + "events" }.compactMap(\.json) }
        let (bridge, _) = try await venue.run(speed: 300, stop: stop) {
            // Wait on conditions, not times: the venue's command subscription is in place once a
            // probe ping is answered; then the commands go, and the venue runs until their
            // results are all seen.
            var probes = 0
            let ready = await subscriber.wait(timeout: .seconds(60)) { messages in
                if !messages.compactMap(\.json).contains(where: { $0["type"] as? String == "pong" && $0["id"] as? String == "probe" }) {
                    probes += 1
                    if probes % 10 == 1 { _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/ping", payload: Array("{\"id\":\"probe\"}".utf8)) }
                    return false
                }
                return true
            }
            if ready {
                for (command, payload) in [("ack", "garbage"), ("alert", "{\"heat_alert\":\"alert\"}"), ("reboot", "{}"),
                                           ("alert", "{\"heat_alert\":\"none\"}"), ("ping", "{\"id\":\"p1\"}"), ("ack", "{\"by\":\"mentor\"}")] {
                    _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/\(command)", payload: Array(payload.utf8))
                }
                _ = await subscriber.wait(timeout: .seconds(60)) { _ in
                    let seen = events()
                    return seen.filter { $0["type"] as? String == "command-rejected" }.count >= 3
                        && seen.contains { $0["type"] as? String == "pong" && $0["id"] as? String == "p1" }
                        && seen.contains { $0["type"] as? String == "acknowledged" && ($0["source"] as? String)?.hasPrefix("mqtt") == true }
                }
            }
            stop.request("test done")
        }
        let stats = await bridge.publisher.currentStats()
        await bridge.stop()
        operatorClient.stop()
        #expect(events().filter { $0["type"] as? String == "command-rejected" }.count == 3)
        #expect(stats.rejectedCommands == 3)
        #expect(events().contains { $0["type"] as? String == "pong" && $0["id"] as? String == "p1" })
        #expect(events().contains { $0["type"] as? String == "acknowledged" && ($0["source"] as? String)?.hasPrefix("mqtt") == true })
        // 36 °C and a hot globe: stop, whatever the alert command said.
        let states = subscriber.messages.filter { $0.topic == Self.prefix + "state" }.compactMap(\.json)
        #expect(!states.isEmpty && states.allSatisfy { $0["status"] as? String == "stop" })
    }

    @Test("libmosquitto's callbacks cross into Swift concurrency safely, even to a main-actor consumer")
    @MainActor
    func callbacksOnForeignThread() async throws {
        let broker = try MosquittoBroker()
        let client = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "thread-test"))
        try client.start()
        var sawConnected = false, sawMessage = false
        let deadline = ContinuousClock.now + .seconds(10)
        receiving: for await batch in client.events {
            for event in batch {
                // This loop runs on the main actor; the events were produced on libmosquitto's thread.
                MainActor.assertIsolated()
                switch event {
                case .connected:
                    sawConnected = true
                    try client.subscribe("t/#")
                case .subscribed:
                    try client.publish(topic: "t/x", payload: Array("hello".utf8))
                case let .message(topic, payload, _):
                    sawMessage = topic == "t/x" && payload == Array("hello".utf8)
                default:
                    break
                }
                if sawMessage || ContinuousClock.now > deadline { break receiving }
            }
        }
        client.stop()
        #expect(sawConnected && sawMessage)
    }
}
