import Foundation
import Ghurbal

// Measures near-duplicate quality on a real JSONL corpus against brute-force exact Jaccard over the same shingles.
//
//   swift run -c release DedupEvaluation ../shared/corpora/saudinewsnet/articles.jsonl [--threshold 0.8]
//   swift run -c release DedupEvaluation ../shared/corpora/hadith-bukhari/hadith.jsonl --compare-normalization
//
// Found pairs are the pairs of documents that end in one cluster. Recall: the share of pairs with exact
// Jaccard ≥ 0.85 that were found. Precision: the share of found pairs whose exact Jaccard is ≥ 0.7.

struct Options {
    var path = ""
    var threshold = 0.8
    var compareNormalization = false
    var field = "text"

    init(_ args: [String]) {
        var i = 1
        while i < args.count {
            switch args[i] {
            case "--threshold": i += 1; threshold = Double(args[i])!
            case "--compare-normalization": compareNormalization = true
            case "--text-field": i += 1; field = args[i]
            default: path = args[i]
            }
            i += 1
        }
        precondition(!path.isEmpty, "usage: DedupEvaluation FILE.jsonl [--threshold T] [--compare-normalization]")
    }
}

func readTexts(_ path: String, field: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var texts: [String] = []
    for line in data.split(separator: 0x0A) where !line.isEmpty {
        let object = try JSONSerialization.jsonObject(with: line) as? [String: Any]
        texts.append(object?[field] as? String ?? "")
    }
    return texts
}

/// Sorted distinct shingle hashes of each text, with the given normalizer.
func shingleSets(_ texts: [String], normalizer options: ArabicNormalizerOptions) -> [[UInt64]] {
    var o = options
    o.keepLineBreaks = false
    let normalizer = ArabicNormalizer(options: o)
    let shingler = ShingleHasher()
    let buffer = ByteBuffer()
    return texts.map { text in
        var t = text
        t.withUTF8 { _ = normalizer.normalize($0, into: buffer) }
        var hashes: [UInt64] = []
        shingler.hashes(of: buffer.bytes, into: &hashes)
        return Array(Set(hashes)).sorted()
    }
}

/// Every pair with exact Jaccard ≥ `minimum`, by an inverted index over shingles.
func exactPairs(_ sets: [[UInt64]], minimum: Double) -> [UInt64: Double] {
    var postings: [UInt64: [Int32]] = [:]
    for (d, set) in sets.enumerated() { for h in set { postings[h, default: []].append(Int32(d)) } }
    var result: [UInt64: Double] = [:]
    var shared = [Int32](repeating: 0, count: sets.count)
    var touched: [Int] = []
    for (d, set) in sets.enumerated() where !set.isEmpty {
        for h in set {
            for other in postings[h]! where Int(other) > d {
                if shared[Int(other)] == 0 { touched.append(Int(other)) }
                shared[Int(other)] += 1
            }
        }
        for o in touched {
            let s = Double(shared[o])
            let j = s / (Double(set.count + sets[o].count) - s)
            if j >= minimum { result[UInt64(d) << 32 | UInt64(o)] = j }
            shared[o] = 0
        }
        touched.removeAll(keepingCapacity: true)
    }
    return result
}

func clusteredPairs(_ result: NearDuplicateResult) -> Set<UInt64> {
    var pairs = Set<UInt64>()
    for cluster in result.clusters {
        let ids = cluster.members.map(\.index).sorted()
        for i in 0..<ids.count { for j in (i + 1)..<ids.count { pairs.insert(UInt64(ids[i]) << 32 | UInt64(ids[j])) } }
    }
    return pairs
}

struct Quality {
    var found = 0, truePairs = 0, recalled = 0, falseFound = 0
    var recall: Double { truePairs == 0 ? 1 : Double(recalled) / Double(truePairs) }
    var precision: Double { found == 0 ? 1 : Double(found - falseFound) / Double(found) }
}

func quality(found: Set<UInt64>, exact: [UInt64: Double]) -> Quality {
    var q = Quality()
    q.found = found.count
    for (pair, j) in exact where j >= 0.85 {
        q.truePairs += 1
        if found.contains(pair) { q.recalled += 1 }
    }
    for pair in found where (exact[pair] ?? 0) < 0.7 { q.falseFound += 1 }
    return q
}

func f(_ x: Double) -> String { String(format: "%.4f", x) }

let options = Options(CommandLine.arguments)
let texts = try readTexts(options.path, field: options.field)
print("corpus: \(options.path), \(texts.count) documents, kernel \(MinHasher.kernelName)")

var configuration = NearDuplicateConfiguration()
configuration.threshold = options.threshold
print("threshold \(options.threshold), \(configuration.permutations) permutations, LSH \(configuration.lsh)")

let sets = shingleSets(texts, normalizer: configuration.normalizer)
let started = Date()
let exact = exactPairs(sets, minimum: 0.5)
print("brute force: \(exact.count) pairs with exact J ≥ 0.5 (\(f(Date().timeIntervalSince(started))) s)")

let t0 = Date()
let result = NearDuplicateFinder(configuration: configuration).clusters(of: texts)
let seconds = Date().timeIntervalSince(t0)
let q = quality(found: clusteredPairs(result), exact: exact)
print("""
    ghurbal: \(result.clusters.count) clusters, \(q.found) pairs in clusters, \(result.candidatePairs) candidate pairs, \
    \(result.verifiedPairs) verified, \(result.exactCopies) exact copies, \(f(seconds)) s
    recall (exact J ≥ 0.85): \(q.recalled)/\(q.truePairs) = \(f(q.recall))
    precision (false = exact J < 0.7): \(q.found - q.falseFound)/\(q.found) = \(f(q.precision))
    """)

if options.compareNormalization {
    var raw = configuration
    raw.normalizer = .minimal
    let rawResult = NearDuplicateFinder(configuration: raw).clusters(of: texts)
    let rq = quality(found: clusteredPairs(rawResult), exact: exact)
    let rawSets = shingleSets(texts, normalizer: .minimal)
    let rawExact = exactPairs(rawSets, minimum: 0.5)
    print("""
        without the Arabic normalizer (whitespace/invisibles only): \(rawResult.clusters.count) clusters, \
        \(rq.found) pairs in clusters
        recall against the normalized truth (exact J ≥ 0.85): \(rq.recalled)/\(rq.truePairs) = \(f(rq.recall))
        exact pairs J ≥ 0.85 on raw text: \(rawExact.values.filter { $0 >= 0.85 }.count), on normalized text: \
        \(exact.values.filter { $0 >= 0.85 }.count)
        """)
}
