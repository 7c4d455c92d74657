import Foundation
import Testing
import VenueGuardTestSupport
import VenueGuardConfiguration
import VenueGuardDaemon
import VenueGuardMosquitto
@testable import VenueGuardOutbox
@testable import VenueGuardTelemetry

/// What an adversary (or an accident) on the broker tried, each on a real mosquitto on
/// loopback: retained commands, floods, a client-id takeover, two boxes with one site id, and a
/// full disk. Tests wait on conditions with deadlines, never on fixed times.
@Suite(.timeLimit(.minutes(3)))
struct AttackTests {
    static let prefix = "venueguard/test-club/"

    /// A hot hall with a strike 8 km away: stop and lightning danger, the buzzer sounding.
    static let dangerous = """
        start: 2024-08-01T13:00:00+09:00
        duration: 30h
        samples:
          hall-climate:
            air_temperature: { 0m: 33 }
            humidity: { 0m: 60 }
          hall-globe:
            globe_temperature: { 0m: 34 }
        events:
          - { at: 1m, strike: { distance_km: 8 } }
        """

    /// Waits until `client` has connected (its first event), with a deadline.
    static func connected(_ client: MosquittoClient, within limit: Duration = .seconds(20)) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await batch in client.events { if batch.contains(where: { if case .connected = $0 { return true } else { return false } }) { return true } }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    static func events(_ subscriber: TestSubscriber) -> [[String: Any]] {
        subscriber.messages.filter { $0.topic == prefix + "events" }.compactMap(\.json)
    }

    static func acknowledgedByMQTT(_ subscriber: TestSubscriber) -> Bool {
        events(subscriber).contains { $0["type"] as? String == "acknowledged" && ($0["source"] as? String)?.hasPrefix("mqtt") == true }
    }

    @Test("A retained ack is never applied: not live, not after a broker restart (MQTT 5), not at subscription (MQTT 3.1.1)",
          arguments: ["5", "3.1.1"])
    func retainedCommand(_ version: String) async throws {
        let broker = try MosquittoBroker()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let operatorClient = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "dashboard"))
        try operatorClient.start()
        let retainedAck: @Sendable () -> Void = { _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/ack", payload: Array(#"{"by":"dashboard"}"#.utf8), retain: true) }
        #expect(await Self.connected(operatorClient))
        if version == "3.1.1" { retainedAck() }  // already on the broker when the box subscribes
        let venue = try VenueHarness(port: broker.port, mqtt: "  commands: true\n  protocol: \"\(version)\"", scenario: Self.dangerous)
        let stop = StopRequest()
        let (bridge, _) = try await venue.run(speed: 60, stop: stop) {
            // Lightning danger first (the strike at 1 min), then the retained ack.
            #expect(await subscriber.wait(timeout: .seconds(60)) { _ in
                Self.events(subscriber).contains { $0["type"] as? String == "lightning-changed" && $0["to"] as? String == "danger" }
            })
            if version == "5" { retainedAck() }
            #expect(await subscriber.wait(timeout: .seconds(30)) { _ in
                Self.events(subscriber).contains { $0["type"] as? String == "command-rejected" && $0["code"] as? String == "retained" }
            })
            if version == "5" {
                // Reconnecting must not deliver it again either.
                broker.kill()
                try? broker.start()
                #expect(await subscriber.wait(timeout: .seconds(30)) { messages in
                    messages.filter { $0.topic == Self.prefix + "status" && $0.text == "online" }.count >= 2
                })
                // A ping answered proves the command subscription is back in place.
                _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/ping", payload: Array(#"{"id":"after"}"#.utf8))
                #expect(await subscriber.wait(timeout: .seconds(30)) { _ in
                    Self.events(subscriber).contains { $0["type"] as? String == "pong" && $0["id"] as? String == "after" }
                })
            }
            stop.request("test done")
        }
        let log = venue.log
        await bridge.stop()
        operatorClient.stop()
        #expect(!Self.acknowledgedByMQTT(subscriber))
        #expect(log.contains { $0.contains("a retained command is never applied") })
        // The buzzer kept sounding for the danger: the last state still has it.
        let last = subscriber.messages.last { $0.topic == Self.prefix + "state" }?.json
        #expect((last?["outputs"] as? [String: Any])?["buzzer"] as? String != "off")
    }

    @Test("A flood of malformed commands: every one counted, the log and the outbox get one line per kind per minute")
    func flood() async throws {
        // A broker that queues the whole flood for the box (mosquitto's default is 1000).
        let broker = try MosquittoBroker(config: "allow_anonymous true\nmax_queued_messages 5000")
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        let operatorClient = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "flooder", maxInflight: 1000))
        try operatorClient.start()
        let venue = try VenueHarness(port: broker.port, mqtt: "  commands: true", scenario: Self.dangerous)
        let stop = StopRequest()
        let sent = 2000
        let started = ContinuousClock.now
        let (bridge, _) = try await venue.run(speed: 60, stop: stop, started: { bridge in
            // Probe until the command subscription answers, then flood.
            var probes = 0
            _ = await subscriber.wait(timeout: .seconds(60)) { _ in
                if Self.events(subscriber).contains(where: { $0["type"] as? String == "pong" }) { return true }
                probes += 1
                if probes % 10 == 1 { _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/ping", payload: Array("{}".utf8)) }
                return false
            }
            for index in 0..<sent {
                let (name, payload) = index % 2 == 0 ? ("ack", "garbage \(index)") : ("reboot\(index)", "{}")
                _ = try? operatorClient.publish(topic: "venueguard/test-club/cmd/\(name)", payload: Array(payload.utf8))
            }
            // Until the count stops growing (the flood is over), within a deadline.
            var last = -1
            let deadline = ContinuousClock.now + .seconds(120)
            while await bridge.publisher.currentStats().commandsReceived != last && ContinuousClock.now < deadline {
                last = await bridge.publisher.currentStats().commandsReceived
                try? await Task.sleep(for: .seconds(2))
            }
            stop.request("test done")
        })
        let stats = await bridge.publisher.currentStats()
        let log = venue.log
        await bridge.stop()
        operatorClient.stop()
        let minutes = (ContinuousClock.now - started).seconds / 60
        // Every command that reached the box was counted (the broker may drop some of a flood:
        // its queue per client is bounded), and a real flood reached it.
        #expect(stats.rejectedCommands == stats.commandsReceived - stats.acceptedCommands, "\(stats)")
        #expect(stats.rejectedCommands >= 500, "\(stats.rejectedCommands) of \(sent) reached the box")
        // Per kind, one event and one log line at once, then one per minute at most.
        let rejectionEvents = Self.events(subscriber).filter { $0["type"] as? String == "command-rejected" }
        for code in ["not-json", "unknown-command"] {
            let count = rejectionEvents.filter { $0["code"] as? String == code }.count
            #expect(count >= 1 && Double(count) <= minutes.rounded(.up) + 2, "\(code): \(count) events in \(minutes) min")
        }
        #expect(Double(log.filter { $0.contains("rejected") && $0.contains("command") }.count) <= 2 * (minutes.rounded(.up) + 2))
    }

    @Test("Another client with the box's client id, again and again: the box says so")
    func takeover() async throws {
        let broker = try MosquittoBroker()
        let venue = try VenueHarness(port: broker.port)
        let stop = StopRequest()
        // mosquitto 2.0.11 closes the old connection without MQTT 5's reason 142 (checked with
        // mosquitto_sub -d), so here the box knows it by connections that keep dropping.
        @Sendable func said(_ stats: MQTTPublisher.Stats) -> Bool {
            stats.problems.contains { $0.contains("client id venueguard-test-club") }
        }
        let (bridge, _) = try await venue.run(speed: 20, stop: stop, started: { bridge in
            let deadline = ContinuousClock.now + .seconds(90)
            while await !said(bridge.publisher.currentStats()) && ContinuousClock.now < deadline {
                // Once the box is connected, an intruder takes its client id (and leaves).
                if await bridge.publisher.currentStats().connected {
                    let intruder = try? MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "venueguard-test-club"))
                    try? intruder?.start()
                    try? await Task.sleep(for: .milliseconds(300))
                    intruder?.stop()
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            stop.request("test done")
        })
        let stats = await bridge.publisher.currentStats()
        let log = venue.log
        await bridge.stop()
        #expect(said(stats), "\(stats.problems)")
        #expect(log.contains { $0.contains("keeps dropping") || $0.contains("session taken over") }, "\(log)")
    }

    @Test("Two boxes configured with the same site id notice each other")
    func sameSiteTwice() async throws {
        let broker = try MosquittoBroker()
        let first = try VenueHarness(port: broker.port)
        let second = try VenueHarness(port: broker.port, mqtt: "  client_id: the-other-box")
        let stop = StopRequest()
        async let one = first.run(speed: 20, stop: stop, instanceID: "aaaaaaaaaaaaaaaa", started: { bridge in
            let deadline = ContinuousClock.now + .seconds(60)
            while await !bridge.publisher.currentStats().problems.contains(where: { $0.contains("two boxes configured with the same site id") })
                    && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            stop.request("test done")
        })
        async let two = second.run(speed: 20, stop: stop, instanceID: "bbbbbbbbbbbbbbbb")
        let (bridgeOne, _) = try await one
        let (bridgeTwo, _) = try await two
        let problems = await bridgeOne.publisher.currentStats().problems + bridgeTwo.publisher.currentStats().problems
        await bridgeOne.stop()
        await bridgeTwo.stop()
        #expect(problems.contains { $0.contains("another box (instance bbbbbbbbbbbbbbbb) publishes as site test-club") })
        #expect(first.log.contains { $0.contains("two boxes configured with the same site id") })
    }

    @Test("A full disk: messages wait in memory within a bound, drops are counted, retries back off; all is sent once storage is back")
    func fullDisk() async throws {
        let broker = try MosquittoBroker(start: false)
        let venue = try VenueHarness(port: broker.port)
        let stop = StopRequest()
        let limit = 150
        let (bridge, _) = try await venue.run(speed: 600, stop: stop, unstoredLimit: limit, started: { bridge in
            // The disk fills up as soon as the box starts.
            let outbox = await bridge.publisher.outbox
            try? outbox.limitSize(pages: (try? outbox.pageCount()) ?? 2)
            let deadline = ContinuousClock.now + .seconds(60)
            while await bridge.publisher.currentStats().droppedUnstored == 0 && ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(100))
            }
            stop.request("test done")
        })
        let full = await bridge.publisher.currentStats()
        #expect(full.problems.contains { $0.contains("storage full") }, "\(full.problems)")
        #expect(full.droppedUnstored > 0)
        #expect(full.backlog <= limit + 10)   // bounded in memory, whatever the run's length
        #expect(venue.log.filter { $0.contains("storage full") }.count == 1, "\(venue.log.filter { $0.contains("storage") })")   // said once, not every retry
        // Storage comes back: what waited in memory is stored at the next retry (backed off, at
        // most a minute), and "storage full" clears with that first successful write.
        try await bridge.publisher.outbox.limitSize(pages: 1_000_000)
        var deadline = ContinuousClock.now + .seconds(90)
        while await bridge.publisher.currentStats().problems.contains(where: { $0.contains("storage full") }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        let stored = await bridge.publisher.currentStats()
        #expect(!stored.problems.contains { $0.contains("storage full") }, "\(stored.problems)")
        #expect(stored.backlog > 0)
        // Then the broker: everything waiting is delivered.
        try broker.start()
        let subscriber = try TestSubscriber(port: broker.port)
        #expect(await subscriber.waitReady())
        deadline = ContinuousClock.now + .seconds(90)
        while await bridge.publisher.currentStats().backlog > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
        }
        let after = await bridge.publisher.currentStats()
        await bridge.stop()
        #expect(after.backlog == 0)
        #expect(subscriber.seqs(prefix: Self.prefix).count >= limit)
    }
}
