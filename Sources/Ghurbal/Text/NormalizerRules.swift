import Foundation

/// What one Unicode scalar becomes under a set of options.
enum ScalarRule: Equatable {
    /// Kept as it is.
    case keep
    /// Removed without a trace (a diacritic inside a word keeps the word whole).
    case drop
    /// A word separator.
    case separator
    /// A line break.
    case newline
    /// Replaced by these scalars, each of which has already had the rules applied (0x20 marks a separator).
    case replace([UInt32])
}

/// The scalar-level rules of `ArabicNormalizer`, used only to build its lookup tables. Nothing here runs per byte.
struct NormalizerRules {
    let options: ArabicNormalizerOptions

    func rule(_ s: UInt32) -> ScalarRule {
        let o = options
        switch s {
        case 0x0A, 0x0D, 0x2028, 0x2029:
            return o.keepLineBreaks ? .newline : .separator
        case 0x09, 0x0B, 0x0C, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x202F, 0x205F, 0x3000:
            return .separator
        case 0x00...0x1F, 0x7F, 0x80...0x9F:
            return .separator
        case 0x41...0x5A:
            return o.lowercaseLatin ? .replace([s + 0x20]) : .keep
        case 0x30...0x39:
            return o.foldAllDigits ? .replace([0x30]) : .keep
        case 0x61...0x7A:
            return .keep
        case 0x21...0x7E:
            return o.punctuationAsSeparators ? .separator : .keep
        case 0xAD:
            return o.removeInvisibles ? .drop : .keep
        case 0xA1...0xBF, 0xD7, 0xF7:
            return o.punctuationAsSeparators ? .separator : .keep
        case 0xC0...0xDE:
            return o.lowercaseLatin ? .replace([s + 0x20]) : .keep
        // Arabic block.
        case 0x0600...0x0605, 0x06DD:
            return o.removeInvisibles ? .drop : .keep
        case 0x0606...0x060F, 0x061B, 0x061D...0x061F, 0x066A...0x066D, 0x06D4:
            return o.punctuationAsSeparators ? .separator : .keep
        case 0x061C:
            return o.removeInvisibles ? .drop : .keep
        case 0x0610...0x061A, 0x064B...0x065F, 0x0670, 0x06D6...0x06DC, 0x06DE...0x06ED:
            return o.removeDiacritics ? .drop : .keep
        case 0x0640:
            return o.removeTatweel ? .drop : .keep
        case 0x0622, 0x0623, 0x0625, 0x0671, 0x0672, 0x0673, 0x0675:
            return o.unifyAlef ? .replace([0x0627]) : .keep
        case 0x0649:
            return o.unifyAlefMaksura ? .replace([0x064A]) : .keep
        case 0x0629:
            return o.unifyTehMarbuta ? .replace([0x0647]) : .keep
        case 0x0624:
            return o.unifyHamzaCarriers ? .replace([0x0648]) : .keep
        case 0x0626:
            return o.unifyHamzaCarriers ? .replace([0x064A]) : .keep
        case 0x06A9:
            return o.foldPersianLetters ? .replace([0x0643]) : .keep
        case 0x06CC:
            return o.foldPersianLetters ? .replace([0x064A]) : .keep
        case 0x06C0, 0x06C1, 0x06D5:
            return o.foldPersianLetters ? .replace([0x0647]) : .keep
        case 0x0660...0x0669:
            return o.mapDigits ? .replace([o.foldAllDigits ? 0x30 : s - 0x0660 + 0x30]) : .keep
        case 0x06F0...0x06F9:
            return o.mapDigits ? .replace([o.foldAllDigits ? 0x30 : s - 0x06F0 + 0x30]) : .keep
        // General punctuation.
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x206F:
            return o.removeInvisibles ? .drop : .keep
        case 0x2010...0x2027, 0x2030...0x205E, 0x3001...0x3003:
            return o.punctuationAsSeparators ? .separator : .keep
        case 0xFE00...0xFE0F, 0xFEFF:
            return o.removeInvisibles ? .drop : .keep
        case 0xFFFD:
            return .separator
        case 0xFB50...0xFDFF, 0xFE70...0xFEFE, 0xFF01...0xFF5E:
            return o.foldPresentationForms ? compatibilityFold(s) : .keep
        default:
            return .keep
        }
    }

    /// NFKC of one presentation form, with the other rules applied to what it decomposes into.
    private func compatibilityFold(_ s: UInt32) -> ScalarRule {
        guard let scalar = Unicode.Scalar(s) else { return .keep }
        let folded = String(Character(scalar)).precomposedStringWithCompatibilityMapping.unicodeScalars
        if folded.count == 1 && folded.first!.value == s { return .keep }
        var out: [UInt32] = []
        var sawLetter = false
        for f in folded {
            let v = f.value
            switch rule(v) {
            case .keep: out.append(v); sawLetter = true
            case .drop: break
            case .separator, .newline: out.append(0x20)
            case .replace(let r): out.append(contentsOf: r); sawLetter = true
            }
        }
        if !sawLetter {
            // An isolated diacritic form (U+FE70…) decomposes to a space and the mark: it is a mark, and goes
            // with the marks; a compatibility punctuation form stays a separator.
            let isMarkForm = folded.first?.value == 0x20 && folded.count > 1
            return isMarkForm ? .drop : .separator
        }
        while out.first == 0x20 { out.removeFirst() }
        while out.last == 0x20 { out.removeLast() }
        return .replace(out)
    }
}
