import Foundation
import Testing
import VenueGuardCore
@testable import VenueGuardFeeds

/// The bytes of a recorded fixture under Tests/VenueGuardFeedsTests/Fixtures.
/// `alert_oversized.csv` is made here rather than stored (a real issuance repeated past 512 KiB).
func fixture(_ name: String) throws -> Data {
    let base = try #require(Bundle.module.resourceURL)
    if name == "alert_oversized.csv" {
        let one = try fixture("alert_20260807_05.csv")
        var data = Data()
        while data.count <= 512 * 1024 { data.append(one) }
        return data
    }
    return try Data(contentsOf: base.appendingPathComponent("Fixtures").appendingPathComponent(name))
}

/// A JST wall-clock time from `2026-08-07 05:10` (seconds optional).
func jst(_ text: String) -> JSTDateTime {
    let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).map { Int($0)! }
    return JSTDateTime(date: JSTDate(year: parts[0], month: parts[1], day: parts[2])!, hour: parts[3], minute: parts[4],
                       second: parts.count > 5 ? parts[5] : 0)!
}

/// A timestamp whose wall clock reads `wall` (JST) and whose monotonic clock reads `mono` seconds.
func stamp(_ wall: String, mono: Double, synchronized: Bool = true) -> Timestamp {
    Timestamp(monotonic: MonotonicInstant(seconds: mono), wall: jst(wall).wallClockTime, wallClockSynchronized: synchronized)
}

/// A timestamp whose wall clock reads an arbitrary UTC time (e.g. 1970).
func stamp(wall: WallClockTime, mono: Double, synchronized: Bool) -> Timestamp {
    Timestamp(monotonic: MonotonicInstant(seconds: mono), wall: wall, wallClockSynchronized: synchronized)
}

/// Expects `body` to throw a `FeedFault` of `kind` (and on `line`, when given); returns it.
@discardableResult
func expectFault(_ kind: FeedFault.Kind, line: Int? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                 _ body: () throws(FeedFault) -> Void) -> FeedFault? {
    do {
        try body()
        Issue.record("expected a \(kind) fault, got none", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        if let line { #expect(error.line == line, "\(error)", sourceLocation: sourceLocation) }
        return error
    }
}
