import VenueGuardCore

/// Renders the effective configuration (standard → region → site) as YAML, each safety
/// parameter annotated with the layer it came from — what `venueguard check-config` prints.
public enum EffectiveConfigurationPrinter {
    /// The effective configuration as YAML text with provenance comments.
    public static func render(_ configuration: SiteConfiguration) -> String {
        let model = configuration.model
        var out: [String] = []
        out.append("# Effective configuration of \(configuration.file)")
        out.append("# Safety parameters: standard (club guide §12) → region → site; each says where it came from.")
        out.append("site:")
        out.append("  id: \(model.site.id)")
        out.append("  name: \(quoted(model.site.name))")
        out.append("  region: \(configuration.region.name)  # \(configuration.region.file ?? "built-in standard")")
        if let location = model.site.location {
            out.append("  latitude: \(location.latitude)")
            out.append("  longitude: \(location.longitude)")
        }
        if let elevation = model.site.elevation { out.append("  elevation: \(NumberText.format(elevation))") }
        out.append("  utc_offset: \"\(offsetText(model.site.utcOffsetSeconds))\"")
        out.append("hardware: \(configuration.hardware.rawValue)")
        if let simulation = configuration.simulation {
            out.append("simulation:")
            out.append("  scenario: \(simulation.scenario)")
            out.append("  speed: \(NumberText.format(simulation.speed))")
        }

        // Parameters, grouped by section, in the fixed order.
        var printedPrefixes: Set<String> = []
        for entry in configuration.parameterLayers.entries {
            let parts = entry.key.split(separator: ".").map(String.init)
            for depth in 1..<parts.count {
                let prefix = parts[0..<depth].joined(separator: ".")
                if printedPrefixes.insert(prefix).inserted {
                    out.append(String(repeating: "  ", count: depth - 1) + parts[depth - 1] + ":")
                }
            }
            out.append(String(repeating: "  ", count: parts.count - 1) + "\(parts.last!): \(entry.text)  # \(entry.source)")
        }

        out.append("areas:")
        for area in model.areas {
            out.append("  - id: \(area.id)")
            out.append("    name: \(quoted(area.name))")
            out.append("    exposure: \(area.exposure.rawValue)")
            out.append("    sensors: [\(area.sensors.map(\.rawValue).joined(separator: ", "))]")
            out.append("    method: \(area.method?.rawValue ?? "auto")")
            out.append("    defaults:")
            out.append("      wind_speed: \(area.defaults.windSpeed.map(NumberText.format) ?? "none  # assumed \(area.exposure == .indoor ? NumberText.format(WBGTInputs.assumedIndoorWind) : NumberText.format(WBGTInputs.assumedOutdoorWind)) m/s when no sensor gives it")")
            out.append("      solar_radiation: \(area.defaults.solarRadiation.map(NumberText.format) ?? "none")")
            out.append("      assume_clear_sky: \(area.defaults.assumeClearSky)")
            out.append("      pressure: \(area.defaults.pressure.map(NumberText.format) ?? "none  # standard atmosphere \(NumberText.format(model.site.standardPressure)) hPa when no sensor gives it")")
        }
        out.append("sensors:")
        for sensor in configuration.sensors {
            let d = sensor.descriptor
            out.append("  - id: \(d.id)")
            out.append("    kind: \(sensor.kind.rawValue)")
            out.append("    provides: [\(d.quantities.map(\.rawValue).joined(separator: ", "))]\(d.detectsLightning ? "  # lightning detector" : "")")
            out.append("    period: \(DurationText.format(d.samplingPeriod))")
            out.append("    max_age: \(DurationText.format(d.maxAge))")
            out.append("    trust: \(d.trust.rawValue)")
            out.append("    stuck_after: \(d.stuckAfter.map(DurationText.format) ?? "never")")
            if let diameter = d.globeDiameter { out.append("    globe_diameter_mm: \(NumberText.format(diameter * 1000))") }
            if let height = d.mountingHeight { out.append("    mounting_height_m: \(NumberText.format(height))") }
            for key in sensor.options.keys.sorted() where !["globe_diameter_mm", "mounting_height_m"].contains(key) {
                out.append("    \(key): \(inline(sensor.options[key]!))")
            }
        }
        if let mqtt = configuration.mqtt {
            out.append("mqtt:")
            out.append("  host: \(mqtt.host)")
            out.append("  port: \(mqtt.port)")
            out.append("  protocol: \"\(mqtt.protocolVersion)\"")
            out.append("  client_id: \(mqtt.clientID)")
            if let username = mqtt.username { out.append("  username: \(username)") }
            if let source = mqtt.passwordSource { out.append("  password: (from \(source); not shown)") }
            if let ca = mqtt.tlsCAFile {
                out.append("  tls: { ca_file: \(ca)\(mqtt.tlsCertFile.map { ", cert_file: \($0)" } ?? "")\(mqtt.tlsKeyFile.map { ", key_file: \($0)" } ?? ""), verify_hostname: \(mqtt.tlsVerifyHostname) }")
            }
            out.append("  keepalive: \(DurationText.format(mqtt.keepalive))")
            out.append("  reconnect_min: \(DurationText.format(mqtt.reconnectMinimum))")
            out.append("  reconnect_max: \(DurationText.format(mqtt.reconnectMaximum))")
            out.append("  topic_prefix: \(mqtt.topicPrefix)")
            out.append("  home_assistant: { enabled: \(mqtt.homeAssistant), prefix: \(mqtt.homeAssistantPrefix) }")
            out.append("  commands: \(mqtt.commands)")
            out.append("  outbox: { path: \(mqtt.outboxPath), max_age: \(DurationText.format(mqtt.outboxMaxAge)), max_size_mb: \(NumberText.format(Double(mqtt.outboxMaxBytes) / 1_000_000)), replay_rate: \(NumberText.format(mqtt.replayRate)) }")
            out.append("  state_interval: \(DurationText.format(mqtt.stateInterval))")
        }
        if let official = configuration.official {
            out.append("official:  # read by venueguard-companion")
            if let code = official.heatAlertArea { out.append("  heat_alert_area: \"\(code)\"  # 府県予報区 (forecast area)") }
            if let code = official.thunderMunicipality { out.append("  thunder_municipality: \"\(code)\"  # 市町村等 (municipality)") }
            if let code = official.jmaOffice, official.thunderMunicipality != nil {
                out.append("  jma_office: \"\(code)\"\(official.jmaOfficeCode == nil ? "  # default: heat_alert_area" : "")")
            }
            if let code = official.wbgtPoint { out.append("  wbgt_point: \"\(code)\"  # the Ministry's WBGT point") }
            out.append("  poll_interval: \(DurationText.format(official.pollInterval))")
            if official.wbgtPoint != nil {
                out.append("  disagreement_margin: \(NumberText.format(official.disagreementMargin))  # °C from the official estimate")
                out.append("  disagreement_after: \(DurationText.format(official.disagreementAfter))")
            }
        }
        out.append("companion:  # venueguard-companion's page and /metrics")
        out.append("  listen: \(configuration.companion.listen)")
        out.append("  port: \(configuration.companion.port)")
        out.append("  language: \(configuration.companion.language)")
        out.append("  records_days: \(configuration.companion.recordsDays)")
        if let plan = configuration.emergency {
            func contact(_ c: EmergencyPlan.Contact) -> String {
                "{ " + ([c.role.map { "role: \(quoted($0))" }, "name: \(quoted(c.name))", c.phone.map { "phone: \(quoted($0))" }]
                    .compactMap { $0 }.joined(separator: ", ")) + " }"
            }
            out.append("emergency:  # shown by the companion's page and legend card; 119 and 110 always")
            if let c = plan.personInCharge { out.append("  person_in_charge: \(contact(c))") }
            if let c = plan.deputy { out.append("  deputy: \(contact(c))") }
            if !plan.contacts.isEmpty {
                out.append("  contacts:")
                for c in plan.contacts { out.append("    - \(contact(c))") }
            }
            if let line = plan.adviceLine { out.append("  advice_line: \(quoted(line))") }
            if let c = plan.hospital { out.append("  hospital: \(contact(c))") }
            if let aed = plan.aed {
                out.append("  aed: { place: \(quoted(aed.place)), child_pads: \(aed.childPads.map { "\($0)" } ?? "~  # not stated")\(aed.checked.map { ", checked: \(quoted($0))" } ?? "") }")
            }
            if let room = plan.coolRoom { out.append("  cool_room: \(quoted(room))") }
            if let place = plan.indoors { out.append("  indoors: \(quoted(place))") }
            if plan.firstAssembly != nil || plan.secondAssembly != nil {
                out.append("  assembly: { " + [plan.firstAssembly.map { "first: \(quoted($0))" }, plan.secondAssembly.map { "second: \(quoted($0))" }]
                    .compactMap { $0 }.joined(separator: ", ") + " }")
            }
            if let shelter = plan.shelter { out.append("  shelter: \(quoted(shelter))") }
        }
        if let n = configuration.notifications {
            out.append("notifications:  # sent by venueguard-companion; secrets stay in their files")
            if let line = n.line {
                out.append("  line: { token_file: \(line.tokenFile), to: \"\(line.to)\"\(line.endpoint == NotificationsConfiguration.LINE.defaultEndpoint ? "" : ", endpoint: \(quoted(line.endpoint))") }")
            }
            if let file = n.slackWebhookURLFile { out.append("  slack: { webhook_url_file: \(file) }") }
            if let url = n.webhookURL {
                out.append("  webhook: { url: \(quoted(url))\(n.webhookTokenFile.map { ", token_file: \($0)" } ?? "") }")
            }
            out.append("  min_interval: \(DurationText.format(n.minInterval))")
            out.append("  max_per_hour: \(n.maxPerHour)")
            out.append("  expire_after: \(DurationText.format(n.expireAfter))")
            out.append("  silent_after: \(DurationText.format(n.silentAfter))")
        }
        out.append("signal:")
        out.append("  areas: [\(configuration.signal.areas.map(\.rawValue).joined(separator: ", "))]")
        out.append("  lamps:")
        for lamp in Lamp.allCases {
            if let line = configuration.signal.lamps[lamp] {
                out.append("    \(lamp.rawValue): { chip: \(line.chip), line: \(line.line), active: \(line.activeLow ? "low" : "high") }")
            }
        }
        if let buzzer = configuration.signal.buzzer {
            out.append("  buzzer: { chip: \(buzzer.chip), line: \(buzzer.line), active: \(buzzer.activeLow ? "low" : "high") }")
        }
        if let button = configuration.signal.button {
            out.append("  button: { chip: \(button.chip), line: \(button.line), active: \(button.activeLow ? "low" : "high"), debounce: \(DurationText.format(button.debounce)) }")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        let h = magnitude / 3600, m = (magnitude % 3600) / 60
        return "\(sign)\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
    }

    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func inline(_ value: ConfigValue) -> String {
        switch value.content {
        case let .scalar(text, quotedText): return quotedText ? quoted(text) : text
        case let .sequence(items): return "[" + items.map(inline).joined(separator: ", ") + "]"
        case let .mapping(values, order, _): return "{ " + order.map { "\($0): \(inline(values[$0]!))" }.joined(separator: ", ") + " }"
        }
    }
}
