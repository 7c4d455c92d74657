import Foundation
import Testing
@testable import VenueGuardCore

/// What survives a reload or restart: the 30-minute rule, alerts and held levels.
struct VenueMemoryTests {
    static let model = VenueModel(
        site: SiteDescriptor(id: "m", name: "M", location: GeoLocation(latitude: 35.68, longitude: 139.77)),
        areas: [AreaDescriptor(id: "hall", name: "Hall", exposure: .indoor, sensors: ["t"])],
        sensors: [SensorDescriptor(id: "t", kind: "sht3x", quantities: [.airTemperature, .relativeHumidity], samplingPeriod: .seconds(10))])
    static let saveWall = 1_722_484_800.0  // 2024-08-01T04:00:00Z

    /// An engine that heard a strike `strikeAge` before the save and sits at `level`'s value.
    static func saved(strikeKm: Double = 8, strikeAge: Double = 600, ta: Double = 38, synchronized: Bool = true) -> VenueMemory {
        var engine = VenueEngine(model: model)
        let now = Timestamp(monotonic: MonotonicInstant(seconds: 5000), wall: WallClockTime(secondsSince1970: saveWall), wallClockSynchronized: synchronized)
        engine.apply(.strike(LightningStrike(distance: .kilometres(strikeKm), energy: 1000, at: MonotonicInstant(seconds: 5000 - strikeAge), source: "as3935")))
        engine.apply(.sensor(SensorReport(sensor: "t", at: now.monotonic, sample: .values([.airTemperature: ta, .relativeHumidity: 70]))))
        engine.apply(.heatAlert(.alert, until: WallClockTime(secondsSince1970: saveWall + 3600 * 10)))
        _ = engine.evaluate(at: now)
        return engine.memory(at: now)
    }

    /// A fresh engine restored `downtime` seconds after the save, then evaluated with `ta`.
    static func restarted(_ memory: VenueMemory, downtime: Double, synchronized: Bool = true, ta: Double = 22,
                          after: Double = 0) -> VenueStatus {
        var engine = VenueEngine(model: model)
        let start = Timestamp(monotonic: MonotonicInstant(seconds: 3), wall: WallClockTime(secondsSince1970: saveWall + downtime),
                              wallClockSynchronized: synchronized)
        engine.restore(memory, at: start)
        let at = Timestamp(monotonic: start.monotonic + .seconds(fractional: after), wall: start.wall.adding(seconds: after),
                           wallClockSynchronized: synchronized)
        engine.apply(.sensor(SensorReport(sensor: "t", at: at.monotonic, sample: .values([.airTemperature: ta, .relativeHumidity: 50]))))
        return engine.evaluate(at: at)
    }

    @Test("The memory holds the strike's wall time, the alert and the level, and survives JSON")
    func contents() throws {
        let memory = Self.saved()
        #expect(memory.dangerStrike == VenueMemory.Strike(kilometres: 8, energy: 1000, wall: Self.saveWall - 600, source: "as3935"))
        #expect(memory.heatAlert == "alert" && memory.heatAlertUntil == Self.saveWall + 36000)
        #expect(memory.levels["hall"]?.level == "stop")
        let decoded = try JSONDecoder().decode(VenueMemory.self, from: JSONEncoder().encode(memory))
        #expect(decoded == memory)
        #expect(memory.sameFacts(as: decoded))
    }

    @Test("Lightning after a restart: the 30 minutes run from the strike, not from the restart", arguments: [
        // (strike age at save s, downtime s, clocks synchronised, evaluated after s, expected state)
        (600.0, 300.0, true, 0.0, LightningState.danger),      // 15 min into the rule: danger
        (600, 300, true, 899, .danger),                         // 1 s before 30 min
        (600, 300, true, 901, .clear),                          // 30 min after the strike: clear (advisory-free)
        (600, 1500, true, 0, .clear),                           // 35 min after the strike: already clear
        (600, 1500, false, 0, .danger),                         // unknown downtime: as old as at the save (the safe side)
        (600, 1500, false, 1199, .danger),
        (600, 1500, false, 1201, .clear),
    ])
    func lightning(_ row: (age: Double, downtime: Double, synchronized: Bool, after: Double, state: LightningState)) {
        let memory = Self.saved(strikeAge: row.age, synchronized: row.synchronized)
        let status = Self.restarted(memory, downtime: row.downtime, synchronized: row.synchronized, after: row.after)
        #expect(status.lightning == row.state, "\(row)")
    }

    @Test("A held level is held again for a full dwell after a short restart, not after a long one")
    func levels() {
        let memory = Self.saved(ta: 38)
        let soon = Self.restarted(memory, downtime: 60, ta: 22)
        #expect(soon.area("hall")?.heatLevel == .stop)
        #expect(soon.area("hall")?.hold?.remaining == .seconds(600))
        let late = Self.restarted(memory, downtime: 900, ta: 22)
        #expect(late.area("hall")?.heatLevel != .stop)
        // A higher value after the restart still steps up at once.
        #expect(Self.restarted(Self.saved(ta: 30), downtime: 60, ta: 38).area("hall")?.heatLevel == .stop)
    }

    @Test("Alerts come back with their expiry")
    func alerts() {
        let status = Self.restarted(Self.saved(), downtime: 60)
        #expect(status.heatAlert == .alert)
        let expired = Self.restarted(Self.saved(), downtime: 36001)
        #expect(expired.heatAlert == .none)
    }
}
