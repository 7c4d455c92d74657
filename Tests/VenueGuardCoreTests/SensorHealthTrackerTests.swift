import Testing
@testable import VenueGuardCore

struct SensorHealthTrackerTests {
    static let descriptor = SensorDescriptor(id: "hall-sht31", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity],
                                             samplingPeriod: .seconds(10), stuckAfter: .seconds(300))

    static func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(seconds: s) }

    @Test("Fresh readings are usable; older than three periods they are stale")
    func staleness() {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        #expect(tracker.health(at: Self.at(0)) == .stale(lastHeard: nil, maxAge: .seconds(30)))
        tracker.ingest(.values([.airTemperature: 25, .relativeHumidity: 50]), at: Self.at(0))
        #expect(tracker.health(at: Self.at(30)) == .ok)
        #expect(tracker.usableReading(.airTemperature, at: Self.at(30))?.value == 25)
        #expect(tracker.health(at: Self.at(30.001)).quality == "stale")
        #expect(tracker.usableReading(.airTemperature, at: Self.at(31)) == nil)
    }

    @Test("Darkness and calm are not stuck: a steady zero of sunshine or wind never trips the stuck check")
    func restingAtZero() {
        let light = SensorDescriptor(id: "light", kind: "bh1750", quantities: [.solarRadiation], samplingPeriod: .seconds(10), stuckAfter: .seconds(300))
        var tracker = SensorHealthTracker(descriptor: light)
        for t in stride(from: 0.0, through: 3600, by: 10) {
            #expect(tracker.ingest(.values([.solarRadiation: 0]), at: Self.at(t)) == .accepted(recovered: false))
        }
        // The same value in daylight is stuck after five minutes.
        for t in stride(from: 3610.0, through: 3900, by: 10) { tracker.ingest(.values([.solarRadiation: 412]), at: Self.at(t)) }
        #expect(tracker.ingest(.values([.solarRadiation: 412]), at: Self.at(3910)) == .faulted(.stuck(.seconds(300)), newFault: true))
    }

    @Test("Faults are counted by reason and recover with the next good reading", arguments: [
        FaultReason.noResponse, .crcMismatch, .timeout, .unplugged,
    ])
    func faultAndRecovery(_ reason: FaultReason) {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        tracker.ingest(.values([.airTemperature: 25, .relativeHumidity: 50]), at: Self.at(0))
        #expect(tracker.ingest(.fault(reason), at: Self.at(10)) == .faulted(reason, newFault: true))
        #expect(tracker.ingest(.fault(reason), at: Self.at(20)) == .faulted(reason, newFault: false))
        #expect(tracker.health(at: Self.at(21)) == .faulted(reason))
        #expect(tracker.usableReading(.airTemperature, at: Self.at(21)) == nil)
        #expect(tracker.faultCounts[reason.code] == 2)
        #expect(tracker.ingest(.values([.airTemperature: 25.1, .relativeHumidity: 50]), at: Self.at(30)) == .accepted(recovered: true))
        #expect(tracker.health(at: Self.at(30)) == .ok)
    }

    @Test("Impossible values are rejected and counted", arguments: [
        (Quantity.relativeHumidity, 140.0), (.airTemperature, -60.0), (.airTemperature, Double.nan), (.airTemperature, Double.infinity),
    ])
    func implausible(_ row: (Quantity, Double)) {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        var values: [Quantity: Double] = [.airTemperature: 25, .relativeHumidity: 50]
        values[row.0] = row.1
        guard case .faulted(.implausible(row.0, _), _) = tracker.ingest(.values(values), at: Self.at(0)) else {
            Issue.record("accepted \(row)"); return
        }
        #expect(tracker.faultCounts["implausible"] == 1)
        #expect(tracker.latest.isEmpty)
    }

    @Test("A single spike is rejected; a step the sensor could not make stays rejected until it could have")
    func jumps() {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        tracker.ingest(.values([.airTemperature: 25, .relativeHumidity: 50]), at: Self.at(0))
        // 10 s later: +12 °C is more than 0.5 °C/s × 10 s.
        guard case .faulted(.implausibleJump, _) = tracker.ingest(.values([.airTemperature: 37, .relativeHumidity: 50]), at: Self.at(10)) else {
            Issue.record("spike accepted"); return
        }
        // Back to normal: accepted (consistent with the last accepted reading).
        #expect(tracker.ingest(.values([.airTemperature: 25.2, .relativeHumidity: 50]), at: Self.at(20)) == .accepted(recovered: true))
        // +14.8 °C: two agreeing readings do not make it real…
        #expect(tracker.ingest(.values([.airTemperature: 40, .relativeHumidity: 48]), at: Self.at(30)) != .accepted(recovered: false))
        #expect(tracker.ingest(.values([.airTemperature: 40.1, .relativeHumidity: 48]), at: Self.at(40)) != .accepted(recovered: true))
        #expect(tracker.latest[.airTemperature]?.value == 25.2)
        // …but 30 s after the last good reading the sensor could have got there (0.5 °C/s).
        #expect(tracker.ingest(.values([.airTemperature: 40.1, .relativeHumidity: 48]), at: Self.at(50)) == .accepted(recovered: true))
        #expect(tracker.latest[.airTemperature]?.value == 40.1)
    }

    @Test("Identical raw data for longer than the stuck time is a fault; a change recovers")
    func stuck() {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        for s in stride(from: 0.0, through: 290, by: 10) {
            #expect(tracker.ingest(.values([.airTemperature: 25.03], fingerprint: [0x6666, 0x8000]), at: Self.at(s)) == .accepted(recovered: false))
        }
        guard case .faulted(.stuck, true) = tracker.ingest(.values([.airTemperature: 25.03], fingerprint: [0x6666, 0x8000]), at: Self.at(300)) else {
            Issue.record("stuck not detected"); return
        }
        #expect(tracker.health(at: Self.at(301)).quality == "faulted")
        #expect(tracker.ingest(.values([.airTemperature: 25.01], fingerprint: [0x6667, 0x8000]), at: Self.at(310)) == .accepted(recovered: true))
    }

    @Test("Without a raw fingerprint, identical values are compared")
    func stuckByValue() {
        var tracker = SensorHealthTracker(descriptor: Self.descriptor)
        tracker.ingest(.values([.airTemperature: 25.03, .relativeHumidity: 50.4]), at: Self.at(0))
        guard case .faulted(.stuck, _) = tracker.ingest(.values([.airTemperature: 25.03, .relativeHumidity: 50.4]), at: Self.at(400)) else {
            Issue.record("stuck not detected"); return
        }
    }

    @Test("Alive samples keep a detector fresh without values")
    func alive() {
        let detector = SensorDescriptor(id: "as3935", kind: "as3935", quantities: [], samplingPeriod: .seconds(60), detectsLightning: true)
        var tracker = SensorHealthTracker(descriptor: detector)
        tracker.ingest(.alive, at: Self.at(0))
        #expect(tracker.health(at: Self.at(180)) == .ok)
        #expect(tracker.health(at: Self.at(181)).quality == "stale")
    }
}
