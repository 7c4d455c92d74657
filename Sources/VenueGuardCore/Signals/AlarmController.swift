/// Decides the buzzer: a chirp when the status or lightning state rises, a double chirp
/// when data becomes unknown, and a repeating alarm at `stop` or lightning `danger` until
/// someone acknowledges it. An acknowledged alarm re-arms when things get worse again.
public struct AlarmController: Hashable, Sendable {
    /// How bad things are, component by component; "worse" means any component rose.
    public struct Severity: Hashable, Sendable {
        /// Status rank: safe 0 … stop 4 (unknown is not ranked here).
        public var status: Int
        /// Lightning rank: clear 0, watch/unknown 1, danger 2.
        public var lightning: Int

        func isWorse(than other: Severity) -> Bool { status > other.status || lightning > other.lightning }
    }

    /// The severity at which the alarm was acknowledged, while it stays silenced.
    public private(set) var acknowledged: Severity?
    /// Increases whenever a buzzer pattern must start afresh.
    public private(set) var generation = 0
    private var lastKnownStatusRank: Int?
    private var lastStatus: SafetyStatus?
    private var lastLightning: LightningState?
    private var lastPattern: BuzzerPattern = .off
    private var pendingAcknowledgements: [String] = []

    /// Creates a controller with nothing sounded yet.
    public init() {}

    /// Asks to silence the current alarm (button, MQTT command); applied at the next update.
    public mutating func acknowledge(source: String) {
        pendingAcknowledgements.append(source)
    }

    /// An acknowledgement applied in an update.
    public struct Acknowledgement: Hashable, Sendable {
        /// Who acknowledged (`button`, `mqtt`, `scenario`, …).
        public var source: String
        /// Whether it silenced a sounding alarm (false: there was nothing to silence).
        public var silenced: Bool
    }

    /// What an update decided.
    public struct Decision: Hashable, Sendable {
        /// The buzzer pattern now.
        public var pattern: BuzzerPattern
        /// Acknowledgements applied in this update.
        public var acknowledgements: [Acknowledgement]
    }

    /// Updates with the current combined status and lightning state.
    public mutating func update(status: SafetyStatus, lightning: LightningState) -> Decision {
        let severity = Severity(status: status.rank ?? lastKnownStatusRank ?? 0, lightning: lightning.rank)
        let alarmCondition = status == .stop || lightning == .danger
        var acks: [Acknowledgement] = []
        for source in pendingAcknowledgements {
            let silences = alarmCondition && acknowledged == nil
            if alarmCondition { acknowledged = severity }
            acks.append(Acknowledgement(source: source, silenced: silences))
        }
        pendingAcknowledgements = []
        if !alarmCondition {
            acknowledged = nil
        } else if let acked = acknowledged, severity.isWorse(than: acked) {
            acknowledged = nil  // re-armed: things got worse since the acknowledgement
        }

        var pattern = BuzzerPattern.off
        if alarmCondition && acknowledged == nil {
            pattern = lightning == .danger ? .lightningAlarm : .heatAlarm
        } else if status == .unknown && lastStatus != nil && lastStatus != .unknown
                    || lightning == .unknown && lastLightning != nil && lastLightning != .unknown {
            pattern = .doubleChirp
        } else if let rank = status.rank, let previous = lastKnownStatusRank, rank > previous {
            pattern = .chirp
        } else if let last = lastLightning, lightning != .unknown, last != .unknown, lightning > last {
            pattern = .chirp
        }
        if pattern != .off && (pattern != lastPattern || !pattern.repeats) { generation += 1 }

        lastPattern = pattern
        lastStatus = status
        lastLightning = lightning
        if let rank = status.rank { lastKnownStatusRank = rank }
        return Decision(pattern: pattern, acknowledgements: acks)
    }
}
