import Dispatch
import Foundation

/// A document as read from the input.
public struct SourceDocument: Sendable {
    public var id: String
    /// The text as bytes; need not be valid UTF-8 (it is repaired for analysis, and kept as it is in the output).
    public var text: [UInt8]
    /// Where the page came from; its host is the document's site for boilerplate counts.
    public var url: String?
    /// For `RepresentativePolicy.priority`.
    public var priority: Double?

    public init(id: String, text: [UInt8], url: String? = nil, priority: Double? = nil) {
        self.id = id
        self.text = text
        self.url = url
        self.priority = priority
    }

    public init(id: String, text: String, url: String? = nil, priority: Double? = nil) {
        self.init(id: id, text: Array(text.utf8), url: url, priority: priority)
    }
}

/// Everything `CorpusCleaner` can be told.
public struct CleaningConfiguration: Sendable, Hashable {
    public var nearDuplicates = NearDuplicateConfiguration()
    public var boilerplate = BoilerplateConfiguration()
    /// Drop documents that lose at least `boilerplate.boilerplateOnlyShare` of their text (they are always reported).
    public var dropBoilerplateOnly = false
    public init() {}
}

/// What happened to one document.
public struct DocumentOutcome: Sendable {
    public var index: Int
    /// Lines removed as boilerplate, with their spans (terminator included) in the original bytes.
    public var removedLines: [(span: Range<Int>, reason: RemovalReason)]
    /// The representative this document duplicates, or nil.
    public var duplicateOf: Int?
    public var similarity: Double?
    public var clusterID: Int?
    public var removedBytes: Int
    public var nonBlankBytes: Int
    public var boilerplateOnly: Bool
    /// Kept in the cleaned corpus (not a duplicate, not dropped as boilerplate only).
    public var kept: Bool
    public var invalidUTF8: Int

    /// The original bytes without the removed lines; every other byte as it was.
    public func cleanedText(of original: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(original.count - removedBytes)
        var at = 0
        for r in removedLines {
            out.append(contentsOf: original[at..<r.span.lowerBound])
            at = r.span.upperBound
        }
        out.append(contentsOf: original[at...])
        return out
    }
}

/// One reported boilerplate line: aggregated over the documents that lost it.
public struct BoilerplateEntry: Sendable, Hashable {
    public var text: String
    public var reason: RemovalReason
    public var documents: Int
    public var sites: Int
    public var examples: [String]
}

public struct CleaningStatistics: Sendable, Hashable {
    public var documents = 0
    public var keptDocuments = 0
    public var duplicates = 0
    public var clusters = 0
    public var boilerplateOnly = 0
    public var boilerplateLinesRemoved = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var invalidUTF8Sequences = 0
    public var candidatePairs = 0
    public var storyGroups = 0
}

public struct CleaningResult: Sendable {
    public var outcomes: [DocumentOutcome]
    public var clusters: [DuplicateCluster]
    public var boilerplate: [BoilerplateEntry]
    public var statistics: CleaningStatistics
    public var lsh: LSHParameters
}

/// The whole job on documents in memory: segment and sign → group stories → find boilerplate → sign what is left →
/// cluster near-duplicates. Parallel over documents; the result does not depend on the number of threads.
public struct CorpusCleaner: Sendable {
    public let configuration: CleaningConfiguration

    public init(configuration: CleaningConfiguration = CleaningConfiguration()) {
        self.configuration = configuration
    }

    public func clean(_ documents: [SourceDocument]) -> CleaningResult {
        let n = documents.count
        let c = configuration.nearDuplicates
        let minHasher = MinHasher(permutations: c.permutations, seed: c.seed)
        let normalizer = ArabicNormalizer(options: c.normalizer)
        let workers = max(1, min(c.threads ?? ProcessInfo.processInfo.activeProcessorCount, max(1, n)))

        // 1. Segment every document and sign its full text (for story groups).
        let fullSignatures = SignatureStore(permutations: c.permutations, capacity: n)
        _ = fullSignatures.appendEmpty(n)
        let segmentsSlots = ParallelSlots<SegmentedDocument>(count: n)
        let fullFacts = ParallelSlots<DocumentSigner.Facts>(count: n)
        let shortLineWords = configuration.boilerplate.shortLineWords
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let segmenter = DocumentSegmenter(normalizer: c.normalizer, shortLineWords: shortLineWords)
            let signer = DocumentSigner(normalizer: normalizer, shingler: c.shingler, minHasher: minHasher)
            var i = w
            while i < n {
                documents[i].text.withUnsafeBufferPointer { text in
                    segmentsSlots[i] = segmenter.segment(text)
                    fullFacts[i] = signer.sign(text, into: fullSignatures.slotsPointer(i))
                }
                i += workers
            }
        }
        let segments = (0..<n).map { segmentsSlots[$0]! }
        let priorities = documents.contains { $0.priority != nil } ? documents.map { $0.priority ?? 0 } : nil
        let clusterer = DuplicateClusterer(threshold: c.threshold, policy: c.policy, verification: .signatures,
                                           lsh: c.lsh, maxComparisonsPerEntry: c.maxComparisonsPerEntry)

        // 2. Stories: near-duplicates on the full text, so copies of one article count once for boilerplate.
        let facts1 = (0..<n).map { fullFacts[$0]! }
        let (stories, _) = clusterer.cluster(signatures: fullSignatures, facts: facts1, priorities: priorities, shingleSets: nil)
        var storyOf = Array(0..<n)
        for s in stories { for m in s.members { storyOf[m.index] = s.representative } }

        // 3. Boilerplate, per site.
        var sites: [String: Int] = [:]
        let detector = BoilerplateDetector(configuration: configuration.boilerplate)
        for (d, doc) in documents.enumerated() {
            let host = doc.url.map(Self.host(of:)) ?? ""
            let site = sites[host] ?? { let s = sites.count; sites[host] = s; return s }()
            detector.add(site: site, segments: segments[d])
        }
        let model = detector.decide(storyOf: storyOf)

        // 4. Apply it and sign what is left.
        let cleanSignatures = SignatureStore(permutations: c.permutations, capacity: n)
        _ = cleanSignatures.appendEmpty(n)
        let cleanFacts = ParallelSlots<DocumentSigner.Facts>(count: n)
        let removalSlots = ParallelSlots<[RemovalReason?]>(count: n)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let signer = DocumentSigner(normalizer: normalizer, shingler: c.shingler, minHasher: minHasher)
            var i = w
            while i < n {
                let removals = model.removals(document: i, segments: segments[i])
                var kept: [Range<Int>] = []
                for (l, line) in segments[i].lines.enumerated() where removals[l] == nil && line.hash != 0 {
                    kept.append(line.span)
                }
                documents[i].text.withUnsafeBufferPointer { text in
                    cleanFacts[i] = signer.sign(text, ranges: kept, into: cleanSignatures.slotsPointer(i))
                }
                removalSlots[i] = removals
                i += workers
            }
        }
        let facts2 = (0..<n).map { cleanFacts[$0]! }

        // 5. Near-duplicates on the cleaned text.
        let (clusters, stats) = clusterer.cluster(signatures: cleanSignatures, facts: facts2, priorities: priorities,
                                                  shingleSets: nil)
        var duplicateOf = [Int?](repeating: nil, count: n)
        var similarity = [Double?](repeating: nil, count: n)
        var clusterID = [Int?](repeating: nil, count: n)
        for (k, cluster) in clusters.enumerated() {
            for m in cluster.members {
                clusterID[m.index] = k
                similarity[m.index] = m.similarity
                if m.index != cluster.representative { duplicateOf[m.index] = cluster.representative }
            }
        }

        // 6. Outcomes and the report, in input order.
        var statistics = CleaningStatistics()
        statistics.documents = n
        statistics.clusters = clusters.count
        statistics.candidatePairs = stats.candidatePairs
        statistics.storyGroups = Set(storyOf).count
        let report = BoilerplateReportBuilder()
        var outcomes: [DocumentOutcome] = []
        outcomes.reserveCapacity(n)
        for d in 0..<n {
            let removals = removalSlots[d]!
            let lines = segments[d].lines
            var removed: [(span: Range<Int>, reason: RemovalReason)] = []
            var removedBytes = 0, removedContent = 0, nonBlank = 0
            for (l, line) in lines.enumerated() where line.hash != 0 {
                nonBlank += line.span.count
                if let reason = removals[l] {
                    removed.append((line.spanWithTerminator, reason))
                    removedBytes += line.spanWithTerminator.count
                    removedContent += line.span.count
                    report.add(hash: line.hash, text: documents[d].text[line.span], reason: reason,
                               document: documents[d].id, site: model.docSite[d])
                }
            }
            let lostShare = nonBlank == 0 ? 0 : Double(removedContent) / Double(nonBlank)
            let boilerplateOnly = nonBlank > 0 && lostShare >= configuration.boilerplate.boilerplateOnlyShare
            let kept = duplicateOf[d] == nil && !(boilerplateOnly && configuration.dropBoilerplateOnly)
            outcomes.append(DocumentOutcome(index: d, removedLines: removed, duplicateOf: duplicateOf[d],
                                            similarity: similarity[d], clusterID: clusterID[d],
                                            removedBytes: removedBytes, nonBlankBytes: nonBlank,
                                            boilerplateOnly: boilerplateOnly, kept: kept,
                                            invalidUTF8: facts1[d].invalidUTF8))
            statistics.bytesIn += documents[d].text.count
            statistics.invalidUTF8Sequences += facts1[d].invalidUTF8
            statistics.boilerplateLinesRemoved += removed.count
            if boilerplateOnly { statistics.boilerplateOnly += 1 }
            if duplicateOf[d] != nil { statistics.duplicates += 1 }
            if kept {
                statistics.keptDocuments += 1
                statistics.bytesOut += documents[d].text.count - removedBytes
            }
        }
        return CleaningResult(outcomes: outcomes, clusters: clusters, boilerplate: report.entries(), statistics: statistics,
                              lsh: clusterer.lsh)
    }

    /// The host of a URL, lowercased, without "www." and port; the whole string when it has no scheme.
    public static func host(of url: String) -> String {
        var s = Substring(url)
        if let r = s.range(of: "://") { s = s[r.upperBound...] }
        if let slash = s.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { s = s[..<slash] }
        if let at = s.lastIndex(of: "@") { s = s[s.index(after: at)...] }
        if let colon = s.lastIndex(of: ":"), !s.contains("]") { s = s[..<colon] }
        var host = s.lowercased()
        if host.hasPrefix("www.") { host.removeFirst(4) }
        return host
    }
}

/// Aggregates removed lines into report entries: one per normalized line, most frequent first.
final class BoilerplateReportBuilder {
    struct Entry {
        var text: String
        var reason: RemovalReason
        var documents = 0
        var sites: Set<Int32> = []
        var examples: [String] = []
        var first: Int
    }
    var entries_: [UInt64: Entry] = [:]
    var order = 0

    func add(hash: UInt64, text: ArraySlice<UInt8>, reason: RemovalReason, document: String, site: Int32) {
        if entries_[hash] == nil {
            entries_[hash] = Entry(text: String(decoding: text, as: UTF8.self), reason: reason, first: order)
            order += 1
        }
        entries_[hash]!.documents += 1
        entries_[hash]!.sites.insert(site)
        if entries_[hash]!.examples.count < 3 { entries_[hash]!.examples.append(document) }
    }

    func entries() -> [BoilerplateEntry] {
        entries_.values.sorted { $0.documents != $1.documents ? $0.documents > $1.documents : $0.first < $1.first }
            .map { BoilerplateEntry(text: $0.text, reason: $0.reason, documents: $0.documents, sites: $0.sites.count,
                                    examples: $0.examples) }
    }
}
