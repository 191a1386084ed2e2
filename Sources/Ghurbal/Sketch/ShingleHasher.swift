internal import CXXHash
internal import CGhurbalKernels

/// Hashes the shingles of normalized text with XXH3-64, over the contiguous bytes of each shingle (no strings).
///
/// - Word shingles (default, n = 5): the bytes from the first byte of word *i* to the last byte of word *i+n−1*,
///   separators included. Normalize with `keepLineBreaks = false` (or join lines with spaces) so that a line break
///   and a space between two words shingle alike.
/// - Character shingles: *n* consecutive Unicode scalars, spaces included; for short texts (titles, headlines).
///
/// A text with fewer than *n* units still gets one shingle (all of it), so that short documents have a signature;
/// an empty text has none. The seed makes different runs independent; the same seed gives the same hashes.
public struct ShingleHasher: Sendable, Hashable {
    public enum Unit: Sendable, Hashable {
        case words
        case characters
    }

    public var unit: Unit
    /// Shingle length in words or characters, 1…64.
    public var size: Int
    public var seed: UInt64

    public init(unit: Unit = .words, size: Int = 5, seed: UInt64 = 0x6768_7572_6261_6c00) {
        precondition((1...64).contains(size), "shingle size must be 1…64")
        self.unit = unit
        self.size = size
        self.seed = seed
    }

    /// Calls `body` with the hash of every shingle, in order (duplicates included); returns how many there were.
    /// `scratch` lends its word-bounds space (else it is allocated for the call).
    @discardableResult
    public func forEachShingle(in text: UnsafeBufferPointer<UInt8>, scratch: ShingleBuffer? = nil, _ body: (UInt64) -> Void) -> Int {
        guard let base = text.baseAddress, text.count > 0 else { return 0 }
        switch unit {
        case .words:
            let produced = forEachWordShingle(in: text, from: 0, startsBefore: text.count, scratch: scratch, body)
            return produced > 0 ? produced : shortTextShingle(base, text.count, body)
        case .characters: return characterShingles(base, text.count, body)
        }
    }

    /// Writes every shingle hash of `text` into `hashes` (grown when needed, reused across documents); returns how
    /// many there are. No per-shingle bookkeeping: the buffer is sized for the worst case (one shingle per byte pair)
    /// before hashing.
    @discardableResult
    public func hashes(of text: UnsafeBufferPointer<UInt8>, into hashes: ShingleBuffer) -> Int {
        hashes.ensureCapacity(text.count / 2 + 2)
        let out = hashes.pointer
        var n = 0
        forEachShingle(in: text, scratch: hashes) { h in
            out[n] = h
            n += 1
        }
        hashes.count = n
        return n
    }

    /// Appends every shingle hash to `hashes` (a reused buffer); returns how many were appended.
    @discardableResult
    public func hashes(of text: UnsafeBufferPointer<UInt8>, into hashes: inout [UInt64]) -> Int {
        forEachShingle(in: text) { hashes.append($0) }
    }

    @inline(__always)
    private func hash(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> UInt64 {
        XXH3_64bits_withSeed(base + from, to - from, seed)
    }

    /// A text with fewer words than a shingle: one shingle, from its first word's first byte to its last word's last;
    /// none when it has no word.
    private func shortTextShingle(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (UInt64) -> Void) -> Int {
        var first = 0, end = n
        while first < end && (p[first] == 0x20 || p[first] == 0x0A) { first += 1 }
        while end > first && (p[end - 1] == 0x20 || p[end - 1] == 0x0A) { end -= 1 }
        guard first < end else { return 0 }
        body(hash(p, first, end))
        return 1
    }

    /// The word shingles of `text` (as `forEachShingle` makes them) that start at a word beginning at or after byte
    /// `from` (a word's first byte or a separator before one) and before byte `startsBefore`, in order, without the
    /// short-text fallback: the shingles of one part of a text whose other shingles are known. Returns how many.
    /// The words are found 32 bytes a step (`ghurbal_word_bounds`), into `scratch`'s word-bounds space or space
    /// allocated for the call; then each shingle is hashed from its first word's start to its last word's end.
    @discardableResult
    func forEachWordShingle(in text: UnsafeBufferPointer<UInt8>, from: Int, startsBefore: Int, scratch: ShingleBuffer? = nil,
                            _ body: (UInt64) -> Void) -> Int {
        guard let p = text.baseAddress, from < startsBefore else { return 0 }
        let n = text.count, size = self.size
        guard n <= Int(UInt32.max) else { return forEachWordShingleByteByByte(in: text, from: from, startsBefore: startsBefore, body) }
        let room = (n - from + 1) / 2 + 1
        func shingles(_ starts: UnsafeMutablePointer<UInt32>, _ ends: UnsafeMutablePointer<UInt32>) -> Int {
            let words = ghurbal_word_bounds(p, n, from, startsBefore, size - 1, starts, ends)
            var i = 0
            while i + size <= words && Int(starts[i]) < startsBefore {
                body(hash(p, Int(starts[i]), Int(ends[i + size - 1])))
                i += 1
            }
            return i
        }
        if let scratch {
            scratch.ensureWordCapacity(room)
            return shingles(scratch.wordStarts, scratch.wordEnds)
        }
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 2 * room) { space in
            shingles(space.baseAddress!, space.baseAddress! + room)
        }
    }

    /// `forEachWordShingle` a word at a time, with a ring of the last `size` word starts: the definition the vector
    /// path is tested against, and the path for texts of 4 GiB or more.
    func forEachWordShingleByteByByte(in text: UnsafeBufferPointer<UInt8>, from: Int, startsBefore: Int,
                                      _ body: (UInt64) -> Void) -> Int {
        guard let p = text.baseAddress, from < startsBefore else { return 0 }
        let n = text.count, size = self.size
        // The starts of the last `size` words, in a ring: `slot` is where the next word's start goes, which after a
        // write holds the start of the oldest word of the shingle that ends there.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: size) { starts in
            var words = 0, slot = 0, produced = 0
            var i = from
            while i < n {
                while i < n && (p[i] == 0x20 || p[i] == 0x0A) { i += 1 }
                if i == n { break }
                let start = i
                while i < n && p[i] != 0x20 && p[i] != 0x0A { i += 1 }
                starts[slot] = start
                slot = slot + 1 == size ? 0 : slot + 1
                words += 1
                if words >= size {
                    let first = starts[slot]
                    if first >= startsBefore { break }
                    body(hash(p, first, i))
                    produced += 1
                }
            }
            return produced
        }
    }

    /// Where the `count`-th word before byte `end` begins, looking no further back than `floor`; nil when there are
    /// fewer words than that in `floor..<end`.
    func wordStart(in text: UnsafeBufferPointer<UInt8>, wordsBack count: Int, before end: Int, notBefore floor: Int) -> Int? {
        var i = end, found = 0
        while found < count {
            while i > floor && (text[i - 1] == 0x20 || text[i - 1] == 0x0A) { i -= 1 }
            if i == floor { return nil }
            while i > floor && text[i - 1] != 0x20 && text[i - 1] != 0x0A { i -= 1 }
            found += 1
        }
        return i
    }

    private func characterShingles(_ p: UnsafePointer<UInt8>, _ n: Int, _ body: (UInt64) -> Void) -> Int {
        let size = self.size
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: size + 1) { starts in
            // A ring of the last size + 1 scalar starts; `slot` is where the next goes, and after a write holds the
            // start of the scalar `size` back.
            var chars = 0
            var slot = 0
            var produced = 0
            var i = 0
            while i <= n {
                // A scalar starts at every byte that is not a continuation byte; `n` closes the last one.
                if i == n || p[i] & 0xC0 != 0x80 {
                    starts[slot] = i
                    slot = slot == size ? 0 : slot + 1
                    if chars >= size {
                        body(hash(p, starts[slot], i))
                        produced += 1
                    }
                    chars += 1
                }
                i += 1
            }
            // `chars` counted the closing position too.
            if produced == 0 && chars > 1 {
                body(hash(p, 0, n))
                produced = 1
            }
            return produced
        }
    }
}

/// Reusable storage for a document's shingle hashes.
public final class ShingleBuffer {
    @exclusivity(unchecked) public private(set) var pointer: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) public private(set) var capacity: Int
    /// Hashes written by the last `ShingleHasher.hashes(of:into:)`.
    @exclusivity(unchecked) public internal(set) var count = 0

    /// Word bounds (`ShingleHasher.forEachWordShingle`'s scratch), `wordCapacity` each.
    @exclusivity(unchecked) private(set) var wordStarts: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private(set) var wordEnds: UnsafeMutablePointer<UInt32>
    @exclusivity(unchecked) private(set) var wordCapacity: Int

    public init(capacity: Int = 4096) {
        self.capacity = max(16, capacity)
        pointer = .allocate(capacity: self.capacity)
        wordCapacity = self.capacity
        wordStarts = .allocate(capacity: wordCapacity)
        wordEnds = .allocate(capacity: wordCapacity)
    }

    deinit {
        pointer.deallocate()
        wordStarts.deallocate()
        wordEnds.deallocate()
    }

    func ensureWordCapacity(_ n: Int) {
        guard n > wordCapacity else { return }
        wordStarts.deallocate()
        wordEnds.deallocate()
        wordCapacity = max(n, wordCapacity * 2)
        wordStarts = .allocate(capacity: wordCapacity)
        wordEnds = .allocate(capacity: wordCapacity)
    }

    func ensureCapacity(_ n: Int) {
        guard n > capacity else { return }
        pointer.deallocate()
        capacity = max(n, capacity * 2)
        pointer = .allocate(capacity: capacity)
    }

    public var hashes: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(start: pointer, count: count) }
}
