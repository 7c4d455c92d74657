/// The safety logic of a whole venue as a value: feed it inputs, ask it for the status at
/// an instant. It reads no clock and does no I/O; the caller passes time in.
///
/// For each area it picks the best WBGT method the fresh, healthy inputs allow, applies the
/// thresholds with hysteresis, raises the level by heat alerts and (outdoors) by lightning,
/// and fails safe to `unknown` when the inputs are stale or faulted. It then decides what
/// the lamps and buzzer should show.
public struct VenueEngine: Sendable {
    /// The venue.
    public let model: VenueModel
    /// Each sensor's health and latest readings.
    public private(set) var sensors: [SensorID: SensorHealthTracker]
    /// The lightning rules and recent strikes.
    public private(set) var lightning: LightningMonitor
    /// The heat alert in force (the higher of the manual and the official one).
    public private(set) var heatAlert: HeatAlert = .none
    private var heatAlertUntil: WallClockTime?
    /// Whether a thunder advisory is in force (manual or official).
    public private(set) var thunderAdvisory = false
    private var thunderAdvisoryUntil: WallClockTime?
    /// Each origin's heat alert and expiry (`nil`: none from that origin).
    private var heatAlerts: [AlertOrigin: (alert: HeatAlert, until: WallClockTime?)] = [:]
    /// Each origin's advisory expiry (present: in force; a `nil` expiry: until lifted).
    private var advisories: [AlertOrigin: WallClockTime?] = [:]
    private var trackers: [AreaID: HeatLevelTracker] = [:]
    private var alarm = AlarmController()
    private var previous: VenueStatus?
    private var previousHealth: [SensorID: String] = [:]
    private var events: [VenueEvent] = []
    private var lastInstant = MonotonicInstant.origin
    /// The first evaluation: sensors get their `max_age` from here to give a first reading.
    private var startedAt: MonotonicInstant?
    /// What the companion service last said about each official source, and when it arrived.
    private var officialReports: [OfficialSource: (availability: OfficialAvailability, received: MonotonicInstant)] = [:]
    /// Whether each official source was known at the last evaluation (for the change events).
    private var officialKnown: [OfficialSource: Bool] = [:]
    /// The official WBGT forecast last handed in, and when.
    private var forecastReport: (forecast: OfficialForecast, received: MonotonicInstant)?
    /// How long the companion service may say nothing before every official source it reads is
    /// "not known" (it reports each source at least once a minute).
    public static let companionSilence = Duration.seconds(180)
    /// The box's outdoor WBGT against the official estimate (when the model asks for it).
    private var comparison: EstimateComparison?

    /// Creates an engine for `model` with no readings yet (every area `unknown`).
    public init(model: VenueModel) {
        self.model = model
        sensors = Dictionary(uniqueKeysWithValues: model.sensors.map { ($0.id, SensorHealthTracker(descriptor: $0)) })
        lightning = LightningMonitor(parameters: model.parameters.lightning)
        comparison = model.estimateComparison.map { EstimateComparison(parameters: $0, utcOffsetSeconds: model.site.utcOffsetSeconds) }
    }

    // For VenueMemory (same module, another file).
    var heatTrackers: [AreaID: HeatLevelTracker] { trackers }
    var heatAlertExpiry: WallClockTime? { heatAlertUntil }
    var thunderAdvisoryExpiry: WallClockTime? { thunderAdvisoryUntil }
    var heatAlertOnlyOfficial: Bool { heatAlert != .none && heatAlerts[.manual]?.alert != heatAlert }
    var thunderAdvisoryOnlyOfficial: Bool { thunderAdvisory && advisories[.manual] == nil }
    mutating func restoreStrike(_ strike: LightningStrike) { lightning.record(strike) }
    mutating func seedLevel(_ level: HeatLevel, scale: HeatScale, for area: AreaID) {
        trackers[area] = HeatLevelTracker(holding: level, scale: scale)
    }

    /// Takes one input. Sensor reports for unknown sensors are ignored (and reported as an event-free no-op).
    public mutating func apply(_ input: VenueInput) {
        switch input {
        case let .sensor(report):
            guard var tracker = sensors[report.sensor] else { return }
            let outcome = tracker.ingest(report.sample, at: report.at)
            sensors[report.sensor] = tracker
            lastInstant = max(lastInstant, report.at)
            switch outcome {
            case let .faulted(reason, newFault) where newFault:
                events.append(VenueEvent(at: report.at, kind: .sensorFaulted(report.sensor, reason)))
                previousHealth[report.sensor] = "faulted"
            default:
                break
            }
        case let .strike(strike):
            lightning.record(strike)
            lastInstant = max(lastInstant, strike.at)
            events.append(VenueEvent(at: strike.at, kind: .strike(strike)))
        case let .heatAlert(alert, until, origin):
            heatAlerts[origin] = alert == .none ? nil : (alert, until)
            settleAlerts(at: lastInstant)
        case let .thunderAdvisory(active, until, origin):
            advisories[origin] = active ? .some(until) : nil
            settleAlerts(at: lastInstant)
        case let .acknowledge(source):
            alarm.acknowledge(source: source)
        case let .inputRejected(sensor, reason):
            sensors[sensor]?.rejectInput(reason)
        case let .officialFeed(source, availability):
            officialReports[source] = (availability, lastInstant)
        case let .officialForecast(forecast):
            forecastReport = (forecast, lastInstant)
        case let .officialEstimate(hour, wbgt):
            comparison?.recordOfficial(wbgt, hour: hour)
        }
    }

    /// Events since the last call, oldest first.
    public mutating func drainEvents() -> [VenueEvent] {
        defer { events = [] }
        return events
    }

    /// The status at `now`. Updates hysteresis, alert expiry and the buzzer state, so call it
    /// with non-decreasing times.
    public mutating func evaluate(at now: Timestamp) -> VenueStatus {
        let t = now.monotonic
        lastInstant = max(lastInstant, t)
        if startedAt == nil { startedAt = t }
        expireInputs(now)
        let sensorStatuses = model.sensors.map { descriptor -> SensorStatus in
            let tracker = sensors[descriptor.id]!
            return SensorStatus(descriptor: descriptor, health: tracker.health(at: t),
                                readings: tracker.latest.values.sorted { $0.quantity < $1.quantity },
                                faultCounts: tracker.faultCounts, rejectedInput: tracker.rejectedInput,
                                suspect: tracker.suspect, notes: tracker.notes)
        }
        noteHealthTransitions(sensorStatuses, at: t)

        var venueReasons: [String] = []
        var venueDetails: [String] = []
        let (lightningState, assessment) = assessLightning(at: t, reasons: &venueReasons, details: &venueDetails)
        if heatAlert != .none {
            venueReasons.append("\(heatAlert.englishName) (\(heatAlert.japaneseName)) in force (\(heatAlertOrigins))")
        }
        let official = officialStatuses(now: now)
        for feed in official where !feed.availability.isKnown && !feed.awaitingCompanion {
            venueReasons.append(feed.englishText(utcOffsetSeconds: model.site.utcOffsetSeconds)
                + (feed.source == .forecast ? "" : ": the last official state holds until its end"))
        }

        var areas: [AreaStatus] = []
        for area in model.areas {
            areas.append(evaluateArea(area, now: now, lightning: lightningState))
        }
        let disagreements = compareWithEstimate(areas, at: now)
        for (area, diagnostic) in disagreements.sorted(by: { $0.key < $1.key }) {
            venueDetails.append("\(area): \(diagnostic.englishText)")
        }
        let shown = areas.filter { model.signalAreas.contains($0.id) }
        let overall = SafetyStatus.combined(shown.map(\.status))
        let heatLevel = SafetyStatus.combined(shown.map(\.heatLevel))

        let decision = alarm.update(status: overall, lightning: lightningState)
        for ack in decision.acknowledgements {
            events.append(VenueEvent(at: t, kind: .acknowledged(source: ack.source, silenced: ack.silenced)))
        }
        let signal = SignalIntent(lamps: SignalLegend.lamps(status: overall, lightning: lightningState),
                                  buzzer: decision.pattern, buzzerGeneration: alarm.generation)
        if alarm.acknowledged != nil { venueReasons.append("alarm acknowledged: buzzer silenced until things get worse") }

        let status = VenueStatus(
            at: now, areas: areas, overall: overall, heatLevel: heatLevel, lightning: lightningState,
            lightningStrike: assessment.holdingStrike, lightningEndsAt: assessment.endsAt, heatAlert: heatAlert,
            thunderAdvisory: thunderAdvisory, signal: signal, sensors: sensorStatuses,
            reasons: venueReasons + areas.flatMap { area in area.reasons.map { "\(area.id): \($0)" } },
            details: venueDetails + areas.flatMap { area in area.details.map { "\(area.id): \($0)" } },
            official: official, forecast: forecastReport.flatMap { t - $0.received < Self.forecastLifetime ? $0.forecast : nil },
            estimateDisagreements: disagreements)
        noteStatusChanges(status, at: t)
        previous = status
        return status
    }

    // MARK: - Pieces of the evaluation

    /// Adds the outdoor areas' WBGT to the comparison with the official estimate (only with a
    /// synchronised clock: the hours are wall-clock hours) and returns the diagnostics raised,
    /// with an event whenever an area's starts or ends.
    private mutating func compareWithEstimate(_ areas: [AreaStatus], at now: Timestamp) -> [AreaID: ForecastDisagreement.Diagnostic] {
        guard var comparison else { return [:] }
        let before = comparison.diagnostics
        if now.wallClockSynchronized {
            for area in areas where area.exposure == .outdoor && area.status != .unknown {
                if let wbgt = area.estimate?.wbgt { comparison.record(wbgt, area: area.id, at: now.wall) }
            }
        }
        comparison.settle()
        let after = comparison.diagnostics
        for area in Set(before.keys).union(after.keys).sorted() where (before[area] == nil) != (after[area] == nil) {
            events.append(VenueEvent(at: now.monotonic, kind: .estimateDisagreement(area: area, after[area])))
        }
        self.comparison = comparison
        return after
    }

    /// A forecast not handed in again for this long is no longer shown (the companion resends it
    /// every round; it fetches it at most hourly).
    static let forecastLifetime = Duration.seconds(3 * 3600)

    /// The configured official sources as known now: what the companion said, unless it has
    /// been silent for `companionSilence` (then not known since its last word). Before the
    /// companion's first word the grace is counted from the first evaluation.
    private func officialStatuses(now: Timestamp) -> [OfficialFeedStatus] {
        let t = now.monotonic
        return model.officialSources.sorted().map { source in
            guard let report = officialReports[source] else {
                let silent = t - (startedAt ?? t) >= Self.companionSilence
                return OfficialFeedStatus(source: source, availability: .notKnown(since: nil), companionSilent: silent,
                                          awaitingCompanion: !silent)
            }
            guard t - report.received >= Self.companionSilence else {
                return OfficialFeedStatus(source: source, availability: report.availability)
            }
            let lastWord = now.wall.adding(seconds: -(t - report.received).seconds)
            let since: WallClockTime? = switch report.availability {
            case let .known(asOf): min(asOf, lastWord)
            case let .notKnown(since): since
            case .outOfSeason: lastWord
            }
            return OfficialFeedStatus(source: source, availability: .notKnown(since: since), companionSilent: true)
        }
    }

    private mutating func expireInputs(_ now: Timestamp) {
        // An unsynchronised clock cannot prove an alert has expired: keep it (the safe side).
        guard now.wallClockSynchronized else { return }
        for (origin, entry) in heatAlerts {
            if let until = entry.until, now.wall >= until { heatAlerts[origin] = nil }
        }
        for (origin, until) in advisories {
            if let until, now.wall >= until { advisories[origin] = nil }
        }
        settleAlerts(at: now.monotonic)
    }

    /// The alert and advisory in force from both origins, with an event when either changes.
    private mutating func settleAlerts(at instant: MonotonicInstant) {
        let alert = heatAlerts.values.map(\.alert).max() ?? .none
        if alert != heatAlert { events.append(VenueEvent(at: instant, kind: .heatAlertChanged(from: heatAlert, to: alert))) }
        heatAlert = alert
        // The latest expiry among the origins giving the alert in force (none if one has none).
        let giving = heatAlerts.values.filter { $0.alert == alert }
        heatAlertUntil = alert == .none || giving.contains { $0.until == nil } ? nil : giving.compactMap(\.until).max()
        let active = !advisories.isEmpty
        if active != thunderAdvisory { events.append(VenueEvent(at: instant, kind: .thunderAdvisoryChanged(active))) }
        thunderAdvisory = active
        thunderAdvisoryUntil = !active || advisories.values.contains { $0 == nil } ? nil : advisories.values.compactMap { $0 }.max()
    }

    /// Which origins give the heat alert in force, for its reason ("official", "set by hand").
    private var heatAlertOrigins: String {
        heatAlerts.filter { $0.value.alert == heatAlert }.keys.sorted { $0.rawValue < $1.rawValue }
            .map { $0 == .official ? "official" : "set by hand" }.joined(separator: " and ")
    }

    private func assessLightning(at t: MonotonicInstant, reasons: inout [String], details: inout [String]) -> (LightningState, LightningMonitor.Assessment) {
        let assessment = lightning.assess(at: t, advisory: thunderAdvisory)
        var state = assessment.state
        let p = model.parameters.lightning
        switch state {
        case .danger, .watch:
            if let strike = assessment.holdingStrike, let ends = assessment.endsAt {
                let radius = state == .danger ? p.dangerRadiusKm : p.watchRadiusKm
                reasons.append("lightning \(state.rawValue): a strike within \(NumberText.format(radius)) km less than \(DurationText.format(p.allClear)) ago")
                details.append("lightning \(state.rawValue) held by the strike \(strike.distance) at \(strike.at) until \(ends) unless another comes")
            }
            if thunderAdvisory { reasons.append("thunder advisory/warning (雷注意報/警報) in force") }
        case .clear, .unknown:
            break
        }
        let detectors = model.sensors.filter { $0.detectsLightning && $0.trust == .authoritative }
        if state == .clear, !detectors.isEmpty {
            let healthy = detectors.filter { sensors[$0.id]!.health(at: t) == .ok }
            if healthy.isEmpty {
                state = .unknown
                for detector in detectors {
                    reasons.append("lightning unknown: detector \(detector.id) \(sensors[detector.id]!.health(at: t))")
                }
            }
        }
        return (state, assessment)
    }

    private mutating func evaluateArea(_ area: AreaDescriptor, now: Timestamp, lightning: LightningState) -> AreaStatus {
        let t = now.monotonic
        var reasons: [String] = []
        var details: [String] = []
        for id in area.sensors {
            guard let tracker = sensors[id], tracker.descriptor.trust == .authoritative else { continue }
            let health = tracker.health(at: t)
            if health != .ok { reasons.append("sensor \(id) \(health)") }
            for quantity in tracker.suspect.keys.sorted() where health == .ok {
                reasons.append("sensor \(id): \(tracker.suspect[quantity]!)")
            }
        }

        // A sensor still within its first max_age that has not yet given every quantity it is
        // configured for (an anemometer counts for ten seconds first; a board printing one
        // quantity per line gives temperature before humidity) is awaited: an estimate made
        // without them would rest on a lesser method or assumptions, and its level would then
        // be held for the whole dwell.
        let awaited = area.sensors.filter { id in
            guard let tracker = sensors[id], tracker.descriptor.trust == .authoritative,
                  let startedAt, t - startedAt < tracker.descriptor.maxAge else { return false }
            if case .faulted = tracker.health(at: t) { return false }
            return tracker.descriptor.quantities.contains { tracker.latest[$0] == nil }
        }
        let inputs = gatherInputs(for: area, now: now)
        var tracker = trackers[area.id] ?? HeatLevelTracker()
        var estimate: WBGTEstimate?
        var estimateError: WBGTError?
        var measured: HeatLevel?
        let result: Result<WBGTEstimate, WBGTError> = awaited.isEmpty
            ? WBGTEstimator.estimate(inputs, method: area.method)
            : .failure(.startingUp(awaiting: awaited))
        switch result {
        case let .success(result):
            estimate = result
            let thresholds = model.parameters.thresholds(for: result.scale)
            measured = tracker.update(value: result.index, scale: result.scale, thresholds: thresholds,
                                      hysteresis: model.parameters.hysteresis, at: t)
            reasons.append(describe(result, level: measured!, thresholds: thresholds))
            if let hold = tracker.hold {
                let scaleName = hold.scale == .wbgt ? "WBGT" : "air temperature"
                details.append("holding \(hold.level.rawValue) until \(scaleName) stays at or below \(NumberText.format(hold.stepDownAtOrBelow)) °C for \(DurationText.format(hold.dwell)) (\(DurationText.format(hold.remaining)) to go)")
            }
            reasons.append(contentsOf: result.notes)
        case let .failure(error):
            estimateError = error
            tracker.forgetEvidence()
            reasons.append("no heat reading: \(error)")
        }
        trackers[area.id] = tracker

        // Heat alerts set a floor on the heat level.
        var heatLevel: SafetyStatus = measured.map(SafetyStatus.init) ?? .unknown
        if let floor = model.parameters.consequence(of: heatAlert)?.floor(for: area.exposure) {
            if let level = measured, level < floor {
                heatLevel = SafetyStatus(floor)
                reasons.append("\(heatAlert.englishName) (\(heatAlert.japaneseName)): at least \(floor.rawValue) \(area.exposure.rawValue)s")
            } else if measured == nil, floor == .stop {
                heatLevel = .stop
                reasons.append("\(heatAlert.englishName) (\(heatAlert.japaneseName)): \(area.exposure.rawValue) activity stopped")
            }
        }

        // Lightning stops outdoor activity; indoors it calls for precautions.
        var status = heatLevel
        var lightningFloor: HeatLevel?
        switch (area.exposure, lightning) {
        case (.outdoor, .danger):
            lightningFloor = model.parameters.lightning.dangerOutdoorLevel
            if lightningFloor != nil { reasons.append("lightning danger: outdoor activity stopped, go indoors") }
        case (.outdoor, .watch) where thunderAdvisory:
            lightningFloor = model.parameters.lightning.advisoryOutdoorLevel
            if lightningFloor != nil { reasons.append("thunder advisory: outdoor activity stopped") }
        case (.outdoor, .watch):
            reasons.append("lightning watch: be ready to move indoors")
        case (.indoor, .danger):
            reasons.append("lightning danger: stay indoors, including for pick-up and the way home")
        case (.indoor, .watch):
            reasons.append("lightning watch: plan pick-up and the way home")
        default:
            break
        }
        if let floor = lightningFloor {
            if let level = status.level {
                if level < floor { status = SafetyStatus(floor) }
            } else if floor == .stop {
                status = .stop
            }
        }
        return AreaStatus(id: area.id, name: area.name, exposure: area.exposure, status: status, heatLevel: heatLevel,
                          estimate: estimate, estimateError: estimateError, hold: tracker.hold, reasons: reasons, details: details)
    }

    private func describe(_ estimate: WBGTEstimate, level: HeatLevel, thresholds: HeatThresholds) -> String {
        let scaleName = estimate.scale == .wbgt ? "WBGT" : "air temperature"
        let lower = thresholds.lowerBound(of: level)
        let upper = HeatLevel.allCases.first { $0 > level }.flatMap { thresholds.lowerBound(of: $0) }
        let band: String
        switch (lower, upper) {
        case let (l?, u?): band = "\(NumberText.format(l))–\(NumberText.format(u)) °C"
        case let (l?, nil): band = "≥ \(NumberText.format(l)) °C"
        case let (nil, u?): band = "< \(NumberText.format(u)) °C"
        case (nil, nil): band = ""
        }
        var text = "\(level.rawValue) (\(level.japaneseName)): \(scaleName) \(band) by \(estimate.method.rawValue)"
        let assumed = estimate.inputs.keys.sorted().compactMap { quantity -> String? in
            guard let source = estimate.inputs[quantity]?.source else { return nil }
            switch source {
            case .assumed, .configured: return "\(quantity.label) \(source)"
            case .sensor(_, .luxEstimate): return "\(quantity.label) from a lux estimate"
            default: return nil
            }
        }
        if !assumed.isEmpty { text += "; " + assumed.joined(separator: ", ") }
        return text
    }

    /// The inputs an area's estimate may use: for each quantity the first usable
    /// authoritative sensor in the area's order, then the area's configured defaults.
    private func gatherInputs(for area: AreaDescriptor, now: Timestamp) -> WBGTInputs {
        let t = now.monotonic
        var inputs = WBGTInputs(exposure: area.exposure)
        func first(_ quantity: Quantity) -> (Reading, SensorDescriptor)? {
            for id in area.sensors {
                guard let tracker = sensors[id], tracker.descriptor.trust == .authoritative,
                      let reading = tracker.usableReading(quantity, at: t) else { continue }
                return (reading, tracker.descriptor)
            }
            return nil
        }
        func sourced(_ quantity: Quantity) -> SourcedValue? {
            first(quantity).map { SourcedValue($0.0.value, .sensor($0.0.sensor, $0.0.origin)) }
        }
        inputs.airTemperature = sourced(.airTemperature)
        inputs.relativeHumidity = sourced(.relativeHumidity)
        inputs.naturalWetBulb = sourced(.naturalWetBulb)
        inputs.wbgt = sourced(.wbgt)
        if let (reading, descriptor) = first(.globeTemperature) {
            inputs.globeTemperature = SourcedValue(reading.value, .sensor(reading.sensor, reading.origin))
            inputs.globeDiameter = descriptor.globeDiameter ?? WBGTInputs.standardGlobeDiameter
        }
        if let (reading, descriptor) = first(.windSpeed) {
            let speed = Atmosphere.windAtTwoMetres(reading.value, measuredAt: descriptor.mountingHeight ?? 2)
            inputs.windSpeed = SourcedValue(speed, .sensor(reading.sensor, reading.origin))
        } else if let wind = area.defaults.windSpeed {
            inputs.windSpeed = SourcedValue(wind, .configured)
        }
        if let solar = sourced(.solarRadiation) {
            inputs.solarRadiation = solar
        } else if let solar = area.defaults.solarRadiation {
            inputs.solarRadiation = SourcedValue(solar, .configured)
        }
        inputs.assumeClearSkyWhenNoSolar = area.defaults.assumeClearSky
        if let pressure = sourced(.pressure) {
            inputs.pressure = pressure
        } else if let pressure = area.defaults.pressure {
            inputs.pressure = SourcedValue(pressure, .configured)
        } else if model.site.elevation != nil {
            inputs.pressure = SourcedValue(model.site.standardPressure, .assumed("standard atmosphere at the site's elevation"))
        }
        inputs.location = model.site.location
        inputs.time = now.wallClockSynchronized ? now.wall : nil
        return inputs
    }

    private mutating func noteHealthTransitions(_ statuses: [SensorStatus], at t: MonotonicInstant) {
        for status in statuses {
            let quality = status.health.quality
            let before = previousHealth[status.descriptor.id]
            if before == quality { continue }
            switch status.health {
            case .ok where before != nil:
                events.append(VenueEvent(at: t, kind: .sensorRecovered(status.descriptor.id)))
            case .stale where before == "ok":
                events.append(VenueEvent(at: t, kind: .sensorStale(status.descriptor.id)))
            case let .faulted(reason) where before != "faulted":
                events.append(VenueEvent(at: t, kind: .sensorFaulted(status.descriptor.id, reason)))
            default:
                break
            }
            previousHealth[status.descriptor.id] = quality
        }
    }

    private mutating func noteStatusChanges(_ status: VenueStatus, at t: MonotonicInstant) {
        for area in status.areas {
            let before = previous?.area(area.id)?.status
            if before != area.status {
                events.append(VenueEvent(at: t, kind: .statusChanged(area: area.id, from: before, to: area.status)))
            }
        }
        if previous?.lightning != status.lightning {
            events.append(VenueEvent(at: t, kind: .lightningChanged(from: previous?.lightning, to: status.lightning)))
        }
        for feed in status.official where !feed.awaitingCompanion {
            let known = feed.availability.isKnown
            // The first word counts as a change only when it is bad news.
            if officialKnown[feed.source] != known, officialKnown[feed.source] != nil || !known {
                events.append(VenueEvent(at: t, kind: .officialFeedChanged(feed, utcOffsetSeconds: model.site.utcOffsetSeconds)))
            }
            officialKnown[feed.source] = known
        }
    }
}
