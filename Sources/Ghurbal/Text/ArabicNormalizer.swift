internal import CGhurbalKernels

/// Normalizes Arabic (and mixed) text on UTF-8 bytes for duplicate and boilerplate detection.
///
/// One pass over the bytes with table look-ups, no `Character` and no allocation once the output buffer has
/// grown: ASCII and the two-byte range (which holds the whole Arabic block) go through one 2,048-entry table,
/// the general punctuation and presentation-form ranges through a second, and everything else is copied. Runs of
/// common letters and single spaces take a 32-byte SIMD path (`FastPath`, in C) that gives the same bytes.
///
/// The output is valid UTF-8 in which
/// - every run of separators (spaces, punctuation, dropped controls between words, invalid bytes) is one ASCII
///   space, with no space at the start or end of a line;
/// - each input line break (LF, CR, CRLF, U+2028, U+2029) is one `\n` when `keepLineBreaks` is on, so the output has
///   exactly as many lines as the input;
/// - each maximal invalid UTF-8 subsequence (as Unicode's "maximal subpart" practice defines it) is one separator
///   and is counted in `NormalizationStats.invalidSequences`.
///
/// Normalizing twice gives the same bytes as normalizing once.
public struct ArabicNormalizer: Sendable {
    public let options: ArabicNormalizerOptions
    let tables: NormalizerTables

    public init(options: ArabicNormalizerOptions = ArabicNormalizerOptions()) {
        self.init(options: options, vectorized: true)
    }

    /// `vectorized: false` turns the 32-byte fast path off, `baselineKernel: true` runs its baseline build on any CPU
    /// (tests compare them).
    init(options: ArabicNormalizerOptions, vectorized: Bool, baselineKernel: Bool = false) {
        self.options = options
        self.tables = NormalizerTables(options: options, vectorized: vectorized, baselineKernel: baselineKernel)
    }

    /// Normalizes `input` into `output`, which is cleared first.
    @discardableResult
    public func normalize(_ input: UnsafeBufferPointer<UInt8>, into output: ByteBuffer) -> NormalizationStats {
        output.removeAll()
        return append(input, to: output)
    }

    /// Normalizes `input` and appends it to `output`. A pending separator does not carry over between calls.
    @discardableResult
    public func append(_ input: UnsafeBufferPointer<UInt8>, to output: ByteBuffer) -> NormalizationStats {
        tables.run(input, output)
    }

    /// Convenience for tests and small inputs.
    public func normalize(_ text: String) -> String {
        var text = text
        let out = ByteBuffer(capacity: text.utf8.count + 16)
        text.withUTF8 { _ = normalize($0, into: out) }
        return out.string
    }

    /// Convenience for raw bytes that may not be valid UTF-8.
    public func normalize(bytes: [UInt8]) -> (text: String, stats: NormalizationStats) {
        let out = ByteBuffer(capacity: bytes.count + 16)
        let stats = bytes.withUnsafeBufferPointer { normalize($0, into: out) }
        return (out.string, stats)
    }
}

/// Counts from one normalization call.
public struct NormalizationStats: Sendable, Hashable {
    /// Maximal invalid UTF-8 subsequences replaced by a separator.
    public var invalidSequences: Int = 0
    /// Spaces (0x20) written: on a line (`keepLineBreaks` off), its words less one.
    public var spaces: Int = 0
    public init(invalidSequences: Int = 0, spaces: Int = 0) {
        self.invalidSequences = invalidSequences
        self.spaces = spaces
    }
}

/// The look-up tables of one `ArabicNormalizerOptions`, immutable after construction.
final class NormalizerTables: @unchecked Sendable {
    // Entry layout (UInt32) for scalars below U+0800:
    //   bits 0–15  up to two output bytes, first byte in the low half
    //   bits 16–17 number of output bytes (0 when dropped, a separator or a newline)
    //   bit 18     separator
    //   bit 19     newline
    //   bit 20     carriage return (a following LF belongs to it)
    static let separatorBit: UInt32 = 1 << 18
    static let newlineBit: UInt32 = 1 << 19
    static let carriageReturnBit: UInt32 = 1 << 20

    /// Scalars U+0000–U+07FF.
    let small: UnsafeMutablePointer<UInt32>
    /// Three-byte scalars in the folded ranges: (offset << 8) | length into `expansions`; length 0xFF = keep,
    /// 0xFE = separator, 0xFD = newline, 0 = drop.
    let wide: UnsafeMutablePointer<UInt32>
    let expansions: UnsafeMutablePointer<UInt8>
    let maxExpansion: Int

    // The wide table covers U+2000–U+206F, U+3000–U+3003 and U+FB00–U+FFFF.
    static let wideRanges: [(lo: UInt32, hi: UInt32, base: Int)] = [
        (0x2000, 0x206F, 0), (0x3000, 0x3003, 0x70), (0xFB00, 0xFFFF, 0x74),
    ]
    static let wideCount = 0x74 + 0x500

    /// The 32-byte fast path, and which of its folds the options ask for; see `FastPath`.
    let fast: FastPath?

    init(options: ArabicNormalizerOptions, vectorized: Bool = true, baselineKernel: Bool = false) {
        let rules = NormalizerRules(options: options)
        small = .allocate(capacity: 0x800)
        for s in 0..<UInt32(0x800) {
            small[Int(s)] = Self.smallEntry(rules.rule(s), scalar: s)
        }
        small[0x0D] |= Self.carriageReturnBit
        fast = vectorized ? FastPath(table: small, baselineKernel: baselineKernel) : nil

        wide = .allocate(capacity: Self.wideCount)
        var bytes: [UInt8] = []
        for (lo, hi, base) in Self.wideRanges {
            for s in lo...hi {
                let entry: UInt32
                switch rules.rule(s) {
                case .keep: entry = 0xFF
                case .drop: entry = 0
                case .separator: entry = 0xFE
                case .newline: entry = 0xFD
                case .replace(let scalars):
                    let offset = bytes.count
                    for v in scalars {
                        if v == 0x20 { bytes.append(0x20) } else { bytes.append(contentsOf: Array(String(Unicode.Scalar(v)!).utf8)) }
                    }
                    let length = bytes.count - offset
                    precondition(length > 0 && length < 0xFD)
                    entry = UInt32(offset) << 8 | UInt32(length)
                }
                wide[base + Int(s - lo)] = entry
            }
        }
        expansions = .allocate(capacity: max(1, bytes.count))
        expansions.initialize(from: bytes, count: bytes.count)
        var longest = 4
        for i in 0..<Self.wideCount where wide[i] & 0xFF < 0xFD { longest = max(longest, Int(wide[i] & 0xFF) + 1) }
        maxExpansion = longest
    }

    deinit {
        small.deallocate()
        wide.deallocate()
        expansions.deallocate()
    }

    private static func smallEntry(_ rule: ScalarRule, scalar: UInt32) -> UInt32 {
        func encode(_ v: UInt32) -> UInt32 {
            if v < 0x80 { return v | 1 << 16 }
            let b0 = 0xC0 | (v >> 6), b1 = 0x80 | (v & 0x3F)
            return b0 | b1 << 8 | 2 << 16
        }
        switch rule {
        case .keep: return encode(scalar)
        case .drop: return 0
        case .separator: return separatorBit
        case .newline: return newlineBit
        case .replace(let r):
            precondition(r.count == 1 && r[0] < 0x800, "two-byte scalars fold to one scalar")
            return encode(r[0])
        }
    }

    @inline(__always)
    private static func wideIndex(_ s: UInt32) -> Int {
        if s >= 0xFB00 { return 0x74 + Int(s - 0xFB00) }
        if s >= 0x2000 && s <= 0x206F { return Int(s - 0x2000) }
        if s >= 0x3000 && s <= 0x3003 { return 0x70 + Int(s - 0x3000) }
        return -1
    }

    /// The hot loop.
    func run(_ input: UnsafeBufferPointer<UInt8>, _ output: ByteBuffer) -> NormalizationStats {
        var stats = NormalizationStats()
        guard let inp = input.baseAddress, input.count > 0 else { return stats }
        let n = input.count
        // Every path below writes at most as many bytes as it reads, plus one pending space and one spare byte for
        // the two-byte store, so that room for the rest of the input plus `slack` is always left (the fast path stores
        // whole 32-byte vectors, the last of which may reach 32 bytes past what it copies); only the wide expansions can
        // write more, and they reserve so that it still is.
        let slack = 34
        output.reserve(extra: n + slack)
        var out = output.storage + output.count
        var capacityEnd = output.storage + output.capacity
        var pendingSpace = false
        var lineHasContent = false
        let table = small
        let fast = self.fast
        var i = 0

        // Spaces written here and by the kernel: two variables, so that the one passed to C is not also captured by a
        // local function (which would check every access to it for exclusivity at run time).
        var spaces = 0
        var copiedSpaces = 0
        @inline(__always) func emitSpaceIfPending() {
            if pendingSpace {
                if lineHasContent { out.pointee = 0x20; out += 1; spaces += 1 }
                pendingSpace = false
            }
        }
        @inline(__always) func apply(_ e: UInt32) {
            let length = Int((e >> 16) & 3)
            if length != 0 {
                emitSpaceIfPending()
                UnsafeMutableRawPointer(out).storeBytes(of: UInt16(truncatingIfNeeded: e), as: UInt16.self)
                out += length
                lineHasContent = true
            } else if e & NormalizerTables.separatorBit != 0 {
                pendingSpace = true
            } else if e & NormalizerTables.newlineBit != 0 {
                out.pointee = 0x0A; out += 1
                lineHasContent = false
                pendingSpace = false
            }
        }
        @inline(__always) func invalid() {
            stats.invalidSequences += 1
            pendingSpace = true
        }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

        while i < n {
            // 32 bytes at a time while the text is common letters and single spaces (most of a news text); the byte
            // that stopped the run takes the scalar path.
            if let fast, inp[i] != 0x20 || lineHasContent {
                let space = pendingSpace && inp[i] != 0x20 && lineHasContent ? 1 : 0
                if space == 1 { out.pointee = 0x20 }
                let options = i == 0 ? fast.options | UInt32(GHURBAL_FAST_AT_START) : fast.options
                let run = fast.copy(inp + i, n - i, out + space, options, &copiedSpaces)
                if run > 0 {
                    spaces += space
                    out += space + run
                    i += run
                    pendingSpace = false
                    lineHasContent = true
                    if i == n { break }
                }
            }
            let b0 = inp[i]
            if b0 < 0x80 {
                let e = table[Int(b0)]
                i += 1
                if e & NormalizerTables.carriageReturnBit != 0 && i < n && inp[i] == 0x0A { i += 1 }
                apply(e)
            } else if b0 < 0xE0 {
                guard b0 >= 0xC2, i + 1 < n, isContinuation(inp[i + 1]) else {
                    i += 1; invalid(); continue
                }
                let s = (Int(b0 & 0x1F) << 6) | Int(inp[i + 1] & 0x3F)
                i += 2
                apply(table[s])
                // The rest of a run of two-byte letters (an Arabic word) in a tighter loop: most of them are kept
                // as two bytes, with no separator pending.
                while i + 1 < n {
                    let c0 = inp[i], c1 = inp[i + 1]
                    guard c0 &- 0xC2 < 0x1E, c1 & 0xC0 == 0x80 else { break }
                    let e = table[(Int(c0 & 0x1F) << 6) | Int(c1 & 0x3F)]
                    i += 2
                    if e & 0x3_0000 == 0x2_0000 && !pendingSpace {
                        UnsafeMutableRawPointer(out).storeBytes(of: UInt16(truncatingIfNeeded: e), as: UInt16.self)
                        out += 2
                        lineHasContent = true
                    } else {
                        apply(e)
                    }
                }
            } else if b0 < 0xF0 {
                // Three bytes: E0 needs A0–BF next, ED needs 80–9F (no surrogates).
                guard i + 1 < n else { i += 1; invalid(); continue }
                let b1 = inp[i + 1]
                let lo1: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
                let hi1: UInt8 = b0 == 0xED ? 0x9F : 0xBF
                guard b1 >= lo1 && b1 <= hi1 else { i += 1; invalid(); continue }
                guard i + 2 < n, isContinuation(inp[i + 2]) else { i += 2; invalid(); continue }
                let s = UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(inp[i + 2] & 0x3F)
                let w = Self.wideIndex(s)
                let e: UInt32 = w >= 0 ? wide[w] : 0xFF
                let length = Int(e & 0xFF)
                if length == 0xFF {
                    emitSpaceIfPending()
                    out[0] = b0; out[1] = b1; out[2] = inp[i + 2]
                    out += 3
                    lineHasContent = true
                } else if length == 0xFE {
                    pendingSpace = true
                } else if length == 0xFD {
                    out.pointee = 0x0A; out += 1
                    lineHasContent = false
                    pendingSpace = false
                } else if length != 0 {
                    // Expansions may be longer than their three input bytes: make room first, for the expansion
                    // (and a space before it) and for the rest of the input. (Checking for the expansion alone let a
                    // few of them eat the room the rest needed, and the rest was written past the buffer's end.)
                    let used = out - output.storage
                    if out + length + slack + (n - i) > capacityEnd {
                        output.count = used
                        output.reserve(extra: length + slack + (n - i))
                        out = output.storage + used
                        capacityEnd = output.storage + output.capacity
                    }
                    let src = expansions + Int(e >> 8)
                    for k in 0..<length {
                        let b = src[k]
                        if b == 0x20 { pendingSpace = true; continue }
                        emitSpaceIfPending()
                        out.pointee = b; out += 1
                        lineHasContent = true
                    }
                }
                i += 3
            } else if b0 < 0xF5 {
                // Four bytes: F0 needs 90–BF next, F4 needs 80–8F. Kept as they are.
                guard i + 1 < n else { i += 1; invalid(); continue }
                let b1 = inp[i + 1]
                let lo1: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
                let hi1: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
                guard b1 >= lo1 && b1 <= hi1 else { i += 1; invalid(); continue }
                guard i + 2 < n, isContinuation(inp[i + 2]) else { i += 2; invalid(); continue }
                guard i + 3 < n, isContinuation(inp[i + 3]) else { i += 3; invalid(); continue }
                emitSpaceIfPending()
                out[0] = b0; out[1] = b1; out[2] = inp[i + 2]; out[3] = inp[i + 3]
                out += 4
                lineHasContent = true
                i += 4
            } else {
                i += 1
                invalid()
            }
        }
        output.count = out - output.storage
        stats.spaces = spaces + copiedSpaces
        return stats
    }
}

/// The normalizer's fast path: 32 input bytes at a time, when they are all lowercase ASCII letters, ASCII digits
/// (unless `foldAllDigits`), single spaces between them, or the Arabic letters U+0621–U+063F and U+0641–U+064A —
/// the letters of almost every word of a news text. Those keep their length (a fold such as ة → ه changes bytes, not
/// their number), so the output is the input with a few bytes swapped, computed with vectors (in C,
/// `ghurbal_normalize_fast_copy`: AVX2 where the CPU has it), no table look-up and no branch per byte. Anything else
/// (punctuation, diacritics, tatweel, capitals, other scripts, line ends, runs of spaces) ends the run and goes
/// through the scalar loop, which remains the definition.
///
/// It is built only when the tables agree with it: every letter it copies must be kept as it is or folded exactly as
/// it folds it (the defaults, and any options that turn a fold off). Tests compare the scalar loop with both builds of
/// the kernel on random text.
struct FastPath {
    /// Folds to apply (ي ← ى; ا ← أ إ آ; ه ← ة; و ← ؤ and ي ← ئ) and whether ASCII digits are copied, as
    /// `GHURBAL_FAST_*` bits.
    let options: UInt32
    /// `ghurbal_normalize_fast_copy`, or its baseline build (tests run both).
    let copy: @convention(c) (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?, UInt32, UnsafeMutablePointer<Int>?) -> Int

    init?(table: UnsafePointer<UInt32>, baselineKernel: Bool = false) {
        func output(_ s: Int) -> [UInt8]? {
            let e = table[s]
            let length = Int((e >> 16) & 3)
            guard length > 0 else { return nil }
            return (0..<length).map { UInt8(truncatingIfNeeded: e >> (8 * UInt32($0))) }
        }
        func utf8(_ s: Int) -> [UInt8] { Array(String(Unicode.Scalar(UInt32(s))!).utf8) }
        func kept(_ s: Int) -> Bool { output(s) == utf8(s) }
        // Letters copied as they are.
        for s in [0x21, 0x27, 0x28] + Array(0x2A...0x3F) + Array(0x41...0x48) + [0x4A] {
            guard kept(0x600 + s) else { return nil }
        }
        for s in 0x61...0x7A { guard kept(s) else { return nil } }
        guard table[0x20] & NormalizerTables.separatorBit != 0 else { return nil }
        // Each fold: either applied exactly as the kernel applies it, or not at all.
        func fold(_ sources: [Int], _ target: Int) -> Bool? {
            if sources.allSatisfy({ output($0) == utf8(target) }) { return true }
            if sources.allSatisfy(kept) { return false }
            return nil
        }
        guard let maksura = fold([0x649], 0x64A), let alef = fold([0x622, 0x623, 0x625], 0x627),
              let teh = fold([0x629], 0x647), let waw = fold([0x624], 0x648), let yeh = fold([0x626], 0x64A),
              waw == yeh else { return nil }
        var options: UInt32 = 0
        if maksura { options |= UInt32(GHURBAL_FAST_FOLD_ALEF_MAKSURA) }
        if alef { options |= UInt32(GHURBAL_FAST_FOLD_ALEF) }
        if teh { options |= UInt32(GHURBAL_FAST_FOLD_TEH_MARBUTA) }
        if waw { options |= UInt32(GHURBAL_FAST_FOLD_HAMZA_CARRIERS) }
        if (0x30...0x39).allSatisfy(kept) { options |= UInt32(GHURBAL_FAST_COPY_DIGITS) }
        self.options = options
        copy = baselineKernel ? ghurbal_normalize_fast_copy_baseline : ghurbal_normalize_fast_copy
    }
}
