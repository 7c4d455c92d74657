import Foundation

/// The venue's emergency action plan (EAP, 緊急対応計画): the club guide's template (§3.1), its
/// evacuation table (§3.5) and the regional parameters (§12), as optional site configuration.
/// The companion's page shows it, leads with the action that applies while a heat `stop` or
/// lightning `danger` is in force, and the printable legend card carries it.
///
/// ```yaml
/// emergency:
///   person_in_charge: { name: "山田 花子", phone: "090-1234-5678" }   # 責任者
///   deputy: { name: "佐藤 一郎", phone: "090-2345-6789" }             # 副責任者 (optional)
///   contacts:                                                         # 緊急連絡 beyond 119/110, up to 10
///     - { role: "施設管理者 facility manager", name: "公民館事務室", phone: "03-1234-5678" }
///   advice_line: "#7119"            # 救急相談: only where the region runs it (omit elsewhere)
///   hospital: { name: "市立病院", phone: "03-2345-6789" }             # 医療機関 (optional)
///   aed: { place: "1F entrance, left of the door", child_pads: true, checked: "2026-10-01" }
///   cool_room: "2F meeting room (air-conditioned)"   # where everyone goes when heat says stop
///   indoors: "the main hall"                          # where everyone goes on lightning danger
///   assembly: { first: "the square in front", second: "Minami park" }   # 一次/二次集合場所
///   shelter: "Minami elementary school (指定避難所)"
/// ```
///
/// Every text is bounded (1…120 characters, no control or bidirectional characters); phone
/// numbers are digits with `+ - ( ) # *` and spaces, 2…24 characters with at least 2 digits.
/// 119 (fire and ambulance) and 110 (police) are always shown and need no configuration.
public struct EmergencyPlan: Sendable, Hashable {
    /// Someone to call.
    public struct Contact: Sendable, Hashable {
        /// Their role (施設管理者, 保護者代表…), when given.
        public var role: String?
        /// Their name.
        public var name: String
        /// Their phone number.
        public var phone: String?

        /// A contact.
        public init(role: String? = nil, name: String, phone: String?) {
            self.role = role
            self.name = name
            self.phone = phone
        }
    }

    /// The AED (自動体外式除細動器).
    public struct AED: Sendable, Hashable {
        /// Where it is.
        public var place: String
        /// Whether child pads (小児用パッド) are with it; `nil` when not stated.
        public var childPads: Bool?
        /// When it was last checked (点検日), as written (YYYY-MM-DD).
        public var checked: String?

        /// An AED.
        public init(place: String, childPads: Bool?, checked: String? = nil) {
            self.place = place
            self.childPads = childPads
            self.checked = checked
        }
    }

    /// 責任者.
    public var personInCharge: Contact?
    /// 副責任者.
    public var deputy: Contact?
    /// 緊急連絡 beyond 119/110.
    public var contacts: [Contact] = []
    /// 救急相談 line (#7119 where the region runs it).
    public var adviceLine: String?
    /// 医療機関.
    public var hospital: Contact?
    /// The AED.
    public var aed: AED?
    /// Where everyone goes when the heat level says stop (a cool, air-conditioned room).
    public var coolRoom: String?
    /// Where everyone goes on lightning danger (a building, not a tent or a car park).
    public var indoors: String?
    /// 一次集合場所.
    public var firstAssembly: String?
    /// 二次集合場所.
    public var secondAssembly: String?
    /// 指定避難所.
    public var shelter: String?

    /// An empty plan.
    public init() {}

    static let keys = ["person_in_charge", "deputy", "contacts", "advice_line", "hospital", "aed", "cool_room", "indoors",
                       "assembly", "shelter"]

    /// Parses the `emergency:` section.
    /// - Throws: `ConfigError` naming the file and line of a bad value.
    static func parse(_ node: ConfigValue) throws -> EmergencyPlan {
        let m = try node.mapping(allowed: keys)
        var plan = EmergencyPlan()
        plan.personInCharge = try m["person_in_charge"].map { try contact($0, roleAllowed: false) }
        plan.deputy = try m["deputy"].map { try contact($0, roleAllowed: false) }
        if let list = m["contacts"] {
            let items = try list.sequence()
            guard items.count <= 10 else { throw list.error("at most 10 contacts (\(items.count) given): the page and the card must stay readable") }
            plan.contacts = try items.map { try contact($0, roleAllowed: true) }
        }
        plan.adviceLine = try m["advice_line"].map(phone)
        plan.hospital = try m["hospital"].map { try contact($0, roleAllowed: false) }
        if let node = m["aed"] {
            let a = try node.mapping(allowed: ["place", "child_pads", "checked"])
            var aed = AED(place: try text(a.required("place")), childPads: try a["child_pads"].map { try $0.bool() })
            if let checked = a["checked"] {
                let value = try checked.string()
                guard ISO8601Time.isCalendarDate(value) else { throw checked.error("expected a date such as 2026-10-01, found '\(value.prefix(32))'") }
                aed.checked = value
            }
            plan.aed = aed
        }
        plan.coolRoom = try m["cool_room"].map(text)
        plan.indoors = try m["indoors"].map(text)
        if let node = m["assembly"] {
            let a = try node.mapping(allowed: ["first", "second"])
            plan.firstAssembly = try a["first"].map(text)
            plan.secondAssembly = try a["second"].map(text)
        }
        plan.shelter = try m["shelter"].map(text)
        return plan
    }

    private static func contact(_ node: ConfigValue, roleAllowed: Bool) throws -> Contact {
        let m = try node.mapping(allowed: roleAllowed ? ["role", "name", "phone"] : ["name", "phone"])
        return Contact(role: try m["role"].map(text), name: try text(m.required("name")), phone: try m["phone"].map(phone))
    }

    /// A person-readable text: 1…120 characters, no control or bidirectional-override characters
    /// (they could make the page or the card say something else than the file).
    static func text(_ node: ConfigValue) throws -> String {
        let value = try node.string().trimmingCharacters(in: .whitespaces)
        guard (1...120).contains(value.count) else { throw node.error("give 1…120 characters (\(value.count) given)") }
        if let bad = value.unicodeScalars.first(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format }) {
            throw node.error("contains the invisible character U+\(String(bad.value, radix: 16, uppercase: true)): write plain text")
        }
        return value
    }

    /// A phone number as dialled: digits with `+ - ( ) # *` and spaces.
    static func phone(_ node: ConfigValue) throws -> String {
        let value = try node.string().trimmingCharacters(in: .whitespaces)
        let allowed = Set("0123456789+-()#* ")
        guard (2...24).contains(value.count), value.allSatisfy(allowed.contains), value.filter(\.isNumber).count >= 2 else {
            throw node.error("'\(value.prefix(32))' is not a phone number: digits with + - ( ) # * and spaces, 2…24 characters, such as 03-1234-5678 or #7119")
        }
        return value
    }
}
