internal import CXXHash
import Foundation

/// Settings of boilerplate detection.
public struct BoilerplateConfiguration: Sendable, Hashable {
    /// A line (or a block) is boilerplate when it recurs in at least this many documents of one site. Default 3:
    /// two pages may share a sentence because one quotes the other; three independent stories sharing a line is
    /// chrome. The seeds show the need for block detection at this value: the two oldest items of a rotating list
    /// are on two pages only.
    public var minDocs = 3
    /// Also boilerplate when it recurs in at least this share of a site's stories (and in two or more). Off by
    /// default (nil): on small sites a share rule removes sentences that two stories happen to share.
    public var minShare: Double?
    /// Blocks whose line sets are at least this similar (Jaccard) are one recurring block. Default 0.5: a
    /// 15-item list that gained two items and lost two is 13/17 = 0.76 similar to its older self.
    public var blockThreshold = 0.5
    public var blockPermutations = 64
    public var detectBlocks = true
    /// Lines of at most this many words are title-like (`LineKind.short`). Default 10.
    public var shortLineWords = 10
    /// Documents that lose at least this share of their non-blank bytes are reported as boilerplate only.
    public var boilerplateOnlyShare = 0.8
    /// Documents whose paragraphs (lines longer than `shortLineWords`) are at least this similar tell one story, and
    /// count once for boilerplate, transitively. Default 0.5: lower than the duplicate threshold, because re-crawled
    /// and republished versions of one article share unchanged paragraphs even when their edits put them below it.
    public var storyThreshold = 0.5

    public init() {}
}

/// Why a line is removed.
public enum RemovalReason: String, Sendable, Hashable {
    /// The normalized line recurs across documents of the site.
    case line
    /// A short label (at most three words, "اقرأ أيضا:", "Read more:") before a line that is boilerplate: a teaser
    /// that quotes a headline of the site's own lists.
    case teaser
    /// The line belongs to a block that recurs near-identically across documents of the site.
    case block
}

/// What the detector needs of one document: its line hashes and, for each of its multi-line blocks, the key of
/// the block's whole MinHash signature and the signature's slots cut to 16 bits (from which the decision makes its LSH
/// band keys). Made on worker threads by `BoilerplateSketcher`, added in input order by the detector.
public struct BoilerplateSketch: Sendable {
    /// The keys (`BoilerplateDetector.lineKey`) of the document's non-blank lines, in line order (a repeated line
    /// repeated: `decide` counts stories, not lines).
    public var lineHashes: [UInt64]
    /// Per sketched block, `BoilerplateSketcher.keysPerBlock` values: the block's index in the document's blocks and the
    /// key of its whole signature (low, high 32 bits).
    public var blockKeys: [UInt32]
    /// Per sketched block, `blockPermutations` slots: the low 16 bits of each MinHash slot. Blocks are compared by the
    /// share of equal slots; two different 32-bit minima agree in their low 16 bits once in 65,536 slots, a 0.1 %
    /// chance of one spurious equal slot among 64 — the b-bit minwise hashing of Li and König — for half the memory.
    public var blockSignatures: [UInt16]
}

/// Makes `BoilerplateSketch`es; thread-safe.
public struct BoilerplateSketcher: Sendable {
    public let configuration: BoilerplateConfiguration
    let blockHasher: MinHasher
    /// The bands and rows that find blocks at `blockThreshold`, in an index that stays empty: the boilerplate decision
    /// starts each shard's index as a copy of it, and inserts blocks with keys from `bandKey(slots:band:rows:siteMix:)`.
    let blockLSH: LSHIndex
    /// Values per block in `BoilerplateSketch.blockKeys`.
    let keysPerBlock = 3

    /// The LSH key of band `band` of a block: its `rows` 16-bit slots from `band × rows` (at `slots`, as
    /// `BoilerplateSketch.blockSignatures` holds them), packed four to a 64-bit word and multiplied into a value that
    /// starts from the block's site and the band. The slots are minima of random hashes already, so no hash of their
    /// bytes is needed, only a mix; blocks whose slots agree in a band share its key (so do a few others, by chance:
    /// buckets are verified on the slots). Equal 32-bit rows are equal 16-bit rows, so a band of the full signature
    /// that matches still matches here; three rows whose minima differ agree in all their low 16 bits once in 2⁴⁸.
    @inline(__always)
    static func bandKey(slots: UnsafeRawPointer, band: Int, rows: Int, siteMix: UInt64) -> UInt32 {
        var h = bandStart(band, siteMix)
        var r = 0
        while r < rows {
            var word: UInt64 = 0
            var i = 0
            while i < 4 && r + i < rows {
                word |= UInt64(slots.loadUnaligned(fromByteOffset: (band * rows + r + i) * 2, as: UInt16.self)) << UInt64(16 * i)
                i += 1
            }
            h = mixIn(h, word)
            r += i
        }
        return finish(h)
    }

    /// `bandKey` for bands `0..<bands` into `keys`. `slotCount` is how many 16-bit slots may be read at `slots`.
    /// Bands of at most four rows are read eight bytes at a time and masked, where that stays inside the slots.
    @inline(__always)
    static func bandKeys(slots: UnsafeRawPointer, slotCount: Int, bands: Int, rows: Int, siteMix: UInt64,
                         into keys: UnsafeMutablePointer<UInt32>) {
        guard rows >= 1 && rows <= 4 && (bands - 1) * rows + 4 <= slotCount else {
            for band in 0..<bands { keys[band] = bandKey(slots: slots, band: band, rows: rows, siteMix: siteMix) }
            return
        }
        let mask: UInt64 = rows == 4 ? .max : (1 << UInt64(16 * rows)) - 1
        for band in 0..<bands {
            let word = slots.loadUnaligned(fromByteOffset: band * rows * 2, as: UInt64.self) & mask
            keys[band] = finish(mixIn(bandStart(band, siteMix), word))
        }
    }

    // The three steps of a band key: a start from the band and the site, each word of rows multiplied in, the high
    // half of a last multiply.
    @inline(__always) private static func bandStart(_ band: Int, _ siteMix: UInt64) -> UInt64 {
        siteMix ^ (UInt64(band) &+ 1) &* 0xD6E8_FEB8_6659_FD93
    }
    @inline(__always) private static func mixIn(_ h: UInt64, _ word: UInt64) -> UInt64 {
        let x = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
        return x ^ x >> 29
    }
    @inline(__always) private static func finish(_ h: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (h &* 0xBF58_476D_1CE4_E5B9) >> 32)
    }

    public init(configuration: BoilerplateConfiguration) {
        self.configuration = configuration
        blockHasher = MinHasher(permutations: configuration.blockPermutations, seed: 0xB10C)
        blockLSH = LSHIndex(parameters: LSHParameters.optimal(threshold: configuration.blockThreshold,
                                                              permutations: configuration.blockPermutations),
                            seed: 0xB10C_4C53)
    }

    public func sketch(_ segments: SegmentedDocument) -> BoilerplateSketch {
        // In line order, a line met twice in the document twice: the decision counts a line's stories, so a repeat
        // within one document (one story) adds nothing, and sorting to drop it cost more than keeping it (callgrind,
        // 10 MB dump, one thread: 635.7 → 626.5 M instructions).
        var lineKeys: [UInt64] = []
        lineKeys.reserveCapacity(segments.lines.count)
        for line in segments.lines where line.hash != 0 { lineKeys.append(BoilerplateDetector.lineKey(line.hash, words: line.words)) }
        guard configuration.detectBlocks else { return BoilerplateSketch(lineHashes: lineKeys, blockKeys: [], blockSignatures: []) }
        let k = configuration.blockPermutations
        let stride = keysPerBlock
        var multiLine = 0, longest = 0
        for block in segments.blocks where block.lines.count >= 2 {
            multiLine += 1
            longest = max(longest, block.lines.count)
        }
        // Both arrays reserved once and appended to (`[T](unsafeUninitializedCapacity:)` would call the standard
        // library's unspecialized allocation, which looks the array's type up at run time: about 500 instructions an
        // array); the line hashes of one block, its full signature and its 16-bit slots in scratch space (on the stack
        // when small).
        var keys: [UInt32] = [], slots: [UInt16] = []
        keys.reserveCapacity(multiLine * stride)
        slots.reserveCapacity(multiLine * k)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: longest) { lineSet in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: k) { signature in
                withUnsafeTemporaryAllocation(of: UInt16.self, capacity: k) { low in
                    for (b, block) in segments.blocks.enumerated() where block.lines.count >= 2 {
                        var n = 0
                        for l in block.lines {
                            lineSet[n] = segments.lines[l].hash
                            n += 1
                        }
                        signature.initialize(repeating: .max)
                        _ = blockHasher.sign(UnsafeBufferPointer(rebasing: lineSet[0..<n]), into: signature.baseAddress!)
                        let whole = XXH3_64bits_withSeed(signature.baseAddress, k * 4, 0xB10C)
                        keys.append(UInt32(b))
                        keys.append(UInt32(truncatingIfNeeded: whole))
                        keys.append(UInt32(truncatingIfNeeded: whole >> 32))
                        // The low 16 bits of each slot, sixteen slots at a time.
                        let out = UnsafeMutableRawPointer(low.baseAddress!)
                        let from = UnsafeRawPointer(signature.baseAddress!)
                        var j = 0
                        while j + 16 <= k {
                            out.storeBytes(of: SIMD16<UInt16>(truncatingIfNeeded: from.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<UInt32>.self)),
                                           toByteOffset: j * 2, as: SIMD16<UInt16>.self)
                            j += 16
                        }
                        while j < k {
                            out.storeBytes(of: UInt16(truncatingIfNeeded: signature[j]), toByteOffset: j * 2, as: UInt16.self)
                            j += 1
                        }
                        slots.append(contentsOf: UnsafeBufferPointer(low))
                    }
                }
            }
        }
        return BoilerplateSketch(lineHashes: lineKeys, blockKeys: keys, blockSignatures: slots)
    }
}

/// Finds a site's chrome in two steps, in the spirit of Dolma's "record spans, apply later":
/// 1. `add` records each document's sketch — 8 bytes per non-blank line, 12 per multi-line block (its document, its
///    index there, its signature's number), and `blockPermutations × 2` bytes per distinct block signature of a site
///    (a menu or a footer on every page of a site is one signature, kept once);
/// 2. `decide` counts, per site, in how many different *stories* each line and each group of near-identical blocks
///    occurs. Documents are grouped into stories by the caller (near-duplicates on the full text), so a line shared
///    only by copies of one article counts once and is never boilerplate.
public final class BoilerplateDetector {
    public let configuration: BoilerplateConfiguration
    public let sketcher: BoilerplateSketcher
    @exclusivity(unchecked) var docSite: [Int32] = []
    @exclusivity(unchecked) var lineOffsets: [Int] = [0]
    @exclusivity(unchecked) var lineHashes: [UInt64] = []
    @exclusivity(unchecked) var blockDoc: [Int32] = []
    @exclusivity(unchecked) var blockIndexInDoc: [Int32] = []
    /// Per block: the number of its signature in `blockSignatures`.
    @exclusivity(unchecked) var blockSignatureNumber: [Int32] = []
    /// The distinct block signatures of each site, each as `blockPermutations` 16-bit slots, two to a 32-bit slot of
    /// the store; blocks that are identical (the same site, the same slots) share one.
    @exclusivity(unchecked) var blockSignatures: SignatureStore
    /// Per signature: its site.
    @exclusivity(unchecked) var signatureSite: [Int32] = []
    /// The number of the first signature with a key (of the whole signature — a sketch's record for a block without
    /// its first value, the block's index in the document —, mixed with the site so that identical blocks of different
    /// sites do not meet): where an identical block's signature is found.
    @exclusivity(unchecked) var signatureOfKey = FlatHashMap(expected: 1024)

    public init(configuration: BoilerplateConfiguration = BoilerplateConfiguration()) {
        self.configuration = configuration
        sketcher = BoilerplateSketcher(configuration: configuration)
        blockSignatures = Self.emptyBlockSignatures(sketcher)
    }

    static func emptyBlockSignatures(_ sketcher: BoilerplateSketcher) -> SignatureStore {
        SignatureStore(permutations: (sketcher.configuration.blockPermutations + 1) / 2)
    }

    public var documentCount: Int { docSite.count }

    /// Records document number `documentCount` (documents are added in input order).
    public func add(site: Int, segments: SegmentedDocument) {
        add(site: site, sketch: sketcher.sketch(segments))
    }

    /// Records document number `documentCount` from a sketch made by `sketcher`.
    public func add(site: Int, sketch: BoilerplateSketch) {
        let doc = docSite.count
        docSite.append(Int32(site))
        lineHashes.append(contentsOf: sketch.lineHashes)
        lineOffsets.append(lineHashes.count)
        let k = configuration.blockPermutations
        let stride = sketcher.keysPerBlock
        precondition(sketch.blockKeys.count % stride == 0 && sketch.blockKeys.count / stride * k == sketch.blockSignatures.count,
                     "a sketch made by this detector's sketcher")
        let siteMix = Self.siteMix(Int32(site))
        sketch.blockKeys.withUnsafeBufferPointer { keys in
            sketch.blockSignatures.withUnsafeBufferPointer { slots in
                for i in 0..<(keys.count / stride) {
                    let record = keys.baseAddress! + i * stride
                    let key = UInt64(record[1] ^ UInt32(truncatingIfNeeded: siteMix))
                        | UInt64(record[2] ^ UInt32(truncatingIfNeeded: siteMix >> 32)) << 32
                    let signature = slots.baseAddress! + i * k
                    let next = blockSignatures.count
                    var number = next
                    if let first = signatureOfKey.firstIndex(for: key, else: next), signatureSite[first] == Int32(site),
                       equalSlots16(blockSignatures.slotsPointer(first), signature, count: k) == k {
                        number = first
                    } else {
                        UnsafeMutableRawPointer(blockSignatures.slotsPointer(blockSignatures.appendEmpty(1)))
                            .copyMemory(from: signature, byteCount: k * 2)
                        signatureSite.append(Int32(site))
                    }
                    blockSignatureNumber.append(Int32(number))
                    blockDoc.append(Int32(doc))
                    blockIndexInDoc.append(Int32(bitPattern: record[0]))
                }
            }
        }
    }

    /// Lets go of the recorded lines and blocks (the model `decide` made does not need them).
    public func forgetSketches() {
        lineOffsets = [0]
        lineHashes = []
        blockDoc = []
        blockIndexInDoc = []
        blockSignatureNumber = []
        blockSignatures = Self.emptyBlockSignatures(sketcher)
        signatureSite = []
        signatureOfKey = FlatHashMap(expected: 0)
        docSite = []
    }

    static func siteMix(_ site: Int32) -> UInt64 { (UInt64(UInt32(bitPattern: site)) &+ 1) &* 0x9E37_79B9_7F4A_7C15 }

    static func key(_ hash: UInt64, site: Int32) -> UInt64 { hash &+ UInt64(UInt32(bitPattern: site)) &* 0x9E37_79B9_7F4A_7C15 }

    /// A line as the detector knows it: its hash with the lowest 16 bits replaced by its number of words (at most
    /// 65,535), so that the words of every line that can be boilerplate are known without its text. (The same line
    /// has the same words, so lines are told apart as before, by 48 bits of hash instead of 63.)
    @inline(__always)
    static func lineKey(_ hash: UInt64, words: Int) -> UInt64 { hash & ~0xFFFF | UInt64(min(words, 0xFFFF)) }

    /// Decides what is boilerplate, on up to `threads` threads (nil: one per core; the result does not depend on it).
    /// `storyOf[d]` is the story (near-duplicate group) of document d, named by one of its documents (0..<n).
    public func decide(storyOf: [Int], threads: Int? = nil) -> BoilerplateModel {
        precondition(storyOf.count == docSite.count && storyOf.allSatisfy { $0 >= 0 && $0 < storyOf.count },
                     "stories are named by document numbers")
        // Locals, not the class's stored properties: those are checked for exclusive access at every read.
        let docSite = self.docSite, lineOffsets = self.lineOffsets, lineHashes = self.lineHashes
        let blockDoc = self.blockDoc, blockIndexInDoc = self.blockIndexInDoc
        let blockSignatureNumber = self.blockSignatureNumber, blockSignatures = self.blockSignatures
        let n = docSite.count
        let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        // Stories per site, for the share rule.
        var siteStoryPairs = FlatHashMap(expected: n)
        var siteStories: [Int32: Int] = [:]
        for d in 0..<n {
            let pair = UInt64(UInt32(bitPattern: docSite[d])) << 32 | UInt64(storyOf[d])
            if siteStoryPairs.firstIndex(for: pair, else: d) == nil { siteStories[docSite[d], default: 0] += 1 }
        }
        siteStoryPairs = FlatHashMap(expected: 0)
        // Stories a line or block group needs to be boilerplate, per site.
        let requiredBySite = siteStories.mapValues { stories in
            var r = configuration.minDocs
            if let share = configuration.minShare { r = min(r, max(2, Int((share * Double(stories)).rounded(.up)))) }
            return r
        }
        // Keep every key that can meet its site's requirement; `removals` applies the exact one per site.
        let lowest = configuration.minShare == nil ? configuration.minDocs : min(configuration.minDocs, 2)

        // Lines: distinct stories per (site, line), visiting documents story by story. The keys are split into one
        // shard per thread (by the key's lowest bits); each thread counts its shard, in story order.
        // Documents by story, then input order: a counting sort (stories are document numbers).
        var storyStart = [Int](repeating: 0, count: n + 1)
        for d in 0..<n { storyStart[storyOf[d] + 1] += 1 }
        for s in 0..<n { storyStart[s + 1] += storyStart[s] }
        var order = [Int](repeating: 0, count: n)
        for d in 0..<n {
            order[storyStart[storyOf[d]]] = d
            storyStart[storyOf[d]] += 1
        }
        let shards = ParallelSlots<[(key: UInt64, stories: Int)]>(count: workers)
        // Sized for a quarter of the lines being distinct in a shard, and grown when more are: chrome repeats, and a
        // table for every line would be the run's largest allocation (16 bytes × 2 per line of the corpus).
        let expected = lineHashes.count / (4 * workers) + 16
        let storyOrder = order
        let shardWords = ParallelSlots<WordCounts>(count: workers)
        parallelForEach(count: workers, workers: workers, makeState: { _ in }) { _, shard in
            // Value: stories << 32 | (last story + 1).
            var seen = FlatHashMap(expected: expected)
            var words = WordCounts()
            // A document's keys of this shard (and their lines' hashes), gathered and their slots prefetched before
            // they are counted: on a large run the table is larger than the caches, and the misses then overlap.
            var pending: [(key: UInt64, hash: UInt64)] = []
            for d in storyOrder {
                let site = docSite[d]
                let story = UInt64(storyOf[d] + 1)
                pending.removeAll(keepingCapacity: true)
                for i in lineOffsets[d]..<lineOffsets[d + 1] {
                    let k = Self.key(lineHashes[i], site: site)
                    guard Int(k % UInt64(workers)) == shard else { continue }
                    seen.prefetch(k)
                    pending.append((k, lineHashes[i]))
                }
                for (k, hash) in pending {
                    let v = seen.update(k, initial: 0) { v in
                        v & 0xFFFF_FFFF == story ? v : ((v >> 32) + 1) << 32 | story
                    }
                    // The words of every key kept below (the key's lowest 16 bits: `lineKey`).
                    if Int(v >> 32) >= lowest { words.insert(Int(hash & 0xFFFF)) }
                }
            }
            shardWords[shard] = words
            var kept: [(key: UInt64, stories: Int)] = []
            seen.forEach { k, v in if Int(v >> 32) >= lowest { kept.append((k, Int(v >> 32))) } }
            shards[shard] = kept
        }
        var lineStories = FlatHashMap(expected: (0..<workers).reduce(0) { $0 + shards[$1]!.count })
        var boilerplateWords = WordCounts()
        for shard in 0..<workers {
            for (k, stories) in shards[shard]! { lineStories.update(k, initial: UInt64(stories)) { $0 } }
            boilerplateWords.formUnion(shardWords[shard]!)
        }

        // Blocks: near-identical blocks of one site, joined, counted in stories. Sites never share a block group, so
        // the sites are split into one shard per thread (by site number), each with its own index and union-find; the
        // band keys include the site, so that a bucket holds one site and the result does not depend on the shards.
        // Per document, the blocks (their index in the document) whose group is boilerplate: `blockStart[d]..<
        // blockStart[d + 1]` in `boilerplateBlocks`, ascending. (Pass 2 reads a document's entries together: one cache
        // line, where a hash map keyed by document and block took a miss per block.)
        var blockStart = [Int](repeating: 0, count: n + 1)
        var boilerplateBlocks: [Int32] = []
        if configuration.detectBlocks && blockDoc.count > 1 {
            // The sketcher's index (empty: it holds the bands and rows), copied into each shard.
            let emptyIndex = sketcher.blockLSH
            let blockCount = blockDoc.count, bands = emptyIndex.parameters.bands, rows = emptyIndex.parameters.rows
            let k = configuration.blockPermutations
            let slotCount = blockSignatures.permutations * 2  // 16-bit slots a block has room for
            var shardLists = [[Int32]](repeating: [], count: workers)
            for b in 0..<blockCount { shardLists[Int(UInt32(bitPattern: docSite[Int(blockDoc[b])]) % UInt32(workers))].append(Int32(b)) }
            let shards = shardLists
            let blockThreshold = configuration.blockThreshold
            let found = ParallelSlots<[Int32]>(count: workers)  // global block numbers
            parallelForEach(count: workers, workers: workers, makeState: { _ in }) { _, shard in
                let mine = shards[shard]  // global block numbers, ascending; local number = position here
                let m = mine.count
                func site(_ j: Int) -> Int32 { docSite[Int(blockDoc[Int(mine[j])])] }
                func signature(_ j: Int) -> UnsafeRawPointer {
                    UnsafeRawPointer(blockSignatures.slotsPointer(Int(blockSignatureNumber[Int(mine[j])])))
                }
                var grouper = BucketGrouper(count: m)
                defer { grouper.deallocate() }
                var index = emptyIndex
                index.reserveCapacity(m)
                // Identical blocks of a site (a menu, a footer on every page: one signature) are joined at once and kept
                // out of the buckets, which would otherwise hold every page of the site. (A signature belongs to one
                // site, so to one shard.)
                var firstWithSignature = [Int32](repeating: -1, count: blockSignatures.count)
                let bandKeys = UnsafeMutablePointer<UInt32>.allocate(capacity: bands)
                defer { bandKeys.deallocate() }
                for j in 0..<m {
                    let number = Int(blockSignatureNumber[Int(mine[j])])
                    if firstWithSignature[number] >= 0 {
                        grouper.groups.union(Int(firstWithSignature[number]), j)
                    } else {
                        firstWithSignature[number] = Int32(j)
                        BoilerplateSketcher.bandKeys(slots: signature(j), slotCount: slotCount, bands: bands, rows: rows,
                                                     siteMix: Self.siteMix(site(j)), into: bandKeys)
                        index.insert(id: UInt32(j), bandKeys: UnsafeBufferPointer(start: bandKeys, count: bands))
                    }
                }
                firstWithSignature = []
                index.seal(threads: 1)
                let join: (Int, Int) -> Bool = { a, j in
                    blockDoc[Int(mine[a])] != blockDoc[Int(mine[j])]
                        && Double(equalSlots16(signature(a), signature(j), count: k)) / Double(k) >= blockThreshold
                }
                index.forEachBucket { _, bucket in
                    grouper.startBucket()
                    let firstSite = site(Int(UInt32(truncatingIfNeeded: bucket[0])))
                    if bucket.allSatisfy({ site(Int(UInt32(truncatingIfNeeded: $0))) == firstSite }) {
                        for entry in bucket { grouper.visit(Int(UInt32(truncatingIfNeeded: entry)), join: join) }
                    } else {
                        // Two sites' keys collided: each site's blocks on their own.
                        let entries = bucket.map { Int(UInt32(truncatingIfNeeded: $0)) }
                            .sorted { site($0) != site($1) ? site($0) < site($1) : $0 < $1 }
                        for (e, j) in entries.enumerated() {
                            if e > 0 && site(entries[e - 1]) != site(j) { grouper.startBucket() }
                            grouper.visit(j, join: join)
                        }
                    }
                }
                var groups = grouper.groups
                var mark = [Int32](repeating: -1, count: n)
                var result: [Int32] = []
                for (g, group) in groups.groups().enumerated() {
                    var stories = 0
                    for j in group {
                        let story = storyOf[Int(blockDoc[Int(mine[j])])]
                        if mark[story] != Int32(g) { mark[story] = Int32(g); stories += 1 }
                    }
                    guard stories >= requiredBySite[site(group[0])] ?? Int.max else { continue }
                    for j in group { result.append(mine[j]) }
                }
                found[shard] = result
            }
            // In block order, which is document order, then order within the document.
            var marked = [Bool](repeating: false, count: blockCount)
            var count = 0
            for shard in 0..<workers {
                for b in found[shard]! { marked[Int(b)] = true }
                count += found[shard]!.count
            }
            boilerplateBlocks.reserveCapacity(count)
            for b in 0..<blockCount where marked[b] {
                blockStart[Int(blockDoc[b]) + 1] += 1
                boilerplateBlocks.append(blockIndexInDoc[b])
            }
            for d in 0..<n { blockStart[d + 1] += blockStart[d] }
        }
        return BoilerplateModel(lineStories: lineStories, lineWords: boilerplateWords, blockStart: blockStart,
                                boilerplateBlocks: boilerplateBlocks, docSite: docSite, requiredBySite: requiredBySite)
    }
}

/// What `BoilerplateDetector.decide` found: which lines of which documents are boilerplate.
public struct BoilerplateModel: Sendable {
    /// (site, line) keys that are boilerplate candidates, with the number of stories carrying them.
    let lineStories: FlatHashMap
    /// The numbers of words of those lines: a line's end is looked up as a teaser's headline only when it has one of
    /// them (most lines are paragraphs, longer than any chrome, and need no hash of their ends).
    let lineWords: WordCounts
    /// Document `d`'s boilerplate blocks (their index among its blocks, ascending) are `boilerplateBlocks[blockStart[d]..<
    /// blockStart[d + 1]]`.
    let blockStart: [Int]
    let boilerplateBlocks: [Int32]
    let docSite: [Int32]
    let requiredBySite: [Int32: Int]

    /// For each line of document `doc`: why it is removed, or nil when it stays. `normalized` is the segmenter's
    /// buffer the lines' `normalized` ranges point into.
    public func removals(document doc: Int, segments: SegmentedDocument,
                         normalized: UnsafeBufferPointer<UInt8>) -> [RemovalReason?] {
        var result: [RemovalReason?] = []
        removals(document: doc, segments: segments, normalized: normalized, into: &result)
        return result
    }

    /// `removals(document:segments:normalized:)` written to `result` (replacing what it held), so that an array kept
    /// from one document to the next is filled in place: no allocation per document.
    public func removals(document doc: Int, segments: SegmentedDocument, normalized: UnsafeBufferPointer<UInt8>,
                         into result: inout [RemovalReason?]) {
        result.removeAll(keepingCapacity: true)
        result.append(contentsOf: repeatElement(nil, count: segments.lines.count))
        let site = docSite[doc]
        let need = requiredBySite[site] ?? Int.max
        func isBoilerplate(_ hash: UInt64, words: Int) -> Bool {
            Int(lineStories.value(BoilerplateDetector.key(BoilerplateDetector.lineKey(hash, words: words), site: site)) ?? 0) >= need
        }
        for (i, line) in segments.lines.enumerated() where line.hash != 0 {
            if isBoilerplate(line.hash, words: line.words) {
                result[i] = .line
            } else if line.words >= 4 {
                // Drop one, two, then three leading words and look the rest up, when it has as many words as a line
                // that can be boilerplate. (`words` is capped at 65,535: past that, the rest's words are counted.)
                // The words are skipped only when the rest's count is one of those: most lines are paragraphs, with
                // more words than any chrome.
                var at = line.normalized.lowerBound
                var skipped = 0
                for dropped in 1...3 {
                    if line.words < 0xFFFF && !lineWords.contains(line.words - dropped) { continue }
                    while skipped < dropped {
                        while at < line.normalized.upperBound && normalized[at] != 0x20 { at += 1 }
                        at += 1
                        skipped += 1
                    }
                    guard at < line.normalized.upperBound else { break }
                    let rest = UnsafeBufferPointer(rebasing: normalized[at..<line.normalized.upperBound])
                    let words = line.words < 0xFFFF ? line.words - dropped : 1 + DocumentSegmenter.countSpaces(rest)
                    guard lineWords.contains(words) else { continue }
                    if isBoilerplate(DocumentSegmenter.lineHash(rest), words: words) { result[i] = .teaser; break }
                }
            }
        }
        if doc + 1 < blockStart.count {
            for k in blockStart[doc]..<blockStart[doc + 1] {
                let b = Int(boilerplateBlocks[k])
                guard b < segments.blocks.count, segments.blocks[b].lines.count >= 2 else { continue }
                for l in segments.blocks[b].lines where result[l] == nil { result[l] = .block }
            }
        }
    }
}

/// The walk through one LSH bucket of blocks. Only connectivity matters: each block is compared with the latest block
/// of each of the (at most 16) groups seen last in the bucket — not with every block before it: a menu's variants on
/// every page of a site fill one bucket, and they are one group after the first few comparisons.
/// (A struct with a mutating method rather than a local function: variables a closure captures and changes are
/// boxed, and checked for exclusive access at every use.)
struct BucketGrouper {
    static let recentLimit = 16
    var groups: UnionFind
    /// The latest block of each recent group in the current bucket, newest first: `recent[0..<recentCount]`. (Sixteen
    /// slots of memory of its own: as an array, every insert at the front and removal went through the standard
    /// library's general `replaceSubrange`, a tenth of the grouping's instructions.)
    let recent: UnsafeMutablePointer<Int32>
    var recentCount = 0

    /// Call `deallocate()` when done.
    init(count: Int) {
        precondition(count <= Int(Int32.max), "block numbers fit in 32 bits")
        groups = UnionFind(count: count)
        recent = .allocate(capacity: Self.recentLimit)
    }

    func deallocate() { recent.deallocate() }

    /// Forgets the recent groups: a new bucket starts.
    mutating func startBucket() { recentCount = 0 }

    /// Visits block `j`: joins it with each recent group whose latest block `join` accepts.
    @inline(__always)
    mutating func visit(_ j: Int, join: (Int, Int) -> Bool) {
        var root = groups.find(j)
        for r in 0..<recentCount {
            let a = Int(recent[r])
            if groups.find(a) == root { continue }
            // (A pair met again in a later band is verified again: cheaper than finding its first band.)
            if join(a, j) {
                groups.union(a, j)
                root = groups.find(j)
            }
        }
        // j becomes its group's latest block in the bucket: the group's entry (or, for a new group, the oldest when
        // all slots are taken) goes, the others move down one place.
        var end = 0
        while end < recentCount && groups.find(Int(recent[end])) != root { end += 1 }
        if end == recentCount {
            if recentCount < Self.recentLimit { recentCount += 1 } else { end -= 1 }
        }
        while end > 0 {
            recent[end] = recent[end - 1]
            end -= 1
        }
        recent[0] = Int32(j)
    }
}

/// A set of word counts (0...65,535), one bit each.
struct WordCounts: Sendable {
    private var bits = [UInt64](repeating: 0, count: 1024)

    mutating func insert(_ words: Int) {
        let w = min(words, 0xFFFF)
        bits[w >> 6] |= 1 << UInt64(w & 63)
    }

    func contains(_ words: Int) -> Bool {
        let w = min(words, 0xFFFF)
        return bits[w >> 6] & 1 << UInt64(w & 63) != 0
    }

    mutating func formUnion(_ other: WordCounts) { for i in bits.indices { bits[i] |= other.bits[i] } }
}
