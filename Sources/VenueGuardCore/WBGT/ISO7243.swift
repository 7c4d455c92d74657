/// WBGT by ISO 7243 / JIS Z 8504 from its components.
public enum ISO7243 {
    /// Outdoors (with solar load): `0.7·Tnw + 0.2·Tg + 0.1·Ta`; indoors: `0.7·Tnw + 0.3·Tg`.
    public static func wbgt(naturalWetBulb tnw: Double, globe tg: Double, air ta: Double?, exposure: Exposure) -> Double {
        switch exposure {
        case .outdoor: 0.7 * tnw + 0.2 * tg + 0.1 * (ta ?? tg)
        case .indoor: 0.7 * tnw + 0.3 * tg
        }
    }
}

/// Whether an area has solar load: selects the WBGT formula and the methods that are valid.
public enum Exposure: String, Hashable, Sendable, CaseIterable {
    case indoor
    case outdoor
}
