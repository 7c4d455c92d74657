/// How to reach the broker.
public struct MQTTSettings: Sendable, Hashable {
    /// MQTT protocol versions.
    public enum ProtocolVersion: String, Sendable, Hashable {
        /// MQTT 5 (the default): acknowledgements carry reason codes, so a refused publish is seen.
        case v5 = "5"
        /// MQTT 3.1.1: a publish the broker refuses (ACL) still looks delivered.
        case v311 = "3.1.1"
    }

    /// TLS settings.
    public struct TLS: Sendable, Hashable {
        /// The CA certificate file that signs the broker's certificate.
        public var caFile: String
        /// The client certificate, if the broker asks for one.
        public var certFile: String?
        /// The client key.
        public var keyFile: String?
        /// Whether the broker's hostname must match its certificate (on by default).
        public var verifyHostname: Bool
        /// Creates TLS settings.
        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil, verifyHostname: Bool = true) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
            self.verifyHostname = verifyHostname
        }
    }

    /// A message the broker publishes if the connection is lost.
    public struct Will: Sendable, Hashable {
        public var topic: String
        public var payload: [UInt8]
        public var retain: Bool
        /// Creates a will (QoS 1).
        public init(topic: String, payload: [UInt8], retain: Bool) {
            self.topic = topic
            self.payload = payload
            self.retain = retain
        }
    }

    public var host: String
    public var port: Int
    public var protocolVersion: ProtocolVersion
    public var clientID: String
    public var cleanSession: Bool
    public var username: String?
    /// The password; never logged.
    public var password: String?
    public var tls: TLS?
    public var keepalive: Duration
    /// Reconnect delays: the first, and the cap of the exponential backoff.
    public var reconnectMinimum: Duration
    public var reconnectMaximum: Duration
    public var will: Will?
    /// Messages in flight before publishes queue in libmosquitto.
    public var maxInflight: Int
    /// The largest packet this client accepts, bytes: announced in CONNECT under MQTT 5, so the
    /// broker never sends more (a 100 MB payload would otherwise be read into memory whole).
    public var maximumPacketSize: Int = 256 * 1024

    /// Creates settings; everything but the host has a default.
    public init(host: String, port: Int = 1883, protocolVersion: ProtocolVersion = .v5, clientID: String, cleanSession: Bool = true,
                username: String? = nil, password: String? = nil, tls: TLS? = nil, keepalive: Duration = .seconds(30),
                reconnectMinimum: Duration = .seconds(1), reconnectMaximum: Duration = .seconds(60), will: Will? = nil,
                maxInflight: Int = 20) {
        self.host = host
        self.port = port
        self.protocolVersion = protocolVersion
        self.clientID = clientID
        self.cleanSession = cleanSession
        self.username = username
        self.password = password
        self.tls = tls
        self.keepalive = keepalive
        self.reconnectMinimum = reconnectMinimum
        self.reconnectMaximum = reconnectMaximum
        self.will = will
        self.maxInflight = maxInflight
    }
}

/// A broker's acknowledgement of a QoS 1 publish (PUBACK); `reasonCode` ≥ 128 is a failure (MQTT 5).
public struct MQTTAcknowledgement: Sendable, Hashable {
    /// The message id `publish` returned.
    public var messageID: Int32
    /// The PUBACK's reason code (0 under MQTT 3.1.1).
    public var reasonCode: Int

    /// Creates an acknowledgement.
    public init(messageID: Int32, reasonCode: Int) {
        self.messageID = messageID
        self.reasonCode = reasonCode
    }
}

/// Something the client's network thread reports.
public enum MQTTEvent: Sendable, Hashable {
    /// Connected (the CONNACK accepted us).
    case connected
    /// The broker refused the connection, with its reason (bad password, not authorised…).
    case refused(code: Int, reason: String)
    /// The connection was lost or closed (`code` 0: asked for).
    case disconnected(code: Int, reason: String)
    /// Acknowledgements of QoS 1 publishes have waited a second without being taken
    /// (`MosquittoClient.takeAcknowledgements()`): take them. (PUBACKs are not events of their
    /// own, so that a publisher taking them on its own schedule costs no wake-up per second.)
    case acknowledgementsWaiting
    /// A message arrived on a subscription.
    case message(topic: String, payload: [UInt8], retained: Bool)
    /// A subscription was granted.
    case subscribed(messageID: Int32)
    /// An error-level line from libmosquitto (TLS failures come this way).
    case error(String)
}

/// Why a client call failed.
public struct MQTTError: Error, Sendable, CustomStringConvertible, Hashable {
    /// libmosquitto's error number.
    public var code: Int32
    /// What failed, in words.
    public var description: String
}
