import Foundation

/// Which member of a duplicate cluster is kept as its representative.
public enum RepresentativePolicy: String, Sendable, Hashable, CaseIterable {
    /// The first in input order (default).
    case firstSeen = "first"
    /// The one with the most normalized text; ties go to the first seen.
    case longest
    /// The one with the highest user-given priority; ties go to the first seen.
    case priority
}

/// How a candidate pair is checked.
public enum Verification: String, Sendable, Hashable, CaseIterable {
    /// Share of equal MinHash slots (default; memory k × 4 bytes per document).
    case signatures
    /// Jaccard of the exact shingle sets (memory grows with the text: for small corpora).
    case exactShingles = "exact"
}

/// A group of near-duplicate documents.
public struct DuplicateCluster: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        /// The document's position in the input.
        public var index: Int
        /// Similarity to the representative (1 for the representative itself).
        public var similarity: Double
    }

    public var representative: Int
    /// The representative first, then the others in input order.
    public var members: [Member]
}

/// Turns signatures into verified clusters.
///
/// 1. Documents whose normalized text is identical are joined at once (and kept out of the LSH buckets, so a
///    thousand copies cost a thousand steps, not a million).
/// 2. LSH candidate pairs are verified (similarity ≥ threshold) and joined with union-find.
/// 3. Each connected set is split around representatives: members are taken in policy order, and each joins the
///    most similar representative it is at least `threshold` similar to, or becomes a representative itself.
///    So every member is similar to its own representative, and a chain a~b~c~…~z never becomes one cluster unless
///    its members really are all close to one document.
struct DuplicateClusterer {
    let threshold: Double
    let policy: RepresentativePolicy
    let verification: Verification
    let lsh: LSHParameters
    let maxComparisonsPerEntry: Int
    /// Threads for sorting the index (nil: one per core).
    var threads: Int? = nil

    struct Statistics: Sendable, Hashable {
        var candidatePairs = 0
        var verifiedPairs = 0
        var exactCopies = 0
        var splitComponents = 0
    }

    /// Steps 1 and 2: the connected sets of verified pairs (transitive, no split).
    func connect(signatures: SignatureStore, facts: [DocumentSigner.Facts],
                 shingleSets: [[UInt64]]?) -> (sets: UnionFind, statistics: Statistics) {
        let n = signatures.count
        var stats = Statistics()
        var sets = UnionFind(count: n)
        var index = LSHIndex(parameters: lsh)

        // 1. Exact copies, and the LSH index of the rest (band keys computed on every thread first).
        let bands = lsh.bands
        let keys = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, n * bands))
        defer { keys.deallocate() }
        let keysOut = UncheckedSendable(keys)
        let keyIndex = index
        let chunk = 1024
        parallelForEach(count: (n + chunk - 1) / chunk, workers: threads ?? ProcessInfo.processInfo.activeProcessorCount,
                        makeState: { _ in }) { _, c in
            for doc in (c * chunk)..<min(n, (c + 1) * chunk) {
                for band in 0..<bands { keysOut.value[doc * bands + band] = keyIndex.bandKey(signatures[doc], band: band) }
            }
        }
        var firstWithContent = FlatHashMap(expected: n)
        var indexed: [UInt32] = []
        indexed.reserveCapacity(n)
        for doc in 0..<n where facts[doc].shingles > 0 {
            if let first = firstWithContent.firstIndex(for: facts[doc].contentHash, else: doc) {
                sets.union(first, doc)
                stats.exactCopies += 1
            } else {
                indexed.append(UInt32(doc))
            }
        }
        firstWithContent = FlatHashMap(expected: 0)
        index.insert(ids: indexed, keys: UnsafeBufferPointer(start: keys, count: n * bands), threads: threads)

        // 2. Candidate pairs, each verified once (in the first band it shares), the bands shared out among the
        // threads. Each thread skips the pairs its own verified pairs (and the exact copies) have joined already, and
        // hands its verified pairs over; they are joined here. The connected sets do not depend on the order of the
        // joins, nor on which thread verified what; `verifiedPairs` counts the joins that merged two sets, which is
        // what a single thread counts too.
        index.seal(threads: threads)
        let workers = max(1, min(bands, threads ?? ProcessInfo.processInfo.activeProcessorCount))
        let found = ParallelSlots<(pairs: [UInt64], candidates: Int)>(count: workers)
        let joinedAlready = sets, sealed = index, limit = maxComparisonsPerEntry
        parallelForEach(count: workers, workers: workers, makeState: { _ in }) { _, w in
            var local = joinedAlready
            var pairs: [UInt64] = []
            var candidates = 0
            sealed.forEachCandidatePair(inBands: stride(from: w, to: bands, by: workers), maxComparisonsPerEntry: limit) { band, x, y in
                let a = Int(x), b = Int(y)
                if band > 0, let first = sealed.firstSharedBand(signatures[a], signatures[b]), first < band { return }
                candidates += 1
                // Already joined: verifying again could only add an edge the sets already have.
                if local.find(a) == local.find(b) { return }
                if similarity(a, b, signatures, shingleSets) >= threshold {
                    local.union(a, b)
                    pairs.append(UInt64(x) << 32 | UInt64(y))
                }
            }
            found[w] = (pairs, candidates)
        }
        for w in 0..<workers {
            let (pairs, candidates) = found[w]!
            stats.candidatePairs += candidates
            for p in pairs where sets.union(Int(p >> 32), Int(UInt32(truncatingIfNeeded: p))) { stats.verifiedPairs += 1 }
        }
        return (sets, stats)
    }

    func cluster(signatures: SignatureStore, facts: [DocumentSigner.Facts], priorities: [Double]?,
                 shingleSets: [[UInt64]]?) -> (clusters: [DuplicateCluster], statistics: Statistics) {
        var (sets, stats) = connect(signatures: signatures, facts: facts, shingleSets: shingleSets)

        // 3. Split every connected set around representatives.
        var clusters: [DuplicateCluster] = []
        for component in sets.groups() {
            let ordered = component.sorted { policyOrder($0, $1, facts, priorities) }
            var centres: [(rep: Int, members: [DuplicateCluster.Member])] = []
            for doc in ordered {
                var best = -1
                var bestSimilarity = -1.0
                for (c, centre) in centres.enumerated() {
                    let s = similarity(centre.rep, doc, signatures, shingleSets)
                    if s >= threshold && s > bestSimilarity { best = c; bestSimilarity = s }
                }
                if best >= 0 {
                    centres[best].members.append(.init(index: doc, similarity: bestSimilarity))
                } else {
                    centres.append((doc, [.init(index: doc, similarity: 1)]))
                }
            }
            if centres.count > 1 { stats.splitComponents += 1 }
            for centre in centres where centre.members.count > 1 {
                let others = centre.members.dropFirst().sorted { $0.index < $1.index }
                clusters.append(DuplicateCluster(representative: centre.rep, members: [centre.members[0]] + others))
            }
        }
        clusters.sort { $0.members.map(\.index).min()! < $1.members.map(\.index).min()! }
        return (clusters, stats)
    }

    func similarity(_ a: Int, _ b: Int, _ signatures: SignatureStore, _ shingleSets: [[UInt64]]?) -> Double {
        if verification == .exactShingles, let sets = shingleSets { return exactJaccard(sets[a], sets[b]) }
        return estimatedJaccard(signatures[a], signatures[b])
    }

    func policyOrder(_ a: Int, _ b: Int, _ facts: [DocumentSigner.Facts], _ priorities: [Double]?) -> Bool {
        switch policy {
        case .firstSeen:
            return a < b
        case .longest:
            let la = facts[a].normalizedBytes, lb = facts[b].normalizedBytes
            return la != lb ? la > lb : a < b
        case .priority:
            let pa = priorities?[a] ?? 0, pb = priorities?[b] ?? 0
            return pa != pb ? pa > pb : a < b
        }
    }
}

/// The signatures of a corpus in chunks of `chunkSignatures × permutations` slots: growing never copies what is
/// there, and a signature never moves once added, so different threads may write different signatures. (The chunk size
/// is a constant: the subscript is in the hottest loops of the boilerplate decision and the clustering.)
public final class SignatureStore: @unchecked Sendable {
    public let permutations: Int
    @exclusivity(unchecked) public private(set) var count: Int
    static let chunkShift = 12
    static let chunkSignatures = 1 << chunkShift
    @exclusivity(unchecked) var chunks: [UnsafeMutablePointer<UInt32>] = []

    /// `capacity` is accepted for compatibility; chunks are added as needed.
    public init(permutations: Int, capacity: Int = 0) {
        self.permutations = permutations
        self.count = 0
    }

    deinit { for c in chunks { c.deallocate() } }

    /// Adds `n` documents with every slot at `UInt32.max`; returns the first new index.
    public func appendEmpty(_ n: Int) -> Int {
        while chunks.count << Self.chunkShift < count + n {
            chunks.append(.allocate(capacity: Self.chunkSignatures * permutations))
        }
        var i = count
        while i < count + n {
            let inChunk = i & (Self.chunkSignatures - 1)
            let run = min(count + n - i, Self.chunkSignatures - inChunk)
            (chunks[i >> Self.chunkShift] + inChunk * permutations).initialize(repeating: .max, count: run * permutations)
            i += run
        }
        let first = count
        count += n
        return first
    }

    /// Forgets the last `n` signatures, keeping their memory for the next ones.
    public func removeLast(_ n: Int) {
        precondition(n >= 0 && n <= count, "there are \(count) signatures, not \(n) to remove")
        count -= n
    }

    /// Where document `i`'s signature is written. Different documents may be written from different threads.
    @inline(__always)
    public func slotsPointer(_ i: Int) -> UnsafeMutablePointer<UInt32> {
        chunks[i >> Self.chunkShift] + (i & (Self.chunkSignatures - 1)) * permutations
    }

    public subscript(_ i: Int) -> UnsafeBufferPointer<UInt32> {
        UnsafeBufferPointer(start: slotsPointer(i), count: permutations)
    }

    public var memoryBytes: Int { chunks.count * Self.chunkSignatures * permutations * 4 }
}
