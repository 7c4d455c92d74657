import VenueGuardConfiguration
import VenueGuardCore

/// Home Assistant MQTT discovery, as Home Assistant's current documentation describes it
/// (home-assistant.io/integrations/mqtt, "MQTT discovery"; `default_entity_id` replaces the
/// deprecated `object_id`, which stops working in Home Assistant 2026.4).
///
/// - One device for the venue (`sw_version`, `origin`) and one per area (`suggested_area`,
///   `via_device` the venue), so a dashboard groups an area's entities by room.
/// - Per area: WBGT, the heat level and the overall status (which includes lightning and
///   alert stops) as separate entities; the status carries the reasons as attributes.
/// - Per sensor: its readings and a problem entity (diagnostic). A reading is unavailable at
///   once when its sensor's quality is not `ok` (availability on `sensors/<id>`), and a
///   template never errors on a payload without the value (`"values": {}`).
/// - Enum options never include `unknown`, Home Assistant's own reserved state: VenueGuard's
///   `unknown` maps to `no-data` here (VenueGuard's own topics keep the documented names).
/// - With commands enabled: a button that acknowledges, a select for a manual heat alert and a
///   switch for a manual thunder advisory, each sending exactly what `CommandParser` accepts.
/// - With the companion service: one diagnostic entity per official source ("heat alerts: not
///   known since 14:05") and the forecast maxima.
public struct HomeAssistantDiscovery: Sendable {
    /// The discovery prefix (default `homeassistant`).
    public let prefix: String
    let topics: TopicScheme
    let model: VenueModel
    let stateInterval: Duration
    let commands: Bool

    /// The software version in `origin` and on the venue device.
    public static let softwareVersion = "0.1.0"
    /// Where `origin` points for support.
    public static let supportURL = "https://venueguard.example/support"

    /// Creates discovery for `model`; `commands` adds the controls.
    public init(prefix: String, topics: TopicScheme, model: VenueModel, stateInterval: Duration, commands: Bool = false) {
        self.prefix = prefix
        self.topics = topics
        self.model = model
        self.stateInterval = stateInterval
        self.commands = commands
    }

    /// The topic Home Assistant announces `online` on when it (re)starts.
    public var statusTopic: String { "\(prefix)/status" }

    /// The node id: `venueguard_<site-id>` (Home Assistant allows `-` and `_`, and the broker ACL matches it by the site id).
    var node: String { "venueguard_\(model.site.id)" }

    /// Every discovery topic of this box, whatever it configures (for clearing removed ones).
    public var ownConfigPattern: String { "\(prefix)/+/\(node)/+/config" }

    /// `a-z0-9_` only, as an entity id needs.
    static func slug(_ text: String) -> String {
        String(text.lowercased().unicodeScalars.map { ("a"..."z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
    }

    /// `Air temperature`: sentence case, as Home Assistant's naming asks.
    static func sentence(_ text: String) -> String {
        text.prefix(1).uppercased() + text.dropFirst()
    }

    /// Which device an entity belongs to.
    enum Device {
        case venue
        case area(AreaDescriptor)
    }

    /// One entity's configuration.
    struct Entity {
        var component: String
        var objectID: String
        var name: String
        var device: Device
        var stateTopic: String?
        var template: String?
        var diagnostic = false
        var expireAfter: Duration?
        /// A second availability topic with its template (a sensor's quality).
        var availabilityOf: (topic: String, template: String)?
        var extra: (inout JSONWriter.Object) -> Void = { _ in }
    }

    func write(_ e: Entity) -> (topic: String, payload: [UInt8]) {
        let payload = JSONWriter.object(capacity: 900) { o in
            o.field("name", e.name)
            o.field("unique_id", "\(node)_\(e.objectID)")
            o.field("default_entity_id", "\(e.component).\(Self.slug("\(node)_\(e.objectID)"))")
            if let stateTopic = e.stateTopic { o.field("state_topic", stateTopic) }
            if let template = e.template { o.field("value_template", template) }
            if e.diagnostic { o.field("entity_category", "diagnostic") }
            o.field("device") { d in
                switch e.device {
                case .venue:
                    d.field("identifiers", strings: [node])
                    d.field("name", "VenueGuard \(model.site.name)")
                    d.field("manufacturer", "VenueGuard")
                    d.field("model", "venue sensor box")
                    d.field("sw_version", Self.softwareVersion)
                case let .area(area):
                    d.field("identifiers", strings: ["\(node)_\(area.id.rawValue)"])
                    d.field("name", area.name)
                    d.field("manufacturer", "VenueGuard")
                    d.field("model", area.exposure == .outdoor ? "outdoor area" : "indoor area")
                    d.field("suggested_area", area.name)
                    d.field("via_device", node)
                }
            }
            o.field("origin") { origin in
                origin.field("name", "VenueGuard")
                origin.field("sw_version", Self.softwareVersion)
                origin.field("support_url", Self.supportURL)
            }
            o.field("availability", array: { list in
                list.add(object: { a in
                    a.field("topic", topics.status)
                    a.field("payload_available", "online")
                    a.field("payload_not_available", "offline")
                })
                if let other = e.availabilityOf {
                    list.add(object: { a in
                        a.field("topic", other.topic)
                        a.field("value_template", other.template)
                        a.field("payload_available", "online")
                        a.field("payload_not_available", "offline")
                    })
                }
            })
            o.field("availability_mode", "all")
            if let expireAfter = e.expireAfter { o.field("expire_after", Int64(max(1, expireAfter.components.seconds))) }
            o.field("qos", 1)
            e.extra(&o)
        }
        return ("\(prefix)/\(e.component)/\(node)/\(e.objectID)/config", payload)
    }

    static func deviceClass(_ quantity: Quantity) -> String? {
        switch quantity {
        case .airTemperature, .globeTemperature, .naturalWetBulb, .wbgt: "temperature"
        case .relativeHumidity: "humidity"
        case .pressure: "atmospheric_pressure"
        case .windSpeed, .windGust: "wind_speed"
        case .solarRadiation: "irradiance"
        case .lightningDistance: "distance"
        }
    }

    static func precision(_ quantity: Quantity) -> Int {
        switch quantity {
        case .airTemperature, .globeTemperature, .naturalWetBulb, .wbgt, .windSpeed, .windGust: 1
        case .relativeHumidity, .pressure, .solarRadiation, .lightningDistance: 0
        }
    }

    /// The enum options of a safety status in Home Assistant (`unknown` → `no-data`).
    static let statusOptions = SafetyStatus.allCases.map { $0 == .unknown ? "no-data" : $0.rawValue }

    /// A template giving `path`'s value with `unknown` as `no-data`.
    static func mapped(_ path: String) -> String {
        "{% set v = \(path) %}{{ 'no-data' if v == 'unknown' else v }}"
    }

    func enumSensor(_ objectID: String, _ name: String, _ device: Device, path: String, options: [String],
                    attributes: String? = nil) -> Entity {
        Entity(component: "sensor", objectID: objectID, name: name, device: device, stateTopic: topics.state,
               template: Self.mapped(path), expireAfter: stateInterval * 3) { o in
            o.field("device_class", "enum")
            o.field("options", strings: options)
            if let attributes {
                o.field("json_attributes_topic", topics.state)
                o.field("json_attributes_template", attributes)
            }
        }
    }

    /// Every discovery message: (topic, retained payload).
    public func messages() -> [(topic: String, payload: [UInt8])] {
        var entities: [Entity] = []
        let stateExpiry = stateInterval * 3
        // The venue: what the signal tower shows, lightning, alerts.
        entities.append(enumSensor("status", "Status", .venue, path: "value_json.status", options: Self.statusOptions,
                                   attributes: "{{ {'reasons': value_json.reasons, 'problems': value_json.problems} | tojson }}"))
        entities.append(enumSensor("heat_level", "Heat level", .venue, path: "value_json.heat_level", options: Self.statusOptions))
        entities.append(enumSensor("lightning", "Lightning", .venue, path: "value_json.lightning.state",
                                   options: LightningState.allCases.map { $0 == .unknown ? "no-data" : $0.rawValue }))
        entities.append(Entity(component: "sensor", objectID: "lightning_distance", name: "Last strike distance", device: .venue,
                               stateTopic: topics.state, template: "{{ value_json.lightning.last_strike_km }}", expireAfter: stateExpiry) { o in
            o.field("unit_of_measurement", "km")
            o.field("device_class", "distance")
            o.field("suggested_display_precision", 0)
        })
        entities.append(Entity(component: "sensor", objectID: "lightning_time", name: "Last strike", device: .venue,
                               stateTopic: topics.state, template: "{{ value_json.lightning.last_strike_time }}", expireAfter: stateExpiry) { o in
            o.field("device_class", "timestamp")
        })
        entities.append(Entity(component: "sensor", objectID: "heat_alert", name: "Heat alert", device: .venue, stateTopic: topics.state,
                               template: "{{ value_json.alerts.heat_alert }}", expireAfter: stateExpiry) { o in
            o.field("device_class", "enum")
            o.field("options", strings: HeatAlert.allCases.map(\.rawValue))
        })
        entities.append(Entity(component: "binary_sensor", objectID: "thunder_advisory", name: "Thunder advisory", device: .venue,
                               stateTopic: topics.state, template: "{{ 'ON' if value_json.alerts.thunder_advisory else 'OFF' }}",
                               expireAfter: stateExpiry) { o in
            o.field("device_class", "safety")
            o.field("payload_on", "ON")
            o.field("payload_off", "OFF")
        })
        entities.append(Entity(component: "binary_sensor", objectID: "problem", name: "Sensor problem", device: .venue,
                               stateTopic: topics.state, template: "{{ 'ON' if value_json.problems | length > 0 else 'OFF' }}",
                               diagnostic: true, expireAfter: stateExpiry) { o in
            o.field("device_class", "problem")
            o.field("payload_on", "ON")
            o.field("payload_off", "OFF")
            o.field("json_attributes_topic", topics.state)
            o.field("json_attributes_template", "{{ {'problems': value_json.problems} | tojson }}")
        })
        // The official sources through the companion service.
        for source in model.officialSources {
            let key = source.rawValue
            entities.append(Entity(component: "sensor", objectID: "official_\(key)", name: Self.sentence("\(source.englishName) feed"),
                                   device: .venue, stateTopic: topics.state,
                                   template: "{{ value_json.official.\(key).text_en if value_json.official is defined and value_json.official.\(key) is defined else None }}",
                                   diagnostic: true, expireAfter: stateExpiry) { o in
                o.field("json_attributes_topic", topics.state)
                o.field("json_attributes_template",
                        "{{ value_json.official.\(key) | tojson if value_json.official is defined and value_json.official.\(key) is defined else '{}' }}")
            })
        }
        if model.officialSources.contains(.forecast) {
            for day in ["today", "tomorrow"] {
                entities.append(Entity(component: "sensor", objectID: "forecast_\(day)_max", name: "WBGT forecast maximum \(day)", device: .venue,
                                       stateTopic: topics.forecast, template: "{{ value_json.\(day).max_wbgt }}") { o in
                    o.field("unit_of_measurement", "°C")
                    o.field("device_class", "temperature")
                    o.field("suggested_display_precision", 1)
                    o.field("json_attributes_topic", topics.forecast)
                    o.field("json_attributes_template",
                            "{{ {'date': value_json.\(day).date, 'level': value_json.\(day).level, 'at_or_above': value_json.\(day).at_or_above, 'point': value_json.point, 'source': value_json.source} | tojson }}")
                })
            }
        }
        // Each area: its own device, WBGT, heat level and status apart.
        for area in model.areas {
            let id = area.id.rawValue
            entities.append(Entity(component: "sensor", objectID: "\(id)_wbgt", name: "WBGT", device: .area(area), stateTopic: topics.state,
                                   template: "{{ value_json.areas['\(id)'].wbgt }}", expireAfter: stateExpiry) { o in
                o.field("unit_of_measurement", "°C")
                o.field("device_class", "temperature")
                o.field("state_class", "measurement")
                o.field("suggested_display_precision", 1)
                o.field("json_attributes_topic", topics.state)
                o.field("json_attributes_template", "{{ {'method': value_json.areas['\(id)'].wbgt_method} | tojson }}")
            })
            entities.append(enumSensor("\(id)_heat_level", "Heat level", .area(area), path: "value_json.areas['\(id)'].heat_level",
                                       options: Self.statusOptions))
            entities.append(enumSensor("\(id)_status", "Status", .area(area), path: "value_json.areas['\(id)'].status",
                                       options: Self.statusOptions,
                                       attributes: "{{ {'reasons': value_json.areas['\(id)'].reasons} | tojson }}"))
        }
        // Each sensor: readings (unavailable while its quality is not ok) and a problem entity.
        for sensor in model.sensors {
            let id = sensor.id.rawValue
            let device: Device = model.areas.first { $0.sensors.contains(sensor.id) }.map { .area($0) } ?? .venue
            let topic = topics.sensor(id)
            for quantity in sensor.quantities {
                let q = quantity.rawValue
                entities.append(Entity(component: "sensor", objectID: "\(id)_\(q)", name: "\(Self.sentence(quantity.label)) (\(id))",
                                       device: device, stateTopic: topic,
                                       template: "{{ value_json['values']['\(q)']['value'] if '\(q)' in value_json['values'] else None }}",
                                       diagnostic: true, expireAfter: sensor.maxAge,
                                       availabilityOf: (topic, "{{ 'online' if value_json.quality == 'ok' else 'offline' }}")) { o in
                    o.field("unit_of_measurement", quantity.unit.rawValue)
                    o.field("state_class", "measurement")
                    if let deviceClass = Self.deviceClass(quantity) { o.field("device_class", deviceClass) }
                    o.field("suggested_display_precision", Self.precision(quantity))
                })
            }
            entities.append(Entity(component: "binary_sensor", objectID: "\(id)_problem", name: "Problem (\(id))", device: device,
                                   stateTopic: topic, template: "{{ 'OFF' if value_json.quality == 'ok' else 'ON' }}", diagnostic: true) { o in
                o.field("device_class", "problem")
                o.field("payload_on", "ON")
                o.field("payload_off", "OFF")
                o.field("json_attributes_topic", topic)
                o.field("json_attributes_template", "{{ {'quality': value_json.quality, 'reason': value_json.reason, 'trust': value_json.trust} | tojson }}")
            })
        }
        // Controls, only when the box takes commands: each sends exactly what it validates.
        if commands {
            entities.append(Entity(component: "button", objectID: "acknowledge", name: "Acknowledge alarm", device: .venue) { o in
                o.field("command_topic", topics.commandAcknowledge)
                o.field("payload_press", #"{"by":"home-assistant"}"#)
                o.field("retain", false)
            })
            entities.append(Entity(component: "select", objectID: "manual_heat_alert", name: "Manual heat alert", device: .venue,
                                   stateTopic: topics.state, template: "{{ value_json.alerts.heat_alert }}") { o in
                o.field("command_topic", topics.commandAlert)
                o.field("options", strings: HeatAlert.allCases.map(\.rawValue))
                // An alert needs its expiry: the end of the day, as an official one.
                o.field("command_template",
                        #"{% if value == 'none' %}{"heat_alert":"none"}{% else %}{"heat_alert":"{{ value }}","until":"{{ today_at('23:59:59').isoformat() }}"}{% endif %}"#)
                o.field("retain", false)
            })
            entities.append(Entity(component: "switch", objectID: "manual_thunder_advisory", name: "Manual thunder advisory", device: .venue,
                                   stateTopic: topics.state, template: "{{ 'ON' if value_json.alerts.thunder_advisory else 'OFF' }}") { o in
                o.field("command_topic", topics.commandAlert)
                o.field("payload_on", "ON")
                o.field("payload_off", "OFF")
                o.field("state_on", "ON")
                o.field("state_off", "OFF")
                o.field("command_template",
                        #"{% if value == 'ON' %}{"thunder_advisory":true,"until":"{{ today_at('23:59:59').isoformat() }}"}{% else %}{"thunder_advisory":false}{% endif %}"#)
                o.field("retain", false)
            })
        }
        return entities.map(write)
    }
}
