/// A text in both languages.
public struct Bilingual: Sendable, Equatable {
    /// 日本語.
    public var ja: String
    /// English.
    public var en: String

    /// A text.
    public init(_ ja: String, _ en: String) {
        self.ja = ja
        self.en = en
    }
}

