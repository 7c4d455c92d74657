import VenueGuardCore

/// What a serial board's bytes mean to the safety logic: each complete line becomes a sample
/// (values, at the time it arrived) or a counted rejection. Pure: the port that owns the file
/// descriptor feeds it bytes and forwards the inputs.
public struct SerialBoardDecoder: Sendable {
    /// The sensor.
    public let sensor: SensorID
    private var assembler: LineAssembler
    private let parser: SerialLineParser
    private var firstLine = true
    /// Rejections so far, by reason.
    public private(set) var rejections: [SerialLineParser.Rejection: Int] = [:]
    /// Lines accepted so far.
    public private(set) var accepted = 0

    /// A decoder for `sensor` with `parser`, keeping lines of at most `maxLineBytes`.
    public init(sensor: SensorID, parser: SerialLineParser, maxLineBytes: Int = 256) {
        self.sensor = sensor
        self.parser = parser
        assembler = LineAssembler(limit: maxLineBytes)
    }

    /// The port was (re)opened: the first line may have started before we listened.
    public mutating func portOpened() {
        assembler.reset()
        firstLine = true
    }

    /// Feeds bytes that arrived at `now`; returns the inputs they make.
    public mutating func feed<S: Sequence>(_ bytes: S, at now: MonotonicInstant) -> [VenueInput] where S.Element == UInt8 {
        var inputs: [VenueInput] = []
        for piece in assembler.feed(bytes) {
            let wasFirst = firstLine
            firstLine = false
            switch piece {
            case .overlong:
                inputs.append(reject(.overlong))
            case let .line(bytes):
                switch parser.parse(bytes) {
                case let .success(values):
                    accepted += 1
                    inputs.append(.sensor(SensorReport(sensor: sensor, at: now, sample: .values(values))))
                case .failure(.empty):
                    firstLine = wasFirst  // blank lines are ignored, not counted
                case let .failure(reason):
                    // A first line that does not parse is most likely the tail of one cut off at plug-in.
                    inputs.append(reject(wasFirst ? .partial : reason))
                }
            }
        }
        return inputs
    }

    private mutating func reject(_ reason: SerialLineParser.Rejection) -> VenueInput {
        rejections[reason, default: 0] += 1
        return .inputRejected(sensor, reason: reason.rawValue)
    }
}
