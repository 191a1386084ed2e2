import Foundation

/// Compares a result folder of `ghurbal clean --annotate` (or `clean`/`report`, for duplicates only) with the truth
/// file of `ghurbal synth`.
public struct Evaluator {
    public struct Counts: Sendable, Hashable {
        public var truePositives = 0
        public var falsePositives = 0
        public var falseNegatives = 0
        public var precision: Double { truePositives + falsePositives == 0 ? 1 : Double(truePositives) / Double(truePositives + falsePositives) }
        public var recall: Double { truePositives + falseNegatives == 0 ? 1 : Double(truePositives) / Double(truePositives + falseNegatives) }
        public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }
    }

    public struct Report: Sendable {
        public var documents = 0
        /// Every pair of documents of one story.
        public var pairs = Counts()
        /// Original–copy pairs by the copy's edit strength (bucket upper bounds 0, 0.1, 0.2, …).
        public var recallByStrength: [(bucket: String, found: Int, total: Int)] = []
        /// Original–copy pairs whose exact Jaccard is ≥ 0.85.
        public var recallJaccard85 = Counts()
        /// Original–copy pairs whose exact Jaccard is below 0.85, for information.
        public var recallBelow85 = Counts()
        public var clusterPurity = 1.0
        public var predictedClusters = 0
        /// Chrome lines; nil when the result has no removed spans (run `clean --annotate`).
        public var boilerplateLines: Counts?
    }

    struct Truth {
        var story: Int
        var original: String?
        var jaccard: Double
        var strength: Double
        var chromeLines: Set<Int>
    }

    public init() {}

    static func forEachJSONLine(_ path: String, gzip: Bool, _ body: (JSONLine, Int) throws -> Void) throws {
        let reader = try ByteReader(path: path, gzip: gzip)
        var n = 0
        while let line = try reader.readLine() {
            n += 1
            guard case .line(let bytes) = line, !bytes.isEmpty else { continue }
            do { try body(try JSONLine(bytes), n) } catch let e as JSONLine.SyntaxError {
                throw GhurbalError.malformedJSON(InputLocation(path: path, line: n), reason: e.reason)
            }
        }
        if let problem = reader.gzipProblem {
            throw GhurbalError.corruptGzip(InputLocation(path: path, line: n > 0 ? n : nil), reason: problem)
        }
    }

    public func evaluate(truthPath: String, resultDirectory: String) throws -> Report {
        var truth: [String: Truth] = [:]
        var order: [String] = []
        try Self.forEachJSONLine(truthPath, gzip: truthPath.hasSuffix(".gz")) { json, n in
            guard let id = json.idText("id"), let story = json.idText("story").flatMap(Int.init) else {
                throw GhurbalError.missingField(InputLocation(path: truthPath, line: n, field: "id/story"))
            }
            let chrome = json.field("chrome_lines").map { f in
                String(decoding: json.bytes[f.value], as: UTF8.self).split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            } ?? []
            truth[id] = Truth(story: story, original: json.string("original").map { String(decoding: $0, as: UTF8.self) },
                              jaccard: json.idText("jaccard").flatMap(Double.init) ?? 1,
                              strength: json.idText("edit_strength").flatMap(Double.init) ?? 0, chromeLines: Set(chrome))
            order.append(id)
        }
        var report = Report()
        report.documents = order.count

        // Predicted clusters.
        var clusterOf: [String: Int] = [:]
        var clusters: [[String]] = []
        try Self.forEachJSONLine((resultDirectory as NSString).appendingPathComponent("clusters.jsonl"), gzip: false) { json, _ in
            guard let members = json.field("members") else { return }
            let text = String(decoding: json.bytes[members.value], as: UTF8.self)
            let member = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] ?? []
            let ids = member.compactMap { $0["id"] as? String }
            for id in ids { clusterOf[id] = clusters.count }
            clusters.append(ids)
        }
        report.predictedClusters = clusters.count

        // Pairs: true pairs are pairs of one story; predicted pairs are pairs of one cluster.
        var byStory: [Int: [String]] = [:]
        for id in order { byStory[truth[id]!.story, default: []].append(id) }
        for members in byStory.values where members.count > 1 {
            for i in 0..<members.count {
                for j in (i + 1)..<members.count {
                    let a = members[i], b = members[j]
                    if let ca = clusterOf[a], ca == clusterOf[b] { report.pairs.truePositives += 1 } else { report.pairs.falseNegatives += 1 }
                }
            }
        }
        var purityNumerator = 0, purityDenominator = 0
        for ids in clusters {
            var count: [Int: Int] = [:]
            for id in ids { if let t = truth[id] { count[t.story, default: 0] += 1 } }
            purityNumerator += count.values.max() ?? 0
            purityDenominator += ids.count
            for i in 0..<ids.count {
                for j in (i + 1)..<ids.count where truth[ids[i]]?.story != truth[ids[j]]?.story { report.pairs.falsePositives += 1 }
            }
        }
        report.clusterPurity = purityDenominator == 0 ? 1 : Double(purityNumerator) / Double(purityDenominator)

        // Original–copy pairs by strength and by Jaccard.
        var buckets: [Int: (Int, Int)] = [:]
        for id in order {
            guard let t = truth[id], let original = t.original else { continue }
            let found = clusterOf[id] != nil && clusterOf[id] == clusterOf[original]
            let bucket = t.strength == 0 ? 0 : Int((t.strength * 10).rounded(.up))
            buckets[bucket, default: (0, 0)].0 += found ? 1 : 0
            buckets[bucket, default: (0, 0)].1 += 1
            if t.jaccard >= 0.85 {
                if found { report.recallJaccard85.truePositives += 1 } else { report.recallJaccard85.falseNegatives += 1 }
            } else {
                if found { report.recallBelow85.truePositives += 1 } else { report.recallBelow85.falseNegatives += 1 }
            }
        }
        report.recallByStrength = buckets.keys.sorted().map { b in
            (b == 0 ? "exact copy" : "strength ≤ \(formatFixed(Double(b) / 10, 1))", buckets[b]!.0, buckets[b]!.1)
        }

        // Boilerplate lines, from the annotated corpus.
        let corpus = (resultDirectory as NSString).appendingPathComponent("corpus")
        if let files = FileManager.default.enumerator(atPath: corpus)?.allObjects as? [String] {
            var lines = Counts()
            var sawSpans = false
            for rel in files.sorted() where rel.hasSuffix(".jsonl") || rel.hasSuffix(".jsonl.gz") {
                let path = (corpus as NSString).appendingPathComponent(rel)
                try Self.forEachJSONLine(path, gzip: rel.hasSuffix(".gz")) { json, _ in
                    guard let id = json.idText("id"), let t = truth[id], let spansField = json.field("removed_spans"),
                          let text = json.string("text") else { return }
                    sawSpans = true
                    let scalars = Array(String(decoding: text, as: UTF8.self).unicodeScalars)
                    var lineOfScalar: [Int] = []
                    lineOfScalar.reserveCapacity(scalars.count + 1)
                    var line = 0
                    for s in scalars { lineOfScalar.append(line); if s == "\n" { line += 1 } }
                    lineOfScalar.append(line)
                    let spans = try JSONSerialization.jsonObject(with: Data(json.bytes[spansField.value])) as? [[Any]] ?? []
                    var removed = Set<Int>()
                    for span in spans { if let start = span.first as? Int, start < lineOfScalar.count { removed.insert(lineOfScalar[start]) } }
                    lines.truePositives += removed.intersection(t.chromeLines).count
                    lines.falsePositives += removed.subtracting(t.chromeLines).count
                    lines.falseNegatives += t.chromeLines.subtracting(removed).count
                }
            }
            if sawSpans { report.boilerplateLines = lines }
        }
        return report
    }

    /// The report as a table a person reads.
    public static func table(_ r: Report) -> String {
        func f(_ x: Double) -> String { formatFixed(x, 4) }
        var s = "documents: \(r.documents), predicted clusters: \(r.predictedClusters), cluster purity: \(f(r.clusterPurity))\n"
        s += "duplicate pairs        precision  recall  F1      (TP / FP / FN)\n"
        s += "  all pairs            \(f(r.pairs.precision))     \(f(r.pairs.recall))  \(f(r.pairs.f1))  (\(r.pairs.truePositives) / \(r.pairs.falsePositives) / \(r.pairs.falseNegatives))\n"
        s += "  copies, J ≥ 0.85     recall \(f(r.recallJaccard85.recall)) (\(r.recallJaccard85.truePositives) of \(r.recallJaccard85.truePositives + r.recallJaccard85.falseNegatives))\n"
        s += "  copies, J < 0.85     recall \(f(r.recallBelow85.recall)) (\(r.recallBelow85.truePositives) of \(r.recallBelow85.truePositives + r.recallBelow85.falseNegatives))\n"
        for b in r.recallByStrength {
            s += "  \(b.bucket.padding(toLength: 20, withPad: " ", startingAt: 0)) recall \(f(b.total == 0 ? 1 : Double(b.found) / Double(b.total))) (\(b.found) of \(b.total))\n"
        }
        if let b = r.boilerplateLines {
            s += "boilerplate lines      precision \(f(b.precision))  recall \(f(b.recall))  F1 \(f(b.f1))  (\(b.truePositives) / \(b.falsePositives) / \(b.falseNegatives))\n"
        } else {
            s += "boilerplate lines      not measured: the result has no removed_spans (run ghurbal clean --annotate)\n"
        }
        return s
    }

    public static func json(_ r: Report) -> String {
        func c(_ x: Counts) -> String {
            "{\"precision\":\(formatFixed(x.precision, 4)),\"recall\":\(formatFixed(x.recall, 4)),\"f1\":\(formatFixed(x.f1, 4)),\"tp\":\(x.truePositives),\"fp\":\(x.falsePositives),\"fn\":\(x.falseNegatives)}"
        }
        let strength = r.recallByStrength.map { "{\"bucket\":\(JSONLine.quoted($0.bucket)),\"found\":\($0.found),\"total\":\($0.total)}" }.joined(separator: ",")
        return "{\"documents\":\(r.documents),\"predicted_clusters\":\(r.predictedClusters),\"cluster_purity\":\(formatFixed(r.clusterPurity, 4)),"
            + "\"pairs\":\(c(r.pairs)),\"copies_jaccard_85\":\(c(r.recallJaccard85)),\"copies_below_85\":\(c(r.recallBelow85)),"
            + "\"by_strength\":[\(strength)],\"boilerplate_lines\":\(r.boilerplateLines.map(c) ?? "null")}\n"
    }
}
