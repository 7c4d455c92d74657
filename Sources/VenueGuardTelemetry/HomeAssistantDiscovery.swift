import VenueGuardConfiguration
import VenueGuardCore

/// Home Assistant MQTT discovery: one device per site, an entity per quantity, heat level and
/// lightning state as enum sensors, a problem binary sensor; availability tied to `status`,
/// `expire_after` so stale values show as unavailable.
public struct HomeAssistantDiscovery: Sendable {
    /// The discovery prefix (default `homeassistant`).
    public let prefix: String
    let topics: TopicScheme
    let model: VenueModel
    let stateInterval: Duration

    /// Creates discovery for `model`.
    public init(prefix: String, topics: TopicScheme, model: VenueModel, stateInterval: Duration) {
        self.prefix = prefix
        self.topics = topics
        self.model = model
        self.stateInterval = stateInterval
    }

    /// The topic Home Assistant announces `online` on when it (re)starts.
    public var statusTopic: String { "\(prefix)/status" }

    /// The node id: `venueguard_<site-id>` (Home Assistant allows `-` and `_`, and the broker ACL matches it by the site id).
    var node: String { "venueguard_\(model.site.id)" }

    /// The fields every entity's configuration starts with.
    func base(_ o: inout JSONWriter.Object, _ objectID: String, name: String, stateTopic: String, template: String, expireAfter: Duration) {
        o.field("name", name)
        o.field("unique_id", "\(node)_\(objectID)")
        o.field("object_id", "\(node)_\(objectID)")
        o.field("state_topic", stateTopic)
        o.field("value_template", template)
        o.field("device") { d in
            d.field("identifiers", strings: [node])
            d.field("name", "VenueGuard \(model.site.name)")
            d.field("manufacturer", "VenueGuard")
            d.field("model", "venue sensor box")
        }
        o.field("availability_topic", topics.status)
        o.field("payload_available", "online")
        o.field("payload_not_available", "offline")
        o.field("expire_after", Int64(max(1, expireAfter.components.seconds)))
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

    /// Every discovery message: (topic, retained payload).
    public func messages() -> [(topic: String, payload: [UInt8])] {
        var out: [(String, [UInt8])] = []
        func add(_ component: String, _ objectID: String, name: String, stateTopic: String, template: String, expireAfter: Duration,
                 _ extra: (inout JSONWriter.Object) -> Void) {
            let payload = JSONWriter.object(capacity: 700) { o in
                base(&o, objectID, name: name, stateTopic: stateTopic, template: template, expireAfter: expireAfter)
                extra(&o)
            }
            out.append(("\(prefix)/\(component)/\(node)/\(objectID)/config", payload))
        }
        let stateExpiry = stateInterval * 3
        for sensor in model.sensors {
            for quantity in sensor.quantities {
                add("sensor", "\(sensor.id.rawValue)_\(quantity.rawValue)", name: "\(sensor.id.rawValue) \(quantity.label)",
                    stateTopic: topics.sensor(sensor.id.rawValue), template: "{{ value_json['values']['\(quantity.rawValue)']['value'] }}",
                    expireAfter: sensor.maxAge) { o in
                    o.field("unit_of_measurement", quantity.unit.rawValue)
                    o.field("state_class", "measurement")
                    if let deviceClass = Self.deviceClass(quantity) { o.field("device_class", deviceClass) }
                }
            }
        }
        let levels = SafetyStatus.allCases.map(\.rawValue)
        for area in model.areas {
            let id = area.id.rawValue
            add("sensor", "\(id)_wbgt", name: "\(area.name) WBGT", stateTopic: topics.state,
                template: "{{ value_json['areas']['\(id)']['wbgt'] }}", expireAfter: stateExpiry) { o in
                o.field("unit_of_measurement", "°C")
                o.field("device_class", "temperature")
                o.field("state_class", "measurement")
            }
            add("sensor", "\(id)_heat_level", name: "\(area.name) heat level", stateTopic: topics.state,
                template: "{{ value_json['areas']['\(id)']['status'] }}", expireAfter: stateExpiry) { o in
                o.field("device_class", "enum")
                o.field("options", strings: levels)
            }
        }
        add("sensor", "status", name: "venue status", stateTopic: topics.state, template: "{{ value_json['status'] }}",
            expireAfter: stateExpiry) { o in
            o.field("device_class", "enum")
            o.field("options", strings: levels)
        }
        add("sensor", "lightning", name: "lightning", stateTopic: topics.state, template: "{{ value_json['lightning']['state'] }}",
            expireAfter: stateExpiry) { o in
            o.field("device_class", "enum")
            o.field("options", strings: LightningState.allCases.map(\.rawValue))
        }
        add("sensor", "lightning_distance", name: "lightning distance", stateTopic: topics.state,
            template: "{{ value_json['lightning']['last_strike_km'] }}", expireAfter: stateExpiry) { o in
            o.field("unit_of_measurement", "km")
            o.field("device_class", "distance")
        }
        add("binary_sensor", "problem", name: "sensor problem", stateTopic: topics.state,
            template: "{{ 'ON' if value_json['problems'] | length > 0 else 'OFF' }}", expireAfter: stateExpiry) { o in
            o.field("device_class", "problem")
            o.field("payload_on", "ON")
            o.field("payload_off", "OFF")
        }
        return out
    }
}
