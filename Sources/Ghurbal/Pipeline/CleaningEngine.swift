import Foundation

/// The whole job as passes over a `DocumentSource`, parallel over documents (batches flowing through the threads with
/// `pipelineBatches`, merged in input order):
///
/// 1. *analyse*: parse, segment, sketch lines and blocks for boilerplate, sign the paragraphs;
///    then stories (documents whose paragraphs are `storyThreshold` similar, transitively) and the boilerplate
///    decision;
/// 2. *sign*: from the spool pass 1 wrote (its segmented, normalized documents, in memory up to
///    `spoolMemoryBytes`, in temporary files beyond), apply the boilerplate decision and sign what is left (keeping
///    or extending the story signature where the kept lines allow it); then near-duplicate clusters on the cleaned
///    text.
///
/// The source is read once. Memory grows with the number of documents (one signature of k × 4 bytes — the story
/// signature, which pass 2 keeps or overwrites in place as the clean one — an id, a site), with the number of non-blank
/// lines (8 bytes each, for counting), of multi-line blocks (12 bytes each) and of their distinct signatures per site
/// (`blockPermutations` × 2 bytes each), and with the removed lines (their spans); the spool (about the size of the
/// text, less the lines met again) takes memory up to `spoolMemoryBytes` and disk beyond.
/// Results do not depend on the number of threads: every decision is made in input order.
public struct CleaningEngine<Source: DocumentSource> {
    public let configuration: CleaningConfiguration
    public var progress: ((CleaningProgress) -> Void)?

    public init(configuration: CleaningConfiguration, progress: ((CleaningProgress) -> Void)? = nil) {
        self.configuration = configuration
        self.progress = progress
    }

    /// What the engine found.
    public struct Result: Sendable {
        /// For every item of the source: its document number, or -1 when it was skipped.
        public var documentOfItem: [Int32]
        /// Per document: its `SourceDocument.textToken`, when it is below 4 GiB.
        public var textTokens: [Range<UInt32>?]
        /// Per document: where it is in the input (`DocumentSource.origin(of:)`), for the reports.
        public var origins: [UInt64]
        public var ids: [String]
        public var outcomes: [DocumentOutcome]
        public var clusters: [DuplicateCluster]
        public var boilerplate: [BoilerplateEntry]
        public var statistics: CleaningStatistics
        public var lsh: LSHParameters
        /// Where to read each report entry's text: document → (entry index in `boilerplate`, the line's span). The
        /// engine does not keep text; `fillBoilerplateText` (or `readBoilerplateText`) puts it in.
        public var boilerplateTextSources: [Int: [(entry: Int, span: Range<Int>)]]

        /// The report entries whose text is in document `d`, with that text cut out of `text` (the document's).
        public func boilerplateTexts(document d: Int, text: [UInt8]) -> [(entry: Int, text: String)] {
            (boilerplateTextSources[d] ?? []).compactMap { entry, span in
                span.upperBound <= text.count ? (entry, String(decoding: text[span], as: UTF8.self)) : nil
            }
        }

        /// Copies the report entries' text out of document `d`'s text.
        public mutating func fillBoilerplateText(document d: Int, text: [UInt8]) {
            for (entry, line) in boilerplateTexts(document: d, text: text) { boilerplate[entry].text = line }
            boilerplateTextSources[d] = nil
        }
    }

    /// Reads the source once more, parsing only the documents that hold the text of a report entry.
    public func readBoilerplateText(_ source: Source, into result: inout Result) throws {
        guard !result.boilerplateTextSources.isEmpty else { return }
        var item = 0
        try source.forEachBatch { items in
            for i in items.indices {
                let d = Int(result.documentOfItem[item + i])
                guard d >= 0, result.boilerplateTextSources[d] != nil, case .success(let doc) = source.document(items[i]) else { continue }
                result.fillBoilerplateText(document: d, text: doc.text)
            }
            item += items.count
        }
    }

    /// Runs both passes. `skip` is told, in input order, of every item that is not a document; throwing from it
    /// stops the run (that is how `--strict` works).
    public func run(_ source: Source, skip: (GhurbalError) throws -> Void) throws -> Result {
        let c = configuration.nearDuplicates
        let b = configuration.boilerplate
        let minHasher = MinHasher(permutations: c.permutations, seed: c.seed)
        // Built once (its tables take a while); segmenters and signers normalize a line or a joined text at a time.
        var lineOptions = c.normalizer
        lineOptions.keepLineBreaks = false
        let lineNormalizer = ArabicNormalizer(options: lineOptions)
        let workers = max(1, c.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let k = c.permutations
        let detector = BoilerplateDetector(configuration: b)
        let sketcher = detector.sketcher
        let spool = DocumentSpool(directory: configuration.temporaryDirectory ?? FileManager.default.temporaryDirectory.path,
                                      workers: workers, memoryBudget: configuration.spoolMemoryBytes)
        // Per-thread scratch: a segmenter, a signer and a spool writer (pass 1) or a read buffer (pass 2). Made once
        // and handed to thread w of every batch (no two threads of a batch have the same w), so that their buffers,
        // grown to the largest document, are not allocated and faulted in again for every batch.
        let scratch = (0..<workers).map { w in
            (DocumentSegmenter(normalizer: lineNormalizer, shortLineWords: b.shortLineWords),
             DocumentSigner(normalizer: lineNormalizer, shingler: c.shingler, minHasher: minHasher), spool.writers[w],
             ByteBuffer(capacity: 1 << 16), RemovalScratch())
        }
        let scratchBox = UncheckedSendable(scratch)
        let makeWorker: @Sendable (Int) -> (DocumentSegmenter, DocumentSigner, SpoolWriter, ByteBuffer, RemovalScratch) = { w in
            scratchBox.value[w]
        }
        // The bands and rows of the two clusterings after pass 1, chosen on a thread of their own while pass 1 runs
        // (a few milliseconds each, which would otherwise be spent between the passes with one core).
        // (`c.lsh` is computed, not stored: it is read on that thread.)
        let storyThreshold = b.storyThreshold
        let lshChoices = BackgroundValue {
            (near: c.lsh, story: LSHParameters.optimal(threshold: storyThreshold, permutations: k))
        }
        var clock = Date()
        var phases: [(String, Double)] = []
        func phase(_ name: String) {
            let now = Date()
            phases.append((name, now.timeIntervalSince(clock)))
            clock = now
        }

        // Pass 1.
        var documentOfItem: [Int32] = []
        var ids: [String] = []
        var sites: [Int32] = []
        var siteNumbers: [String: Int32] = [:]
        var facts: [DocumentSigner.Facts] = []
        var priorities: [Double] = []
        var textBytes: [Int] = []
        var spoolLocations: [UInt64] = []
        var spoolLengths: [Int] = []
        var textTokens: [Range<UInt32>?] = []
        var origins: [UInt64] = []
        var anyPriority = false
        // (k × 4 bytes per document; after the stories, pass 2 overwrites them with the clean signatures.) Pass 1 signs
        // each item in the slot of its number among the items; an item that fails leaves a gap, closed after the pass.
        let storySignatures = SignatureStore(permutations: k, capacity: 1024)
        var statistics = CleaningStatistics()
        var bytesDone = 0

        // Batches are analysed on the workers and merged (in input order, one at a time) while later ones are analysed.
        try pipelineBatches(workers: workers, makeState: makeWorker, produce: { submit in
            try source.forEachBatch { items in
                // Each item's signature slot, found here: the store grows only here, while the workers write slots.
                let firstSlot = storySignatures.appendEmpty(items.count)
                let slots = (0..<items.count).map { storySignatures.slotsPointer(firstSlot + $0) }
                try submit(AnalysisBatch(items: items, results: ParallelSlots(count: items.count), slots: slots), items.count)
            }
        }, process: { worker, batch, i in
            let (segmenter, signer, spoolWriter, _, _) = worker
            batch.results[i] = source.document(batch.items[i]).flatMap { doc in
                doc.textBytes.withUnsafeBufferPointer { text in
                    let segments = segmenter.segment(text)
                    if GhurbalError.isMostlyNotUTF8(invalid: segments.invalidUTF8, bytes: text.count) {
                        return .failure(.notUTF8(source.location(of: batch.items[i]), invalid: segments.invalidUTF8,
                                                 bytes: text.count))
                    }
                    let story = StoryLines(segments.lines)
                    var f = signer.sign(lines: segments.lines, where: { story.contains($0) },
                                        normalized: segmenter.normalized.bytes, into: batch.slots[i])
                    f.invalidUTF8 = segments.invalidUTF8
                    let spooled = spoolWriter.append(segments, normalized: segmenter.normalized.bytes)
                    return .success(Analysis(id: doc.id, host: doc.url.map(CorpusCleaner.host(of:)) ?? "",
                                    priority: doc.priority, facts: f, sketch: sketcher.sketch(segments),
                                    textBytes: doc.textBytes.count, textToken: doc.textToken.flatMap {
                                        $0.upperBound <= Int(UInt32.max) ? UInt32($0.lowerBound)..<UInt32($0.upperBound) : nil
                                    },
                                    spoolLocation: spooled.location,
                                    spoolLength: spooled.length))
                }
            }
        }, merge: { batch in
            for i in 0..<batch.items.count {
                bytesDone += source.size(of: batch.items[i])
                switch batch.results[i]! {
                case .failure(let error):
                    documentOfItem.append(-1)
                    try skip(error)
                case .success(let a):
                    let d = ids.count
                    documentOfItem.append(Int32(d))
                    ids.append(a.id)
                    let site = siteNumbers[a.host] ?? { let s = Int32(siteNumbers.count); siteNumbers[a.host] = s; return s }()
                    sites.append(site)
                    facts.append(a.facts)
                    priorities.append(a.priority ?? 0)
                    anyPriority = anyPriority || a.priority != nil
                    detector.add(site: Int(site), sketch: a.sketch)
                    statistics.bytesIn += a.textBytes
                    textBytes.append(a.textBytes)
                    spoolLocations.append(a.spoolLocation)
                    spoolLengths.append(a.spoolLength)
                    textTokens.append(a.textToken)
                    origins.append(source.origin(of: batch.items[i]))
                    statistics.invalidUTF8Sequences += a.facts.invalidUTF8
                }
            }
            progress?(CleaningProgress(pass: 1, passes: 2, passName: "analyse", documents: ids.count, bytes: bytesDone))
        })
        let n = ids.count
        if storySignatures.count != n {
            // Close the failed items' gaps: each signature moves down from its item's slot to its document's (or stays),
            // in order.
            for (item, d) in documentOfItem.enumerated() where d >= 0 && Int(d) != item {
                storySignatures.slotsPointer(Int(d)).update(from: storySignatures.slotsPointer(item), count: k)
            }
            storySignatures.removeLast(storySignatures.count - n)
        }
        let spooled = try spool.finish()
        phase("analyse")
        let lsh = lshChoices.value
        let clusterer = DuplicateClusterer(threshold: c.threshold, policy: c.policy, verification: .signatures,
                                           lsh: lsh.near, maxComparisonsPerEntry: c.maxComparisonsPerEntry, threads: workers)
        let policyPriorities = anyPriority ? priorities : nil
        let storyClusterer = DuplicateClusterer(threshold: b.storyThreshold, policy: .firstSeen, verification: .signatures,
                                                lsh: lsh.story,
                                                maxComparisonsPerEntry: c.maxComparisonsPerEntry, threads: workers)
        var (storySets, _) = storyClusterer.connect(signatures: storySignatures, facts: facts, shingleSets: nil)
        let storyOf = (0..<n).map { storySets.find($0) }
        phase("stories")
        let model = detector.decide(storyOf: storyOf, threads: workers)
        detector.forgetSketches()
        phase("boilerplate")
        statistics.storyGroups = Set(storyOf).count

        // Pass 2, over the spool. A document whose kept lines are the lines its story signature was made of (its
        // paragraphs, say, when the boilerplate removed is everything else) has that signature as its clean one: the
        // same lines joined the same way. The others are signed again, in place.
        let cleanSignatures = storySignatures
        var cleanFacts = [DocumentSigner.Facts](repeating: DocumentSigner.Facts.none, count: n)
        var outcomes: [DocumentOutcome] = []
        outcomes.reserveCapacity(n)
        let report = BoilerplateReportBuilder()
        // (Small, as the read passes' batches are: a batch's records and results stay in the caches; 512 against
        // 4,096 was 0.670 → 0.645 s on the 101 MB dump.)
        let batch = 512
        let dropBoilerplateOnly = configuration.dropBoilerplateOnly
        let locations = spoolLocations, lengths = spoolLengths, storyFacts = facts
        try pipelineBatches(workers: workers, makeState: makeWorker, produce: { submit in
            var first = 0
            while first < n {
                let count = min(batch, n - first)
                try submit(CleaningBatch(first: first, count: count, results: ParallelSlots(count: count)), count)
                first += count
            }
        }, process: { worker, batch, i in
            let (segmenter, signer, _, buffer, removalScratch) = worker
            let d = batch.first + i
            batch.results[i] = Swift.Result { () throws(GhurbalError) -> Cleaned in
                let (segments, normalized) = try spooled.document(at: locations[d], length: lengths[d], into: buffer,
                                                                  reusing: segmenter)
                var reasons = removalScratch.take()
                model.removals(document: d, segments: segments, normalized: normalized, into: &reasons)
                let removals = reasons
                defer { removalScratch.reasons = removals }
                let removedCount = removals.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
                var cleaned = Cleaned(outcome: DocumentOutcome(index: d, removedLines: [], duplicateOf: nil, similarity: nil,
                                                               clusterID: nil, removedBytes: 0, nonBlankBytes: 0,
                                                               boilerplateOnly: false, kept: true, invalidUTF8: 0),
                                      removed: [], facts: DocumentSigner.Facts.none)
                cleaned.outcome.removedLines.reserveCapacity(removedCount)
                cleaned.removed.reserveCapacity(removedCount)
                var removedContent = 0
                for (l, line) in segments.lines.enumerated() {
                    cleaned.outcome.nonBlankBytes += line.span.count
                    if let reason = removals[l] {
                        cleaned.outcome.removedLines.append((line.spanWithTerminator, reason))
                        cleaned.outcome.removedBytes += line.spanWithTerminator.count
                        cleaned.removed.append((line.span, line.hash))
                        removedContent += line.span.count
                    }
                }
                let nonBlank = cleaned.outcome.nonBlankBytes
                cleaned.outcome.boilerplateOnly = nonBlank > 0 && Double(removedContent) / Double(nonBlank) >= b.boilerplateOnlyShare
                // The story signature's lines, as pass 1 chose them (the spool holds the non-blank lines; blank
                // ones add nothing to a signature), and the slot that holds it.
                let lines = segments.lines
                let story = StoryLines(lines)
                if lines.indices.allSatisfy({ story.contains($0) == (removals[$0] == nil) }) {
                    cleaned.reusesStorySignature = true
                } else if let f = signer.extend(cleanSignatures.slotsPointer(d), storyFacts: storyFacts[d], lines: lines,
                                                where: { removals[$0] == nil }, story: { story.contains($0) },
                                                normalized: normalized) {
                    cleaned.facts = f
                } else if removedCount == 0 {
                    // Nothing removed: the spooled text is already the lines joined by spaces.
                    cleaned.facts = signer.signNormalized(normalized, invalidUTF8: 0, into: cleanSignatures.slotsPointer(d))
                } else {
                    cleaned.facts = signer.sign(lines: segments.lines, where: { removals[$0] == nil }, normalized: normalized,
                                                into: cleanSignatures.slotsPointer(d))
                }
                return cleaned
            }
        }, merge: { batch in
            for i in 0..<batch.count {
                let d = batch.first + i
                let r = try batch.results[i]!.get()
                if r.reusesStorySignature {
                    cleanFacts[d] = facts[d]
                    cleanFacts[d].invalidUTF8 = 0
                } else {
                    cleanFacts[d] = r.facts
                }
                for (j, line) in r.removed.enumerated() {
                    report.add(hash: line.hash, document: d, span: line.content, reason: r.outcome.removedLines[j].reason, site: sites[d])
                }
                var outcome = r.outcome
                outcome.invalidUTF8 = facts[d].invalidUTF8
                // Kept unless dropped as boilerplate only (the clustering below takes the duplicates out).
                outcome.kept = !(outcome.boilerplateOnly && dropBoilerplateOnly)
                statistics.boilerplateLinesRemoved += outcome.removedLines.count
                if outcome.boilerplateOnly { statistics.boilerplateOnly += 1 }
                if outcome.kept {
                    statistics.keptDocuments += 1
                    statistics.bytesOut += textBytes[d] - outcome.removedBytes
                }
                outcomes.append(outcome)
            }
            progress?(CleaningProgress(pass: 2, passes: 2, passName: "sign", documents: outcomes.count, bytes: 0))
        })
        phase("sign")
        // The spool is not read again (`spooled` must not be used after this): its memory goes back on a thread of
        // its own while the clusters are found.
        let spoolReleased = BackgroundValue { spool.releaseMemory(); return true }

        let (clusters, stats) = clusterer.cluster(signatures: cleanSignatures, facts: cleanFacts,
                                                  priorities: policyPriorities, shingleSets: nil)
        for (cid, cluster) in clusters.enumerated() {
            for m in cluster.members {
                outcomes[m.index].clusterID = cid
                outcomes[m.index].similarity = m.similarity
                if m.index != cluster.representative {
                    outcomes[m.index].duplicateOf = cluster.representative
                    statistics.duplicates += 1
                    if outcomes[m.index].kept {
                        outcomes[m.index].kept = false
                        statistics.keptDocuments -= 1
                        statistics.bytesOut -= textBytes[m.index] - outcomes[m.index].removedBytes
                    }
                }
            }
        }
        phase("cluster")
        statistics.phaseSeconds = phases
        statistics.documents = n
        statistics.clusters = clusters.count
        statistics.candidatePairs = stats.candidatePairs
        let (entries, textSources) = report.entries(ids: ids)
        _ = spoolReleased.value
        return Result(documentOfItem: documentOfItem, textTokens: textTokens, origins: origins, ids: ids, outcomes: outcomes, clusters: clusters,
                      boilerplate: entries, statistics: statistics, lsh: clusterer.lsh,
                      boilerplateTextSources: textSources)
    }
}

/// The lines a story signature is made of: the paragraphs (chrome is menus, lists, bylines: short lines), or every
/// line when there is no paragraph. Pass 1 signs them; pass 2 keeps or extends that signature only when its kept lines
/// relate to the same choice, so both ask here.
private struct StoryLines {
    let lines: [SegmentedLine]
    let anyParagraph: Bool

    init(_ lines: [SegmentedLine]) {
        self.lines = lines
        anyParagraph = lines.contains { $0.kind == .paragraph }
    }

    func contains(_ l: Int) -> Bool { !anyParagraph || lines[l].kind == .paragraph }
}

/// A worker's array of removal reasons, filled for one document after another in pass 2 (taken out while in use, so
/// that it is the only reference and is refilled in place).
private final class RemovalScratch: @unchecked Sendable {
    var reasons: [RemovalReason?] = []

    func take() -> [RemovalReason?] {
        var taken: [RemovalReason?] = []
        swap(&taken, &reasons)
        return taken
    }
}

/// A batch of pass 1: its items, their findings, and where each one's story signature goes.
private struct AnalysisBatch<Item>: @unchecked Sendable {
    let items: [Item]
    let results: ParallelSlots<Swift.Result<Analysis, GhurbalError>>
    let slots: [UnsafeMutablePointer<UInt32>]
}

/// Pass 1's findings about one document.
private struct Analysis: Sendable {
    var id: String
    var host: String
    var priority: Double?
    var facts: DocumentSigner.Facts
    var sketch: BoilerplateSketch
    var textBytes: Int
    var textToken: Range<UInt32>?
    var spoolLocation: UInt64
    var spoolLength: Int
}

/// A batch of pass 2: documents `first..<first + count` and their findings.
private struct CleaningBatch: Sendable {
    let first: Int
    let count: Int
    let results: ParallelSlots<Swift.Result<Cleaned, GhurbalError>>
}

/// Pass 2's findings about one document.
private struct Cleaned: Sendable {
    var outcome: DocumentOutcome
    /// Removed lines (as in `outcome.removedLines`): without their terminator, and their hash.
    var removed: [(content: Range<Int>, hash: UInt64)]
    var facts: DocumentSigner.Facts
    /// The kept lines are those of the story signature, which is the clean one: `facts` is not set.
    var reusesStorySignature = false
}
