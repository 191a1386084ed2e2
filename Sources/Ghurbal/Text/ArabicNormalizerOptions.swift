/// What `ArabicNormalizer` folds. Every rule is on by default except `foldAllDigits`.
///
/// The defaults are chosen for near-duplicate and boilerplate detection, where two spellings of one word must
/// compare equal: they throw away distinctions (hamza seats, teh marbuta, diacritics) that a reader would keep.
public struct ArabicNormalizerOptions: Sendable, Hashable {
    /// Drop harakat, tanween, shadda and sukun (U+064B–U+065F), superscript alef (U+0670), the small high
    /// Quranic signs (U+0610–U+061A) and Quranic annotation marks (U+06D6–U+06ED). Default `true`.
    public var removeDiacritics = true
    /// Drop tatweel / kashida (U+0640). Default `true`.
    public var removeTatweel = true
    /// أ إ آ ٱ (and the rarer wavy-hamza alefs) → ا. Default `true`.
    public var unifyAlef = true
    /// ى → ي. Default `true`.
    public var unifyAlefMaksura = true
    /// ة → ه. Default `true`.
    public var unifyTehMarbuta = true
    /// ؤ → و and ئ → ي. Default `true`.
    public var unifyHamzaCarriers = true
    /// Persian and Urdu look-alikes: ک → ك, ی → ي, ہ ە ۀ → ه. Default `true`.
    public var foldPersianLetters = true
    /// Arabic-Indic (٠–٩) and Eastern Arabic-Indic (۰–۹) digits → ASCII 0–9. Default `true`.
    public var mapDigits = true
    /// Every digit (after `mapDigits`) → `0`, so that numbers that differ only in value compare equal.
    /// Default `false`.
    public var foldAllDigits = false
    /// Arabic presentation forms (U+FB50–U+FDFF, U+FE70–U+FEFF, e.g. the lam-alef ligatures) and fullwidth
    /// ASCII → their compatibility decomposition (NFKC), then the other rules. Default `true`.
    public var foldPresentationForms = true
    /// A–Z and Latin-1 capitals → lowercase. Default `true`.
    public var lowercaseLatin = true
    /// Drop zero-width and bidi controls (U+200B–U+200F, U+202A–U+202E, U+2060–U+2069, U+061C, U+FEFF,
    /// soft hyphen, variation selectors). Default `true`.
    public var removeInvisibles = true
    /// Arabic, Latin and general punctuation and symbols become word separators. Default `true`.
    public var punctuationAsSeparators = true
    /// Keep line breaks (LF, CR, CRLF, U+2028, U+2029) as one `\n` each, so line *k* of the output is line *k* of
    /// the input. When `false` they are word separators and the output is one line. Default `true`.
    public var keepLineBreaks = true

    public init() {}

    /// Only the byte-level clean-up (invisibles, spaces, line breaks, invalid UTF-8); no letter folding.
    public static var minimal: ArabicNormalizerOptions {
        var o = ArabicNormalizerOptions()
        o.removeDiacritics = false
        o.removeTatweel = false
        o.unifyAlef = false
        o.unifyAlefMaksura = false
        o.unifyTehMarbuta = false
        o.unifyHamzaCarriers = false
        o.foldPersianLetters = false
        o.mapDigits = false
        o.foldPresentationForms = false
        o.lowercaseLatin = false
        o.punctuationAsSeparators = false
        return o
    }
}
