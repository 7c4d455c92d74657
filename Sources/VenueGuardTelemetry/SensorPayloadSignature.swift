import VenueGuardCore

/// What a sensor's payload (`sensors/<id>`) is made from besides the sensor itself: the newest
/// reading's time, the health, and the counts of suspect quantities, faults and rejected
/// input. While it is unchanged the payload is not made again (the publisher does not send it
/// again; the state file splices the bytes it has).
public struct SensorPayloadSignature: Equatable, Sendable {
    private let newest: Int64
    private let health: SensorHealth
    private let suspect: Int
    private let faults: Int
    private let rejected: Int
    private let notes: Int

    /// The signature of `sensor` as it is now.
    public init(_ sensor: SensorStatus) {
        newest = sensor.readings.map(\.at.nanoseconds).max() ?? -1
        health = sensor.health
        suspect = sensor.suspect.count
        faults = sensor.faultCounts.values.reduce(0, +)
        rejected = sensor.rejectedInput.values.reduce(0, +)
        notes = sensor.notes.count
    }
}
