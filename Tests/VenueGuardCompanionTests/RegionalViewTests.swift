import Foundation
import Logging
import Synchronization
import Testing
@testable import VenueGuardCompanion
import VenueGuardConfiguration
import VenueGuardCore
import VenueGuardDaemon
import VenueGuardMosquitto
import VenueGuardTelemetry
import VenueGuardTestSupport

/// The regional view against a real mosquitto on loopback: venues' retained states published
/// as the boxes publish them, read by the view, shown most urgent first, and a box that is
/// offline or silent shown as not current.
@Suite(.timeLimit(.minutes(2)))
struct RegionalViewTests {
    /// A `state` payload as a box publishes it, for a venue with the yard at `yard` °C.
    static func state(site: String, yard: Double, strikeKm: Double? = nil, at wall: WallClockTime) -> [UInt8] {
        var engine = VenueEngine(model: PageFixtures.model)
        engine.apply(.sensor(SensorReport(sensor: "meter", at: .origin, sample: .values([.wbgt: yard]))))
        engine.apply(.sensor(SensorReport(sensor: "hall-meter", at: .origin, sample: .values([.wbgt: 23]))))
        engine.apply(.sensor(SensorReport(sensor: "board", at: .origin, sample: .values([.airTemperature: 27]))))
        if let strikeKm { engine.apply(.strike(LightningStrike(distance: .kilometres(strikeKm), at: .origin))) }
        let status = engine.evaluate(at: Timestamp(monotonic: .origin, wall: wall))
        return TelemetryPayloads(site: site, utcOffsetSeconds: 9 * 3600).state(status, seq: 1, backlog: 0, dropped: 0)
    }

    @Test("Every venue on the regional broker, most urgent first; offline, old and refused input shown for what they are")
    func venues() async throws {
        let broker = try MosquittoBroker()
        let view = RegionalView(broker: .init(host: "127.0.0.1", port: broker.port), password: nil, logger: Logger(label: "test"))
        let watching = Task { await view.run() }
        defer { watching.cancel() }
        let now = Date().timeIntervalSince1970
        let publisher = try MosquittoClient(settings: MQTTSettings(host: "127.0.0.1", port: broker.port, clientID: "test-boxes"))
        try publisher.start()
        defer { publisher.stop() }
        // Connected within a deadline (a loop over the events alone could wait for ever).
        let connected = Mutex(false)
        let listening = Task { for await events in publisher.events where events.contains(.connected) { connected.withLock { $0 = true } } }
        defer { listening.cancel() }
        let connectBy = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < connectBy, !connected.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        try #require(connected.withLock { $0 }, "the test's publisher did not connect")
        // The view subscribed before anything is published (the refused messages are not retained).
        let subscribed = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < subscribed, await view.subscriptionsGranted < 2 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await view.subscriptionsGranted == 2)
        let wall = WallClockTime(secondsSince1970: now)
        _ = try publisher.publish(topic: "venueguard/minami/state", payload: Self.state(site: "minami", yard: 32.5, at: wall), retain: true)
        _ = try publisher.publish(topic: "venueguard/kita/state", payload: Self.state(site: "kita", yard: 22, at: wall), retain: true)
        _ = try publisher.publish(topic: "venueguard/higashi/state", payload: Self.state(site: "higashi", yard: 29, at: wall), retain: true)
        _ = try publisher.publish(topic: "venueguard/higashi/status", payload: Array("offline".utf8), retain: true)
        _ = try publisher.publish(topic: "venueguard/nishi/state",
                                  payload: Self.state(site: "nishi", yard: 20, at: WallClockTime(secondsSince1970: now - 3600)), retain: true)
        _ = try publisher.publish(topic: "venueguard/bad site/state", payload: Array("{}".utf8))
        _ = try publisher.publish(topic: "venueguard/minami2/state", payload: Array("not json".utf8))

        let deadline = ContinuousClock.now + .seconds(20)
        var snapshot = await view.snapshot()
        while ContinuousClock.now < deadline,
              await view.refused < 2 || snapshot.venues.count < 4 || snapshot.venues.contains(where: { $0.site == "higashi" && $0.availability == nil }) {
            try await Task.sleep(for: .milliseconds(50))
            snapshot = await view.snapshot()
        }
        #expect(snapshot.connected)
        #expect(Set(snapshot.venues.map(\.site)) == ["minami", "kita", "higashi", "nishi"])
        #expect(await view.refused >= 2, "a bad site id and a state that is not JSON")
        let html = await view.page(.en, now: now + 5)
        // Order: the stop first, then the venues that are not current, then the safe one.
        let order = ["minami", "higashi", "nishi", "kita"].map { html.range(of: "<h2>\($0)</h2>")?.lowerBound }
        #expect(order.allSatisfy { $0 != nil }, "\(html)")
        #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "most urgent first")
        let higashi = html.components(separatedBy: "<h2>higashi</h2>")[1].components(separatedBy: "</section>")[0]
        #expect(higashi.contains("Not current") && higashi.contains("the box is offline"), "an offline box is not shown as its last level")
        let nishi = html.components(separatedBy: "<h2>nishi</h2>")[1].components(separatedBy: "</section>")[0]
        #expect(nishi.contains("its state is old") && nishi.contains("60 min ago"))
        #expect(html.contains("<section class=\"status s-stop\"><h2>minami</h2>") && html.contains("danger: stop exercise"))
        #expect(html.contains("<section class=\"status s-caution\"><h2>kita</h2>"))
        // A venue removed (its retained state cleared) goes away.
        _ = try publisher.publish(topic: "venueguard/kita/state", payload: [], retain: true)
        let removed = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < removed, await view.snapshot().venues.contains(where: { $0.site == "kita" }) {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(await !view.snapshot().venues.contains { $0.site == "kita" })
        // The broker gone: the page says it is not connected.
        broker.kill()
        let lost = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < lost, await view.snapshot().connected { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await view.page(.ja, now: now + 10).contains("地域ブローカーに接続していません"))
    }
}
