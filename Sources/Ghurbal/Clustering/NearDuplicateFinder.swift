import Foundation

/// Settings of near-duplicate detection. The defaults are Ghurbal's defaults everywhere (library and CLI).
public struct NearDuplicateConfiguration: Sendable, Hashable {
    /// Documents at least this similar (Jaccard of shingle sets) are duplicates. Default 0.8.
    public var threshold = 0.8
    public var shingler = ShingleHasher()
    public var permutations = 128
    /// Bands × rows; nil chooses them from `threshold` and `permutations` (`LSHParameters.optimal`).
    public var lshOverride: LSHParameters?
    public var normalizer = ArabicNormalizerOptions()
    public var policy = RepresentativePolicy.firstSeen
    public var verification = Verification.signatures
    /// Within one LSH bucket, each document is compared with at most this many documents before it. Default 256.
    public var maxComparisonsPerEntry = 256
    public var seed: UInt64 = 0x5EED_6875_7262_616C
    /// Worker threads for signing and for verifying candidate pairs; nil = every core. Results do not depend on it.
    public var threads: Int?

    public init() {}

    public var lsh: LSHParameters {
        lshOverride ?? LSHParameters.optimal(threshold: threshold, permutations: permutations)
    }
}

/// The outcome of near-duplicate detection over a list of documents.
public struct NearDuplicateResult: Sendable {
    public var clusters: [DuplicateCluster]
    public var lsh: LSHParameters
    public var candidatePairs: Int
    public var verifiedPairs: Int
    public var exactCopies: Int
    /// For each document: the representative it duplicates, or nil if it is kept.
    public var duplicateOf: [Int?]
}

/// One call from documents to clusters, usable without the command line:
///
///     let result = NearDuplicateFinder().clusters(of: texts)
///     for cluster in result.clusters { print(cluster.representative, cluster.members.map(\.index)) }
public struct NearDuplicateFinder: Sendable {
    public let configuration: NearDuplicateConfiguration

    public init(configuration: NearDuplicateConfiguration = NearDuplicateConfiguration()) {
        self.configuration = configuration
    }

    /// Clusters texts given as strings. `priorities` (same count) are used by the `.priority` policy.
    public func clusters(of texts: [String], priorities: [Double]? = nil) -> NearDuplicateResult {
        clusters(count: texts.count, priorities: priorities) { i, body in
            var text = texts[i]
            return text.withUTF8 { body($0) }
        }
    }

    /// Clusters texts given as raw bytes (need not be valid UTF-8).
    public func clusters(ofBytes texts: [[UInt8]], priorities: [Double]? = nil) -> NearDuplicateResult {
        clusters(count: texts.count, priorities: priorities) { i, body in
            texts[i].withUnsafeBufferPointer { body($0) }
        }
    }

    func clusters(count n: Int, priorities: [Double]?,
                  text: @Sendable (Int, (UnsafeBufferPointer<UInt8>) -> DocumentSigner.Facts) -> DocumentSigner.Facts)
        -> NearDuplicateResult {
        let c = configuration
        let store = SignatureStore(permutations: c.permutations, capacity: max(1, n))
        _ = store.appendEmpty(n)
        let minHasher = MinHasher(permutations: c.permutations, seed: c.seed)
        let normalizer = ArabicNormalizer(options: c.normalizer)
        let keepSets = c.verification == .exactShingles
        let results = ParallelSlots<(DocumentSigner.Facts, [UInt64]?)>(count: n)
        parallelForEach(count: n, workers: c.threads ?? ProcessInfo.processInfo.activeProcessorCount,
                        makeState: { _ in DocumentSigner(normalizer: normalizer, shingler: c.shingler, minHasher: minHasher) }) { signer, i in
            let facts = text(i) { signer.sign($0, into: store.slotsPointer(i)) }
            results[i] = (facts, keepSets ? signer.lastShingleSet() : nil)
        }
        let facts = (0..<n).map { results[$0]!.0 }
        let sets = keepSets ? (0..<n).map { results[$0]!.1! } : nil
        let clusterer = DuplicateClusterer(threshold: c.threshold, policy: c.policy, verification: c.verification,
                                           lsh: c.lsh, maxComparisonsPerEntry: c.maxComparisonsPerEntry, threads: c.threads)
        let (clusters, stats) = clusterer.cluster(signatures: store, facts: facts, priorities: priorities, shingleSets: sets)
        var duplicateOf = [Int?](repeating: nil, count: n)
        for cluster in clusters {
            for m in cluster.members where m.index != cluster.representative { duplicateOf[m.index] = cluster.representative }
        }
        return NearDuplicateResult(clusters: clusters, lsh: clusterer.lsh, candidatePairs: stats.candidatePairs,
                                   verifiedPairs: stats.verifiedPairs, exactCopies: stats.exactCopies,
                                   duplicateOf: duplicateOf)
    }
}
