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

    var device: JSONValue {
        .object(["identifiers": .array([.string(node)]), "name": .string("VenueGuard \(model.site.name)"),
                 "manufacturer": .string("VenueGuard"), "model": .string("venue sensor box")])
    }

    func base(_ objectID: String, name: String, stateTopic: String, template: String, expireAfter: Duration) -> [String: JSONValue] {
        ["name": .string(name), "unique_id": .string("\(node)_\(objectID)"), "object_id": .string("\(node)_\(objectID)"),
         "state_topic": .string(stateTopic), "value_template": .string(template), "device": device,
         "availability_topic": .string(topics.status), "payload_available": .string("online"),
         "payload_not_available": .string("offline"), "expire_after": .integer(Int64(max(1, expireAfter.components.seconds)))]
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
        func add(_ component: String, _ objectID: String, _ config: [String: JSONValue]) {
            out.append(("\(prefix)/\(component)/\(node)/\(objectID)/config", JSONValue.object(config).bytes))
        }
        let stateExpiry = stateInterval * 3
        for sensor in model.sensors {
            for quantity in sensor.quantities {
                let objectID = "\(sensor.id.rawValue)_\(quantity.rawValue)"
                var config = base(objectID, name: "\(sensor.id.rawValue) \(quantity.label)", stateTopic: topics.sensor(sensor.id.rawValue),
                                  template: "{{ value_json['values']['\(quantity.rawValue)']['value'] }}", expireAfter: sensor.maxAge)
                config["unit_of_measurement"] = .string(quantity.unit.rawValue)
                config["state_class"] = .string("measurement")
                if let deviceClass = Self.deviceClass(quantity) { config["device_class"] = .string(deviceClass) }
                add("sensor", objectID, config)
            }
        }
        let levels: [JSONValue] = SafetyStatus.allCases.map { .string($0.rawValue) }
        for area in model.areas {
            let id = area.id.rawValue
            let key = id
            var wbgt = base("\(key)_wbgt", name: "\(area.name) WBGT", stateTopic: topics.state,
                            template: "{{ value_json['areas']['\(id)']['wbgt'] }}", expireAfter: stateExpiry)
            wbgt["unit_of_measurement"] = .string("°C")
            wbgt["device_class"] = .string("temperature")
            wbgt["state_class"] = .string("measurement")
            add("sensor", "\(key)_wbgt", wbgt)
            var level = base("\(key)_heat_level", name: "\(area.name) heat level", stateTopic: topics.state,
                             template: "{{ value_json['areas']['\(id)']['status'] }}", expireAfter: stateExpiry)
            level["device_class"] = .string("enum")
            level["options"] = .array(levels)
            add("sensor", "\(key)_heat_level", level)
        }
        var overall = base("status", name: "venue status", stateTopic: topics.state, template: "{{ value_json['status'] }}", expireAfter: stateExpiry)
        overall["device_class"] = .string("enum")
        overall["options"] = .array(levels)
        add("sensor", "status", overall)
        var lightning = base("lightning", name: "lightning", stateTopic: topics.state, template: "{{ value_json['lightning']['state'] }}",
                             expireAfter: stateExpiry)
        lightning["device_class"] = .string("enum")
        lightning["options"] = .array(LightningState.allCases.map { .string($0.rawValue) })
        add("sensor", "lightning", lightning)
        var distance = base("lightning_distance", name: "lightning distance", stateTopic: topics.state,
                            template: "{{ value_json['lightning']['last_strike_km'] }}", expireAfter: stateExpiry)
        distance["unit_of_measurement"] = .string("km")
        distance["device_class"] = .string("distance")
        add("sensor", "lightning_distance", distance)
        var problem = base("problem", name: "sensor problem", stateTopic: topics.state,
                           template: "{{ 'ON' if value_json['problems'] | length > 0 else 'OFF' }}", expireAfter: stateExpiry)
        problem["device_class"] = .string("problem")
        problem["payload_on"] = .string("ON")
        problem["payload_off"] = .string("OFF")
        add("binary_sensor", "problem", problem)
        return out
    }
}
