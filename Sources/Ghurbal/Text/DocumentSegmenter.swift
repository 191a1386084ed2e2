internal import CXXHash
import Foundation

/// What a line looks like, decided on its original bytes and its normalized words.
public enum LineKind: UInt8, Sendable, Hashable {
    /// Nothing left after normalization.
    case blank
    /// Starts with a bullet ("-", "*", "•", "·", "▪", "●", "►", "–", "—") or a number with "." or ")".
    case listItem
    /// At most `shortLineWords` words: titles, bylines, menu entries, labels.
    case short
    /// Anything longer.
    case paragraph
}

/// One line of a document.
public struct SegmentedLine: Sendable, Hashable {
    /// The line's bytes in the original text, without its line terminator.
    public var span: Range<Int>
    /// The same with its terminator ("\n" or "\r\n"), if any: what removing the line removes.
    public var spanWithTerminator: Range<Int>
    /// XXH3 of the normalized line (0 for a blank line).
    public var hash: UInt64
    public var kind: LineKind
    public var words: Int
    /// The normalized line's bytes in the segmenter's `normalized` buffer (valid until its next `segment`).
    public var normalized: Range<Int>
}

/// A run of consecutive non-blank lines of one kind.
public struct SegmentedBlock: Sendable, Hashable {
    public var lines: Range<Int>
    public var kind: LineKind
}

/// A document cut into lines and blocks, with byte spans into the original text, so that removing some of them
/// keeps every other byte as it was.
public struct SegmentedDocument: Sendable {
    public var lines: [SegmentedLine]
    public var blocks: [SegmentedBlock]
    /// Invalid UTF-8 sequences repaired while normalizing.
    public var invalidUTF8 = 0
}

/// Cuts documents into lines (on LF; a CR before it belongs to the terminator) and blocks, normalizing each line
/// to hash it. The normalized lines stay in `normalized`, joined by single spaces — exactly the text
/// `DocumentSigner` shingles — so a document is normalized once. One per worker: it reuses its buffer.
public final class DocumentSegmenter {
    public let normalizer: ArabicNormalizer
    /// Lines of at most this many words are `.short`. Default 10.
    public let shortLineWords: Int
    /// The last document's normalized lines, joined by single spaces (blank lines leave nothing).
    public let normalized = ByteBuffer(capacity: 1 << 16)
    static let lineSeed: UInt64 = 0x6C69_6E65
    /// The arrays of the last document, reused for the next one when its caller has let go of them (else they are
    /// copied on write, as any array).
    @exclusivity(unchecked) var lineStorage: [SegmentedLine] = []
    @exclusivity(unchecked) var blockStorage: [SegmentedBlock] = []

    public convenience init(normalizer: ArabicNormalizerOptions = ArabicNormalizerOptions(), shortLineWords: Int = 10) {
        var o = normalizer
        o.keepLineBreaks = false
        self.init(normalizer: ArabicNormalizer(options: o), shortLineWords: shortLineWords)
    }

    /// With a normalizer built once and shared (its tables take a while to build); it must not keep line breaks.
    public init(normalizer: ArabicNormalizer, shortLineWords: Int = 10) {
        precondition(!normalizer.options.keepLineBreaks, "a segmenter normalizes one line at a time")
        self.normalizer = normalizer
        self.shortLineWords = shortLineWords
    }

    public func segment(_ text: UnsafeBufferPointer<UInt8>) -> SegmentedDocument {
        var lines = lineStorage
        lineStorage = []
        lines.removeAll(keepingCapacity: true)
        var invalid = 0
        normalized.removeAll()
        let n = text.count
        var start = 0
        while start < n {
            var end = start
            if let base = text.baseAddress, let nl = memchr(base + start, 0x0A, n - start) {
                end = UnsafeRawPointer(nl) - UnsafeRawPointer(base)
            } else {
                end = n
            }
            let withTerminator = start..<(end < n ? end + 1 : end)
            let contentEnd = end > start && text[end - 1] == 0x0D ? end - 1 : end
            lines.append(line(text, start..<contentEnd, withTerminator, &invalid))
            start = end + 1
        }
        var blocks = blockStorage
        blockStorage = []
        blocks.removeAll(keepingCapacity: true)
        blocks.reserveCapacity(lines.count)
        var i = 0
        while i < lines.count {
            let kind = lines[i].kind
            if kind == .blank { i += 1; continue }
            var j = i + 1
            while j < lines.count && lines[j].kind == kind { j += 1 }
            blocks.append(SegmentedBlock(lines: i..<j, kind: kind))
            i = j
        }
        lineStorage = lines
        blockStorage = blocks
        return SegmentedDocument(lines: lines, blocks: blocks, invalidUTF8: invalid)
    }

    func line(_ text: UnsafeBufferPointer<UInt8>, _ span: Range<Int>, _ withTerminator: Range<Int>,
              _ invalid: inout Int) -> SegmentedLine {
        let hadText = normalized.count > 0
        if hadText { normalized.append(0x20) }
        let start = normalized.count
        let stats = normalizer.append(UnsafeBufferPointer(rebasing: text[span]), to: normalized)
        invalid += stats.invalidSequences
        let end = normalized.count
        if end == start {
            if hadText { normalized.count -= 1 }
            return SegmentedLine(span: span, spanWithTerminator: withTerminator, hash: 0, kind: .blank, words: 0,
                                 normalized: start..<start)
        }
        let bytes = UnsafeBufferPointer(start: normalized.storage + start, count: end - start)
        let words = 1 + stats.spaces  // (the normalizer counted them as it wrote them)
        let hash = Self.lineHash(bytes)
        let kind: LineKind = Self.startsWithBullet(text, span) ? .listItem : (words <= shortLineWords ? .short : .paragraph)
        return SegmentedLine(span: span, spanWithTerminator: withTerminator, hash: hash, kind: kind, words: words,
                             normalized: start..<end)
    }

    /// The number of 0x20 bytes, sixteen at a time.
    static func countSpaces(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let n = bytes.count
        var lanes = SIMD16<UInt8>()
        var total = 0
        var i = 0
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            lanes &+= SIMD16<UInt8>(repeating: 0).replacing(with: 1, where: v .== SIMD16<UInt8>(repeating: 0x20))
            i += 16
            // A lane counts at most 255 before it wraps.
            if i & 0x7F0 == 0 {
                total += Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
                lanes = SIMD16<UInt8>()
            }
        }
        total += Int(SIMD16<UInt16>(truncatingIfNeeded: lanes).wrappedSum())
        while i < n {
            if base[i] == 0x20 { total += 1 }
            i += 1
        }
        return total
    }

    /// The hash of a normalized line (never 0, which marks a blank line).
    public static func lineHash(_ normalized: UnsafeBufferPointer<UInt8>) -> UInt64 {
        XXH3_64bits_withSeed(normalized.baseAddress, normalized.count, lineSeed) | 1
    }

    /// A bullet or an enumeration at the start of the line (after spaces), followed by a space.
    static func startsWithBullet(_ text: UnsafeBufferPointer<UInt8>, _ span: Range<Int>) -> Bool {
        var i = span.lowerBound
        let end = span.upperBound
        while i < end && (text[i] == 0x20 || text[i] == 0x09) { i += 1 }
        if i < end - 1 && text[i] == 0xC2 && text[i + 1] == 0xA0 { i += 2 }
        guard i < end else { return false }
        func spaceAt(_ k: Int) -> Bool { k < end && (text[k] == 0x20 || text[k] == 0x09) }
        let b = text[i]
        if (b == 0x2D || b == 0x2A || b == 0x3E) && spaceAt(i + 1) { return true }  // - * >
        // Two-byte bullets: · (C2 B7). Three-byte: • (E2 80 A2), – (E2 80 93), — (E2 80 94), ▪ (E2 96 AA),
        // ● (E2 97 8F), ► (E2 96 BA).
        if b == 0xC2 && i + 1 < end && text[i + 1] == 0xB7 && spaceAt(i + 2) { return true }
        if b == 0xE2 && i + 2 < end {
            let b1 = text[i + 1], b2 = text[i + 2]
            let bullet = (b1 == 0x80 && (b2 == 0xA2 || b2 == 0x93 || b2 == 0x94))
                || (b1 == 0x96 && (b2 == 0xAA || b2 == 0xBA)) || (b1 == 0x97 && b2 == 0x8F)
            if bullet && spaceAt(i + 3) { return true }
        }
        // 1. 2) ١. ٢) — ASCII or Arabic-Indic digits (D9 A0–D9 A9), then "." or ")" or "-".
        var k = i
        var digits = 0
        while k < end {
            if text[k] >= 0x30 && text[k] <= 0x39 { k += 1; digits += 1 }
            else if text[k] == 0xD9 && k + 1 < end && text[k + 1] >= 0xA0 && text[k + 1] <= 0xA9 { k += 2; digits += 1 }
            else { break }
        }
        if digits > 0 && digits <= 3 && k < end && (text[k] == 0x2E || text[k] == 0x29 || text[k] == 0x2D) && spaceAt(k + 1) {
            return true
        }
        return false
    }
}
