import Foundation
import Testing
@testable import Ghurbal

/// Random 64-bit sets with a chosen Jaccard similarity: |A ∩ B| = shared, |A ∪ B| = union.
func randomSetPair(union: Int, shared: Int, rng: inout SplitMix64) -> ([UInt64], [UInt64]) {
    let onlyA = (union - shared) / 2
    let onlyB = union - shared - onlyA
    let common = (0..<shared).map { _ in rng.next() }
    let a = common + (0..<onlyA).map { _ in rng.next() }
    let b = common + (0..<onlyB).map { _ in rng.next() }
    return (a, b)
}

@Suite struct ShingleHasherTests {
    func hashes(_ text: String, _ hasher: ShingleHasher = ShingleHasher()) -> [UInt64] {
        var t = text
        var out: [UInt64] = []
        t.withUTF8 { _ = hasher.hashes(of: $0, into: &out) }
        return out
    }

    @Test func wordShinglesCoverContiguousBytes() {
        let h = hashes("a b c d e f g")
        #expect(h.count == 3)
        #expect(h[0] == hashes("a b c d e")[0])
        #expect(h[2] == hashes("c d e f g")[0])
        #expect(Set(h).count == 3)
        // Same words, same shingle, wherever they stand.
        #expect(hashes("x y c d e f g").last == h.last)
    }

    @Test func shortDocumentsGetOneShingle() {
        #expect(hashes("كلمة واحدة").count == 1)
        #expect(hashes("").isEmpty)
        #expect(hashes("   ").isEmpty)
        #expect(hashes("a b c d").count == 1)
        #expect(hashes("a b c d e").count == 1)
    }

    @Test func characterShingles() {
        let c = ShingleHasher(unit: .characters, size: 3)
        #expect(hashes("سلام", c).count == 2)  // 4 scalars → 2 trigrams
        #expect(hashes("سل", c).count == 1)
        #expect(hashes("abcd", c) == [hashes("abc", c)[0], hashes("bcd", c)[0]])
        #expect(hashes("", c).isEmpty)
    }

    @Test func vectorWordBoundsMatchTheByteByByteDefinition() {
        // Random texts of words (short, and longer than a 32-byte step) and runs of spaces and newlines, of lengths on
        // both sides of the steps; every shingle size, part of a text (from, startsBefore) as `extend` asks for, with
        // the shingler's own scratch space and without.
        var rng = SplitMix64(seed: 5)
        let pieces: [[UInt8]] = [Array("ب".utf8), Array("كلمة".utf8), Array("a".utf8), Array(String(repeating: "ح", count: 20).utf8),
                                 [0x20], [0x20, 0x20], [0x0A], [0x20, 0x0A, 0x20]]
        let scratch = ShingleBuffer(capacity: 16)
        for trial in 0..<400 {
            var text: [UInt8] = []
            let target = Int(rng.next() % 200)
            while text.count < target { text += pieces[Int(rng.next() % UInt64(pieces.count))] }
            if trial % 7 == 0 { text = Array(text.prefix(64)) }  // ends at a step's end
            let hasher = ShingleHasher(size: 1 + Int(rng.next() % 6))
            text.withUnsafeBufferPointer { t in
                var from = t.count == 0 ? 0 : Int(rng.next() % UInt64(t.count))
                while from > 0 && t[from - 1] != 0x20 && t[from - 1] != 0x0A { from -= 1 }  // a word's start or a separator
                let startsBefore = trial % 2 == 0 ? t.count : from + Int(rng.next() % UInt64(t.count - from + 1))
                var expected: [UInt64] = [], vector: [UInt64] = [], borrowed: [UInt64] = []
                let n = hasher.forEachWordShingleByteByByte(in: t, from: from, startsBefore: startsBefore) { expected.append($0) }
                #expect(hasher.forEachWordShingle(in: t, from: from, startsBefore: startsBefore) { vector.append($0) } == n)
                #expect(hasher.forEachWordShingle(in: t, from: from, startsBefore: startsBefore, scratch: scratch) {
                    borrowed.append($0)
                } == n)
                #expect(vector == expected, "trial \(trial): \(t.count) bytes from \(from) before \(startsBefore)")
                #expect(borrowed == expected)
            }
        }
    }

    @Test func seededAndDeterministic() {
        let a = ShingleHasher(seed: 1), b = ShingleHasher(seed: 2)
        #expect(hashes("a b c d e f", a) == hashes("a b c d e f", a))
        #expect(hashes("a b c d e f", a) != hashes("a b c d e f", b))
    }
}

@Suite struct MinHasherTests {
    @Test func kernelMatchesScalarReference() {
        var rng = SplitMix64(seed: 11)
        for k in [1, 7, 32, 128, 200] {
            let m = MinHasher(permutations: k, seed: rng.next())
            let hashes = (0..<Int(rng.next() % 500)).map { _ in rng.next() }
            var fast = [UInt32](repeating: .max, count: k)
            var slow = [UInt32](repeating: .max, count: k)
            hashes.withUnsafeBufferPointer { h in
                fast.withUnsafeMutableBufferPointer { m.fold(h, into: $0.baseAddress!) }
                slow.withUnsafeMutableBufferPointer { m.foldScalar(h, into: $0.baseAddress!) }
            }
            #expect(fast == slow, "k=\(k)")
        }
    }

    /// Over many random set pairs with known Jaccard J, every estimate lies within 4.5σ, σ = √(J(1−J)/k), and the
    /// mean estimate within 4.5σ/√trials of J: the permutation family behaves like random permutations.
    @Test(arguments: [0.2, 0.5, 0.8, 0.9, 0.95])
    func estimateWithinExpectedError(j: Double) {
        let k = 128
        let minHasher = MinHasher(permutations: k)
        var rng = SplitMix64(seed: UInt64(j * 1000))
        let trials = 150
        let union = 400
        let shared = Int((j * Double(union)).rounded())
        let exact = Double(shared) / Double(union)
        let sigma = (exact * (1 - exact) / Double(k)).squareRoot()
        var sum = 0.0, sumSquares = 0.0
        for _ in 0..<trials {
            let (a, b) = randomSetPair(union: union, shared: shared, rng: &rng)
            let estimate = minHasher.signature(of: a).estimatedJaccard(minHasher.signature(of: b))
            #expect(abs(estimate - exact) <= 4.5 * sigma, "estimate \(estimate) for J=\(exact)")
            sum += estimate
            sumSquares += (estimate - exact) * (estimate - exact)
        }
        let mean = sum / Double(trials)
        #expect(abs(mean - exact) <= 4.5 * sigma / Double(trials).squareRoot(), "mean \(mean) for J=\(exact)")
        // The observed variance matches the binomial one (within a factor that 150 trials allow).
        let variance = sumSquares / Double(trials)
        #expect(variance < 1.6 * sigma * sigma && variance > 0.5 * sigma * sigma, "variance \(variance) vs \(sigma * sigma)")
    }

    @Test func sixteenBitSlotsAreCountedLikeAScalarLoop() {
        var rng = SplitMix64(seed: 16)
        for count in [1, 5, 16, 37, 64, 130] {
            // Slots equal, one apart, or random.
            let a = (0..<count).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
            let b = a.map { x -> UInt16 in
                switch rng.next() % 3 {
                case 0: return x
                case 1: return x &+ 1
                default: return UInt16(truncatingIfNeeded: rng.next())
                }
            }
            let expected = zip(a, b).filter { $0 == $1 }.count
            a.withUnsafeBytes { x in b.withUnsafeBytes { y in
                #expect(equalSlots16(x.baseAddress!, y.baseAddress!, count: count) == expected, "count \(count)")
            } }
        }
    }

    @Test func emptySetHasEmptySignature() {
        let s = MinHasher(permutations: 16).signature(of: [])
        #expect(s.slots.allSatisfy { $0 == .max })
    }
}

@Suite struct LSHTests {
    @Test func optimalParametersMatchDatasketch() {
        // datasketch 1.x's _optimal_param(t, 128, 0.5, 0.5), run here: 0.5 → (25, 5), 0.7 → (14, 9), 0.8 → (9, 13),
        // 0.9 → (5, 25).
        // With the same weights the same choice; with datasketch 1.x's weights 0.05/0.95 (also run here):
        // 0.7 → (21, 6), 0.8 → (16, 8), 0.9 → (9, 14).
        func even(_ t: Double) -> LSHParameters {
            LSHParameters.optimal(threshold: t, permutations: 128, falsePositiveWeight: 0.5, falseNegativeWeight: 0.5)
        }
        #expect(even(0.5) == LSHParameters(bands: 25, rows: 5))
        #expect(even(0.7) == LSHParameters(bands: 14, rows: 9))
        #expect(even(0.8) == LSHParameters(bands: 9, rows: 13))
        #expect(even(0.9) == LSHParameters(bands: 5, rows: 25))
        let p = LSHParameters.optimal(threshold: 0.8, permutations: 128)
        #expect(p == LSHParameters(bands: 16, rows: 8), "\(p)")
        #expect(LSHParameters.optimal(threshold: 0.7, permutations: 128) == LSHParameters(bands: 21, rows: 6))
        #expect(LSHParameters.optimal(threshold: 0.9, permutations: 128) == LSHParameters(bands: 9, rows: 14))
        #expect(p.bands * p.rows <= 128)
        #expect(p.candidateProbability(0.85) > 0.99)
        #expect(p.description.contains("P(0.8)=0.94"))
    }

    /// `optimal` (which reuses powers across candidates) picks what a direct search over every (b, r), each error area
    /// integrated from `candidateProbability` by the same midpoint rule, picks.
    @Test(arguments: [(0.3, 0.05), (0.5, 0.05), (0.75, 0.05), (0.9, 0.05), (0.5, 0.5), (0.85, 0.5)])
    func optimalParametersMatchADirectSearch(threshold: Double, falsePositiveWeight: Double) {
        let k = 40
        func area(_ lo: Double, _ hi: Double, _ f: (Double) -> Double) -> Double {
            let h = (hi - lo) / 200
            return (0..<200).reduce(0.0) { $0 + f(lo + (Double($1) + 0.5) * h) } * h
        }
        var best = LSHParameters(bands: 1, rows: 1), bestError = Double.infinity
        for b in 1...k {
            for r in 1...(k / b) {
                let p = LSHParameters(bands: b, rows: r)
                let error = falsePositiveWeight * area(0, threshold) { p.candidateProbability($0) }
                    + (1 - falsePositiveWeight) * area(threshold, 1) { 1 - p.candidateProbability($0) }
                if error < bestError - 1e-15 { bestError = error; best = p }
            }
        }
        let chosen = LSHParameters.optimal(threshold: threshold, permutations: k, falsePositiveWeight: falsePositiveWeight,
                                           falseNegativeWeight: 1 - falsePositiveWeight)
        #expect(chosen == best)
    }

    /// The share of pairs of similarity s that become candidates matches 1 − (1 − s^r)^b.
    @Test(arguments: [0.5, 0.7, 0.8, 0.9])
    func candidateRateMatchesSCurve(s: Double) {
        let k = 128
        let parameters = LSHParameters(bands: 9, rows: 13)
        let minHasher = MinHasher(permutations: k, seed: 99)
        var rng = SplitMix64(seed: UInt64(s * 100) + 5)
        let trials = 300
        var hits = 0
        for _ in 0..<trials {
            let (a, b) = randomSetPair(union: 300, shared: Int(s * 300), rng: &rng)
            var index = LSHIndex(parameters: parameters)
            let sa = minHasher.signature(of: a), sb = minHasher.signature(of: b)
            sa.slots.withUnsafeBufferPointer { index.insert(id: 0, signature: $0) }
            let found = sb.slots.withUnsafeBufferPointer { index.query($0) }
            if found == [0] { hits += 1 }
        }
        let p = parameters.candidateProbability(s)
        let rate = Double(hits) / Double(trials)
        let sd = (p * (1 - p) / Double(trials)).squareRoot()
        #expect(abs(rate - p) <= 4 * sd + 0.01, "rate \(rate) expected \(p)")
    }

    @Test func indexInsertQueryAndPairs() {
        let minHasher = MinHasher(permutations: 32)
        let params = LSHParameters(bands: 8, rows: 4)
        var index = LSHIndex(parameters: params)
        let base = (0..<100).map { UInt64($0) &* 0x9E37_79B9_7F4A_7C15 }
        let sigs = [base, base, (0..<100).map { UInt64($0 + 1000) &* 0x9E37_79B9_7F4A_7C15 }].map { minHasher.signature(of: $0) }
        for (i, s) in sigs.enumerated() { s.slots.withUnsafeBufferPointer { index.insert(id: UInt32(i), signature: $0) } }
        let found = sigs[0].slots.withUnsafeBufferPointer { index.query($0) }
        #expect(found == [0, 1])
        index.seal()
        var pairs: [String] = []
        index.forEachCandidatePair(maxComparisonsPerEntry: 10) { band, a, b in pairs.append("\(band):\(a)-\(b)") }
        #expect(pairs.count == 8 && pairs.allSatisfy { $0.hasSuffix("0-1") })
        #expect(index.memoryBytes >= 3 * 8 * 8)
    }

    /// Inserting many documents at once, band by band on several threads, builds the index one-by-one insertion
    /// builds: the same buckets, candidate pairs and query answers.
    @Test func insertingAllAtOnceEqualsOneByOne() {
        var rng = SplitMix64(seed: 21)
        let minHasher = MinHasher(permutations: 32)
        let params = LSHParameters(bands: 8, rows: 4)
        let stories = (0..<20).map { s in (0..<60).map { UInt64(s * 1000 + $0) &* 0x9E37_79B9_7F4A_7C15 } }
        let sigs = (0..<300).map { _ -> MinHashSignature in
            var set = stories[Int(rng.next() % 20)]
            for _ in 0..<Int(rng.next() % 30) { set[Int(rng.next() % 60)] = rng.next() }
            return minHasher.signature(of: set)
        }
        let chosen = (0..<300).filter { $0 % 7 != 3 }.map(UInt32.init)  // some documents are left out
        var keys = [UInt32](repeating: 0, count: 300 * 8)
        var one = LSHIndex(parameters: params), all = LSHIndex(parameters: params)
        for id in chosen {
            sigs[Int(id)].slots.withUnsafeBufferPointer { s in
                one.insert(id: id, signature: s)
                for b in 0..<8 { keys[Int(id) * 8 + b] = one.bandKey(s, band: b) }
            }
        }
        keys.withUnsafeBufferPointer { all.insert(ids: chosen, keys: $0, threads: 3) }
        #expect(all.count == one.count && all.count == chosen.count)
        one.seal(threads: 1)
        all.seal(threads: 2)
        var pairsOne: [String] = [], pairsAll: [String] = []
        one.forEachCandidatePair(maxComparisonsPerEntry: 50) { pairsOne.append("\($0):\($1)-\($2)") }
        all.forEachCandidatePair(maxComparisonsPerEntry: 50) { pairsAll.append("\($0):\($1)-\($2)") }
        #expect(pairsOne.count > 300 && pairsAll == pairsOne)
        for sig in sigs.prefix(20) {
            sig.slots.withUnsafeBufferPointer { s in #expect(all.query(s) == one.query(s)) }
        }
    }

    @Test func unionFind() {
        var uf = UnionFind(count: 6)
        let joined = [uf.union(0, 1), uf.union(1, 2), uf.union(0, 2)]
        #expect(joined == [true, true, false])
        uf.union(4, 5)
        let roots = (uf.find(2), uf.find(0), uf.find(3))
        #expect(roots.0 == roots.1 && roots.0 != roots.2)
        let size = uf.setSize(1)
        #expect(size == 3)
        let groups = uf.groups()
        #expect(groups == [[0, 1, 2], [4, 5]])
    }
}

@Suite struct NearDuplicateFinderTests {
    func words(_ n: Int, _ rng: inout SplitMix64) -> [String] {
        let vocabulary = ["الأمن", "المنظمة", "قرغيزستان", "طاجيكستان", "الحدود", "بوتين", "الرئيس", "اتفاق", "وقف",
                          "إطلاق", "النار", "الجانبين", "المحطة", "الكاميرات", "السكان", "المياه", "عام", "بيان"]
        return (0..<n).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] + String(rng.next() % 50) }
    }

    @Test func findsCopiesAndEditsButNotStrangers() {
        var rng = SplitMix64(seed: 3)
        let story = words(300, &rng)
        var edited = story
        for i in stride(from: 0, to: 300, by: 60) { edited[i] = "تعديل" }  // 5 edits ≈ J 0.9
        let withMarks = story.joined(separator: " ").replacingOccurrences(of: "ا", with: "اَ")
        let texts = [story.joined(separator: " "), words(300, &rng).joined(separator: " "), edited.joined(separator: " "),
                     withMarks, words(300, &rng).joined(separator: " "), story.joined(separator: " ")]
        for threads in [1, 3] {
            var c = NearDuplicateConfiguration()
            c.threads = threads
            let result = NearDuplicateFinder(configuration: c).clusters(of: texts)
            #expect(result.clusters.count == 1)
            #expect(result.clusters.first?.representative == 0)
            #expect(result.clusters.first?.members.map(\.index) == [0, 2, 3, 5])
            #expect(result.duplicateOf == [nil, nil, 0, 0, nil, 0])
            #expect(result.exactCopies == 2)  // 3 normalizes to 0's text; 5 is 0's text
        }
    }

    /// Candidate pairs are verified on several threads (the bands shared out): the clusters and the counts are those
    /// of one thread.
    @Test func threadCountsGiveTheSameClustersAndCounts() {
        var rng = SplitMix64(seed: 8)
        var texts: [String] = []
        for _ in 0..<150 {
            let story = words(120, &rng)
            texts.append(story.joined(separator: " "))
            // Copies edited apart, so that their pairs first meet in different bands (and on different threads).
            for _ in 0..<Int(rng.next() % 6) {
                var copy = story
                for _ in 0..<Int(rng.next() % 10) { copy[Int(rng.next() % 120)] = "تعديل" + String(rng.next() % 5) }
                texts.append(copy.joined(separator: " "))
            }
        }
        var results: [NearDuplicateResult] = []
        for threads in [1, 2, 5] {
            var c = NearDuplicateConfiguration()
            c.threads = threads
            results.append(NearDuplicateFinder(configuration: c).clusters(of: texts))
        }
        #expect(results[0].clusters.count > 50 && results[0].verifiedPairs > 50 && results[0].exactCopies > 0)
        for r in results.dropFirst() {
            #expect(r.clusters == results[0].clusters)
            #expect(r.candidatePairs == results[0].candidatePairs && r.verifiedPairs == results[0].verifiedPairs)
            #expect(r.exactCopies == results[0].exactCopies)
        }
    }

    @Test func chainsAreSplitAroundRepresentatives() {
        // d0 … d5 where each differs from the next by a shift of 20 words out of 200: neighbours are ≈0.82 similar,
        // d0 and d2 only ≈0.67. A transitive cluster would hold all six.
        var rng = SplitMix64(seed: 5)
        let pool = words(400, &rng)
        let texts = (0..<6).map { i in pool[(i * 20)..<(i * 20 + 200)].joined(separator: " ") }
        var c = NearDuplicateConfiguration()
        c.threshold = 0.75
        c.verification = .exactShingles
        c.lshOverride = LSHParameters(bands: 32, rows: 4)  // every pair above 0.6 is a candidate: only the split decides
        let result = NearDuplicateFinder(configuration: c).clusters(of: texts)
        for cluster in result.clusters {
            for m in cluster.members { #expect(m.similarity >= 0.75) }
        }
        #expect(result.clusters.allSatisfy { $0.members.count <= 2 })
        #expect(result.clusters.map(\.representative) == [0, 2, 4])
    }

    @Test func policiesChooseRepresentatives() {
        let short = (0..<100).map { "كلمة\($0)" }.joined(separator: " ")
        let long = short + " " + "زيادة"
        var c = NearDuplicateConfiguration()
        c.policy = .longest
        #expect(NearDuplicateFinder(configuration: c).clusters(of: [short, long]).clusters.first?.representative == 1)
        c.policy = .priority
        #expect(NearDuplicateFinder(configuration: c).clusters(of: [long, short], priorities: [1, 5]).clusters.first?.representative == 1)
        c.policy = .firstSeen
        #expect(NearDuplicateFinder(configuration: c).clusters(of: [short, long]).clusters.first?.representative == 0)
    }

    @Test func emptyAndInvalidDocumentsNeverCluster() {
        let result = NearDuplicateFinder().clusters(ofBytes: [[], [0xFF, 0xFE], Array("...".utf8), []])
        #expect(result.clusters.isEmpty)
    }
}

@Suite struct DocumentSignerTests {
    /// Extending the story signature (paragraphs) with the kept lines before and after it gives what signing the kept
    /// lines gives — signature and facts — and it is refused, touching nothing, when the kept lines are not like that.
    @Test(arguments: [1, 3, 5])
    func extendingTheStorySignatureEqualsSigningTheKeptLines(shingleSize: Int) {
        var rng = SplitMix64(seed: UInt64(40 + shingleSize))
        let vocabulary = ["الأمن", "المنظمة", "قرغيزستان", "الحدود", "بوتين", "اتفاق", "وقف", "النار", "المياه", "بيان", "a", "7"]
        let segmenter = DocumentSegmenter(shortLineWords: 4)
        var shingler = ShingleHasher()
        shingler.size = shingleSize
        let signer = DocumentSigner(normalizer: segmenter.normalizer, shingler: shingler, minHasher: MinHasher(permutations: 32))
        var extended = 0, refused = 0
        for _ in 0..<400 {
            var text = ""
            for _ in 0..<(1 + Int(rng.next() % 9)) {
                let words = Int(rng.next() % 8)  // 0: a blank line; 5 or more: a paragraph
                text += (0..<words).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] }.joined(separator: " ") + "\n"
            }
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { raw in
                let lines = segmenter.segment(raw).lines
                let normalized = segmenter.normalized.bytes
                let anyParagraph = lines.contains { $0.kind == .paragraph }
                let story = { (l: Int) in !anyParagraph || lines[l].kind == .paragraph }
                var storySignature = [UInt32](repeating: 0, count: 32)
                let storyFacts = signer.sign(lines: lines, where: story, normalized: normalized, into: &storySignature)
                let storyLines = lines.indices.filter { story($0) && lines[$0].hash != 0 }
                // Half the time the kept lines are an extension: every story line, others only before or after them.
                let extends = rng.next() % 2 == 0
                let keep = lines.indices.map { l -> Bool in
                    if extends, let first = storyLines.first, let last = storyLines.last {
                        return story(l) || ((l < first || l > last) && rng.next() % 2 == 0)
                    }
                    return rng.next() % 3 != 0
                }
                var expected = [UInt32](repeating: 0, count: 32)
                let expectedFacts = signer.sign(lines: lines, where: { keep[$0] }, normalized: normalized, into: &expected)
                var signature = storySignature
                if let facts = signer.extend(&signature, storyFacts: storyFacts, lines: lines, where: { keep[$0] },
                                             story: story, normalized: normalized) {
                    extended += 1
                    #expect(signature == expected, "\(text)")
                    #expect(facts == expectedFacts, "\(text)")
                } else {
                    refused += 1
                    #expect(signature == storySignature)
                    // Refused extensions: too few story words for a shingle of their own.
                    let storyWords = storyLines.reduce(0) { $0 + lines[$1].words }
                    #expect(!extends || storyLines.isEmpty || storyWords < shingleSize, "\(text)")
                }
            }
        }
        #expect(extended > 100 && refused > 50)
    }
}
