import Foundation
import VenueGuardCore

/// Why the venue shows what it shows, in plain words a mentor understands, in both languages,
/// built from the daemon's structured state (each area's WBGT, method and levels, the lightning
/// state and last strike, the alerts, each sensor's health, the official feeds' freshness). The
/// daemon's own reason lines stay available as technical details.
enum PlainReasons {
    /// The reasons, most important first.
    static func of(_ snapshot: DaemonSnapshot) -> [Bilingual] {
        guard let state = snapshot.state else { return [] }
        var out: [Bilingual] = []
        let facts = snapshot.siteFacts
        // Stops first: the alerts and lightning.
        switch state.alerts.heatAlert {
        case "special-alert":
            out.append(Bilingual("熱中症特別警戒アラートが発表されています:屋内も屋外もすべての運動を中止します。",
                                 "A special heat-stroke alert is in force: all activity stops, indoors and outdoors."))
        case "alert":
            out.append(Bilingual("熱中症警戒アラートが発表されています:屋外の運動は中止、屋内は厳重警戒で行います。",
                                 "A heat-stroke alert is in force: outdoor activity stops, indoors is at least a severe warning."))
        default: break
        }
        let strike = state.lightning.lastStrikeKm.map { km in
            (km: HTMLText.number(km), at: HTMLText.clock(state.lightning.lastStrikeTime))
        }
        let wait = (facts?.lightning.allClearS ?? 1800) / 60
        switch state.lightning.state {
        case "danger":
            out.append(Bilingual("落雷の危険:\(strike.map { "\($0.at)に\($0.km) km先で雷。" } ?? "")最後の雷から\(wait)分は全員屋内に。",
                                 "Lightning danger: \(strike.map { "a strike \($0.km) km away at \($0.at). " } ?? "")Everyone stays indoors until \(wait) min after the last strike."))
        case "watch":
            out.append(Bilingual("雷の注意:\(strike.map { "\($0.at)に\($0.km) km先で雷。" } ?? "")近づけばすぐ屋内へ。",
                                 "Lightning watch: \(strike.map { "a strike \($0.km) km away at \($0.at). " } ?? "")Move indoors if it comes closer."))
        case "unknown":
            out.append(Bilingual("雷センサーから値が届かないため、雷の接近がわかりません。空と雷鳴に注意してください。",
                                 "The lightning detector is not reporting, so approaching storms cannot be detected: watch the sky and listen for thunder."))
        default: break
        }
        if state.alerts.thunderAdvisory {
            out.append(Bilingual("雷注意報が発表されています:屋外の活動は中止します。", "A thunder advisory is in force: outdoor activity stops."))
        }
        // Each area's heat.
        for (_, area) in snapshot.orderedAreas {
            let name = area.name
            if let wbgt = area.wbgt, (-40...70).contains(wbgt) {
                let dry = area.scale == "dry-bulb"
                let level = VenueWords.status(area.heatLevel)
                let quantity = dry ? Bilingual("気温", "air temperature") : Bilingual("暑さ指数(WBGT)", "WBGT")
                let bound = facts.flatMap { f -> Double? in
                    let t = dry ? f.dryBulbThresholds : f.wbgtThresholds
                    switch area.heatLevel {
                    case "caution": return t.caution
                    case "warning": return t.warning
                    case "severe": return t.severe
                    case "stop": return t.stop
                    default: return nil
                    }
                }
                let boundText = bound.map { Bilingual("(\(HTMLText.number($0, digits: 0)) °C以上)", " (\(HTMLText.number($0, digits: 0)) °C or more)") }
                    ?? Bilingual("", "")
                // A level held after the value fell below its threshold (the step-down waits): said so.
                let held = bound.map { wbgt < $0 } ?? false
                let heldText = held ? Bilingual("。値は基準を下回りましたが、下回った状態がしばらく続くまでこのレベルを保ちます",
                                                ": the value is below it now; the level steps down only once it has stayed below for a while")
                                    : Bilingual("", "")
                out.append(Bilingual("\(name):\(quantity.ja) \(HTMLText.number(wbgt)) °C → \(level.ja)\(boundText.ja)\(heldText.ja)",
                                     "\(name): \(quantity.en) \(HTMLText.number(wbgt)) °C → \(level.en)\(boundText.en)\(heldText.en)"))
                if dry {
                    out.append(Bilingual("\(name):WBGTが測れないため気温で判断しています(目安)。", "\(name): judged by air temperature because WBGT cannot be worked out (a stopgap)."))
                }
            } else {
                out.append(Bilingual("\(name):暑さ指数が求められません(センサーの故障・未接続・値待ち)。レベルは「不明」です。",
                                     "\(name): no WBGT can be worked out (a sensor is faulted, missing or not reporting yet), so the level is unknown."))
            }
            if area.status != area.heatLevel, area.status == "stop", area.heatLevel != "stop" {
                out.append(Bilingual("\(name):暑さ以外(雷・アラート)の理由で中止です。", "\(name): stopped for a reason other than the heat itself (lightning or an alert)."))
            }
        }
        // Sensors that are not well.
        for sensor in snapshot.sensors ?? [] where sensor.quality != "ok" {
            let what = sensor.quality == "stale"
                ? Bilingual("センサー \(sensor.sensor) から値が届いていません", "sensor \(sensor.sensor) has sent no recent reading")
                : Bilingual("センサー \(sensor.sensor) が故障と判定されています", "sensor \(sensor.sensor) is judged faulted")
            let why = sensor.reason.map { " (\($0.prefix(120)))" } ?? ""
            out.append(Bilingual(what.ja + "。配線と設置場所を確認してください" + why, what.en + ": check its wiring and placement" + why))
        }
        // What the official feeds do not say.
        for source in [state.official?.heatAlerts, state.official?.thunderAdvisory, state.official?.forecast].compactMap({ $0 })
        where source.state == "not-known" {
            out.append(Bilingual(source.textJa, source.textEn))
        }
        if !state.clockSynchronized {
            out.append(Bilingual("本体の時計が合っていない可能性があります(時刻同期前)。", "The box's clock may be wrong (not synchronised yet)."))
        }
        return out
    }
}
