internal import CXXHash

/// Normalize → shingle → MinHash for one document at a time, with all scratch space reused: after the first few
/// documents, signing allocates nothing. One per worker thread.
public final class DocumentSigner {
    public let normalizer: ArabicNormalizer
    public let shingler: ShingleHasher
    public let minHasher: MinHasher
    let normalized = ByteBuffer(capacity: 1 << 16)
    let hashes = ShingleBuffer(capacity: 1 << 14)

    /// What signing one document found out besides its signature.
    public struct Facts: Sendable, Hashable {
        /// Shingles hashed (with repeats).
        public var shingles: Int
        /// XXH3 of the normalized text: equal for documents that are copies up to normalization.
        public var contentHash: UInt64
        /// Bytes of normalized text.
        public var normalizedBytes: Int
        public var invalidUTF8: Int

        /// A document with nothing to sign.
        public static let none = Facts(shingles: 0, contentHash: 0, normalizedBytes: 0, invalidUTF8: 0)
    }

    public init(normalizer: ArabicNormalizer, shingler: ShingleHasher, minHasher: MinHasher) {
        var options = normalizer.options
        options.keepLineBreaks = false
        self.normalizer = options == normalizer.options ? normalizer : ArabicNormalizer(options: options)
        self.shingler = shingler
        self.minHasher = minHasher
    }

    /// Signs raw text (any bytes; invalid UTF-8 is repaired by the normalizer) into `signature` (k slots).
    public func sign(_ text: UnsafeBufferPointer<UInt8>, into signature: UnsafeMutablePointer<UInt32>) -> Facts {
        let stats = normalizer.normalize(text, into: normalized)
        return signNormalized(invalidUTF8: stats.invalidSequences, into: signature)
    }

    /// Signs text that is already in the internal buffer.
    func signNormalized(invalidUTF8: Int, into signature: UnsafeMutablePointer<UInt32>) -> Facts {
        signNormalized(normalized.bytes, invalidUTF8: invalidUTF8, into: signature)
    }

    /// Signs text that is already normalized with `keepLineBreaks = false` (a `DocumentSegmenter`'s `normalized`).
    public func signNormalized(_ bytes: UnsafeBufferPointer<UInt8>, invalidUTF8: Int,
                               into signature: UnsafeMutablePointer<UInt32>) -> Facts {
        let shingles = shingler.hashes(of: bytes, into: hashes)
        minHasher.sign(hashes.hashes, into: signature)
        let contentHash = bytes.count == 0 ? 0 : XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, 0x636F_6E74)
        return Facts(shingles: shingles, contentHash: contentHash, normalizedBytes: bytes.count, invalidUTF8: invalidUTF8)
    }

    /// Signs the lines whose index `keep` accepts (a document's kept lines, say), joined by spaces, from the
    /// normalized text their `normalized` ranges point into (a `DocumentSegmenter`'s `normalized`, or a spooled
    /// record's): nothing is normalized again, and no array of the chosen lines is made.
    public func sign(lines: [SegmentedLine], where keep: (Int) -> Bool, normalized text: UnsafeBufferPointer<UInt8>,
                     into signature: UnsafeMutablePointer<UInt32>) -> Facts {
        normalized.removeAll()
        for (i, line) in lines.enumerated() where !line.normalized.isEmpty && keep(i) {
            if normalized.count > 0 { normalized.append(0x20) }
            normalized.append(UnsafeBufferPointer(rebasing: text[line.normalized]))
        }
        return signNormalized(invalidUTF8: 0, into: signature)
    }

    /// Signs the lines `keep` accepts from an earlier signature of some of them, the lines `story` accepts: when those
    /// are all kept, and the other kept lines come before or after them (a headline kept before the paragraphs the
    /// earlier signature was made of, say), the shingles within the story lines are the earlier signature's — the same
    /// bytes, joined by the same spaces — and only the shingles that reach into the lines before or after are hashed and
    /// folded into it. `signature` holds the earlier signature (of `storyFacts`) and receives the new one. Returns nil,
    /// the signature untouched, when the lines are not like that, or the story lines have fewer words than a shingle
    /// (their one shingle is then all of them): `sign(lines:where:normalized:into:)` them instead.
    public func extend(_ signature: UnsafeMutablePointer<UInt32>, storyFacts: Facts, lines: [SegmentedLine],
                       where keep: (Int) -> Bool, story: (Int) -> Bool, normalized text: UnsafeBufferPointer<UInt8>) -> Facts? {
        guard shingler.unit == .words else { return nil }
        normalized.removeAll()
        var storyStart = -1, storyEnd = -1
        for (i, line) in lines.enumerated() where !line.normalized.isEmpty {
            let kept = keep(i), inStory = story(i)
            if inStory {
                // A story line removed, or kept lines between story lines: not an extension.
                guard kept, storyEnd < 0 || normalized.count == storyEnd else { return nil }
            }
            guard kept else { continue }
            if normalized.count > 0 { normalized.append(0x20) }
            if inStory && storyStart < 0 { storyStart = normalized.count }
            normalized.append(UnsafeBufferPointer(rebasing: text[line.normalized]))
            if inStory { storyEnd = normalized.count }
        }
        let joined = normalized.bytes
        let size = shingler.size
        guard storyStart >= 0,
              shingler.wordStart(in: joined, wordsBack: size, before: storyEnd, notBefore: storyStart) != nil,
              let lastStoryWindows = shingler.wordStart(in: joined, wordsBack: size - 1, before: storyEnd, notBefore: storyStart)
        else { return nil }
        // The shingles that start before the story lines, and those that end after them.
        hashes.ensureCapacity(joined.count / 2 + 2)
        let out = hashes.pointer
        var extra = 0
        let emit: (UInt64) -> Void = { out[extra] = $0; extra += 1 }
        shingler.forEachWordShingle(in: joined, from: 0, startsBefore: storyStart, scratch: hashes, emit)
        if storyEnd < joined.count {
            shingler.forEachWordShingle(in: joined, from: lastStoryWindows, startsBefore: joined.count, scratch: hashes, emit)
        }
        hashes.count = extra
        minHasher.fold(hashes.hashes, into: signature)
        let contentHash = XXH3_64bits_withSeed(joined.baseAddress, joined.count, 0x636F_6E74)
        return Facts(shingles: storyFacts.shingles + extra, contentHash: contentHash, normalizedBytes: joined.count,
                     invalidUTF8: 0)
    }

    /// The sorted, distinct shingle hashes of the last signed document (for exact verification).
    public func lastShingleSet() -> [UInt64] {
        var set = Array(hashes.hashes)
        set.sort()
        var unique: [UInt64] = []
        unique.reserveCapacity(set.count)
        for h in set where unique.last != h { unique.append(h) }
        return unique
    }
}

/// Jaccard similarity of two sorted, distinct hash arrays.
public func exactJaccard(_ a: [UInt64], _ b: [UInt64]) -> Double {
    if a.isEmpty && b.isEmpty { return 0 }
    var i = 0, j = 0, shared = 0
    while i < a.count && j < b.count {
        if a[i] == b[j] { shared += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
    }
    return Double(shared) / Double(a.count + b.count - shared)
}
