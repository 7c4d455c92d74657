import VenueGuardCore

/// The page's languages: Japanese first for a Japanese site (`companion.language`), English on
/// request (`?lang=en`).
public enum PageLanguage: String, Sendable, CaseIterable {
    /// 日本語.
    case ja
    /// English.
    case en

    /// The other language (the switch link).
    public var other: PageLanguage { self == .ja ? .en : .ja }
}

extension Bilingual {
    /// The text in `language`.
    public func callAsFunction(_ language: PageLanguage) -> String { language == .ja ? ja : en }
}
