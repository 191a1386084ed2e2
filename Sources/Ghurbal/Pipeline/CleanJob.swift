import Foundation

/// `ghurbal clean` and `ghurbal report` as a library call: read the inputs, clean them, write the output folder.
public struct CleanJob {
    public var inputs: [String]
    public var output: String
    public var reader = ReaderOptions()
    public var cleaning = CleaningConfiguration()
    /// Keep every document whole and add what was found, instead of dropping and cutting.
    public var annotate = false
    /// Write the reports only, no corpus.
    public var reportOnly = false
    public var force = false

    public static let version = "0.1.0"

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }

    public struct Summary: Sendable {
        public var statistics: CleaningStatistics
        public var skipped: [String: Int]
        public var seconds: Double
        public var readSeconds: Double
        public var cleanSeconds: Double
        public var writeSeconds: Double
        public var bytesRead: Int
        public var lsh: LSHParameters
        public var topBoilerplate: [BoilerplateEntry]
    }

    /// Runs the job; `warn` receives every skipped record.
    public func run(warn: @escaping (GhurbalError) -> Void) throws -> Summary {
        let started = Date()
        // Check the output first: a long run must not end in "folder exists".
        let out = try OutputDirectory(path: output, force: force)
        var reader = DocumentReader(options: reader, warn: warn)
        let files = try reader.resolve(inputs)
        var records: [InputRecord] = []
        try reader.read { records.append($0) }
        let readDone = Date()

        let result = CorpusCleaner(configuration: cleaning).clean(records.map(\.document))
        let cleanDone = Date()

        if !reportOnly { try writeCorpus(records, files, result, out) }
        try writeClusters(records, result, out)
        try writeBoilerplate(result, out)
        let writeDone = Date()
        let summary = Summary(statistics: result.statistics, skipped: reader.skipped,
                              seconds: writeDone.timeIntervalSince(started), readSeconds: readDone.timeIntervalSince(started),
                              cleanSeconds: cleanDone.timeIntervalSince(readDone), writeSeconds: writeDone.timeIntervalSince(cleanDone),
                              bytesRead: reader.bytesRead, lsh: result.lsh, topBoilerplate: Array(result.boilerplate.prefix(5)))
        let file = try out.file("summary.json")
        try file.write(summaryJSON(summary))
        try file.close()
        try out.commit()
        return summary
    }

    /// Where a text file goes below `corpus/`: its path below its input folder, under the folder's name when there
    /// are several inputs.
    func corpusPath(input: Int, relativePath: String) -> String {
        let base = inputs.count > 1 ? (inputs[input] as NSString).lastPathComponent + "/" : ""
        return "corpus/" + base + relativePath
    }

    func writeCorpus(_ records: [InputRecord], _ files: [InputFile], _ result: CleaningResult, _ out: OutputDirectory) throws {
        var jsonFiles: [Int: OutputFile] = [:]
        var annotations: OutputFile?
        for (d, record) in records.enumerated() {
            let outcome = result.outcomes[d]
            if !annotate && !outcome.kept { continue }
            let text = annotate ? record.document.text : outcome.cleanedText(of: record.document.text)
            switch record.origin {
            case .textFile(let input, let relativePath, let gzip):
                let file = try out.file(corpusPath(input: input, relativePath: relativePath), gzip: gzip)
                try file.write(String(decoding: text, as: UTF8.self).utf8)
                try file.close()
                if annotate {
                    if annotations == nil { annotations = try out.file("annotations.jsonl") }
                    var line: [UInt8] = Array("{\"id\":".utf8)
                    JSONLine.appendString(Array(record.document.id.utf8), to: &line)
                    line += annotationFields(outcome, result, records, text: text)
                    line += Array("}\n".utf8)
                    try annotations!.write(line)
                }
            case .jsonLine(let fileIndex, let json):
                if jsonFiles[fileIndex] == nil {
                    let f = files[fileIndex]
                    let rel = f.path == "-" ? "stdin.jsonl" : f.relativePath
                    jsonFiles[fileIndex] = try out.file(corpusPath(input: f.input, relativePath: rel), gzip: f.gzip)
                }
                var line: [UInt8] = []
                line.reserveCapacity(json.bytes.count + 64)
                let field = json.field(reader.textField)!
                line += json.bytes[0..<field.value.lowerBound]
                JSONLine.appendString(text, to: &line)
                line += json.bytes[field.value.upperBound..<json.closingBrace]
                if annotate { line += annotationFields(outcome, result, records, text: text) }
                line += json.bytes[json.closingBrace...]
                line.append(0x0A)
                try jsonFiles[fileIndex]!.write(line)
            case .wetRecord(let fileIndex):
                if jsonFiles[fileIndex] == nil {
                    let f = files[fileIndex]
                    var rel = f.relativePath
                    if f.gzip { rel.removeLast(3) }
                    jsonFiles[fileIndex] = try out.file(corpusPath(input: f.input, relativePath: rel + ".jsonl"), gzip: f.gzip)
                }
                var line: [UInt8] = Array("{\"id\":".utf8)
                JSONLine.appendString(Array(record.document.id.utf8), to: &line)
                line += Array(",\"url\":".utf8)
                JSONLine.appendString(Array((record.document.url ?? "").utf8), to: &line)
                line += Array(",\"text\":".utf8)
                JSONLine.appendString(text, to: &line)
                if annotate { line += annotationFields(outcome, result, records, text: text) }
                line += Array("}\n".utf8)
                try jsonFiles[fileIndex]!.write(line)
            }
        }
        for key in jsonFiles.keys.sorted() { try jsonFiles[key]!.close() }
        try annotations?.close()
    }

    /// `,"cluster_id":…,"duplicate_of":…,"similarity":…,"removed_spans":[[start,end,"reason"],…]` with spans in
    /// Unicode scalars of the (repaired) text, as Python's str indexes it.
    func annotationFields(_ outcome: DocumentOutcome, _ result: CleaningResult, _ records: [InputRecord], text: [UInt8]) -> [UInt8] {
        var s = ",\"cluster_id\":" + (outcome.clusterID.map(String.init) ?? "null")
        s += ",\"duplicate_of\":" + (outcome.duplicateOf.map { JSONLine.quoted(records[$0].document.id) } ?? "null")
        s += ",\"similarity\":" + (outcome.similarity.map { formatFixed($0, 4) } ?? "null")
        s += ",\"boilerplate_only\":" + (outcome.boilerplateOnly ? "true" : "false")
        s += ",\"removed_spans\":["
        s += outcome.removedLines.map { r in
            "[\(scalarOffset(text, r.span.lowerBound)),\(scalarOffset(text, r.span.upperBound)),\"\(r.reason.rawValue)\"]"
        }.joined(separator: ",")
        s += "]"
        return Array(s.utf8)
    }

    /// The number of Unicode scalars (after repair, each invalid sequence is one U+FFFD) before byte `offset`.
    func scalarOffset(_ text: [UInt8], _ offset: Int) -> Int {
        String(decoding: text[0..<offset], as: UTF8.self).unicodeScalars.count
    }

    func writeClusters(_ records: [InputRecord], _ result: CleaningResult, _ out: OutputDirectory) throws {
        let file = try out.file("clusters.jsonl")
        for (k, cluster) in result.clusters.enumerated() {
            var line = "{\"cluster_id\":\(k),\"representative\":" + JSONLine.quoted(records[cluster.representative].document.id)
            line += ",\"members\":["
            line += cluster.members.map { "{\"id\":" + JSONLine.quoted(records[$0.index].document.id) + ",\"similarity\":" + formatFixed($0.similarity, 4) + "}" }
                .joined(separator: ",")
            line += "]}\n"
            try file.write(line)
        }
        try file.close()
    }

    func writeBoilerplate(_ result: CleaningResult, _ out: OutputDirectory) throws {
        let file = try out.file("boilerplate.jsonl")
        for entry in result.boilerplate {
            var line = "{\"text\":" + JSONLine.quoted(entry.text) + ",\"reason\":\"\(entry.reason.rawValue)\""
            line += ",\"documents\":\(entry.documents),\"sites\":\(entry.sites),\"examples\":["
            line += entry.examples.map(JSONLine.quoted).joined(separator: ",") + "]}\n"
            try file.write(line)
        }
        try file.close()
    }

    func summaryJSON(_ s: Summary) -> String {
        let st = s.statistics
        let c = cleaning.nearDuplicates
        let b = cleaning.boilerplate
        let skipped = s.skipped.keys.sorted().map { "\"\($0)\":\(s.skipped[$0]!)" }.joined(separator: ",")
        return """
        {
          "version": "\(Self.version)",
          "documents_in": \(st.documents),
          "documents_out": \(annotate ? st.documents : st.keptDocuments),
          "duplicates": \(st.duplicates),
          "clusters": \(st.clusters),
          "boilerplate_lines_removed": \(st.boilerplateLinesRemoved),
          "boilerplate_only_documents": \(st.boilerplateOnly),
          "bytes_in": \(s.bytesRead),
          "text_bytes_in": \(st.bytesIn),
          "text_bytes_out": \(st.bytesOut),
          "invalid_utf8_sequences": \(st.invalidUTF8Sequences),
          "skipped": {\(skipped)},
          "parameters": {
            "threshold": \(c.threshold), "ngram": \(c.shingler.size), "shingle_unit": "\(c.shingler.unit)",
            "permutations": \(c.permutations), "bands": \(s.lsh.bands), "rows": \(s.lsh.rows),
            "min_docs": \(b.minDocs), "block_threshold": \(b.blockThreshold), "keep": "\(c.policy.rawValue)",
            "seed": \(c.seed), "annotate": \(annotate)
          },
          "seconds": {"total": \(formatFixed(s.seconds, 3)), "read": \(formatFixed(s.readSeconds, 3)), "clean": \(formatFixed(s.cleanSeconds, 3)), "write": \(formatFixed(s.writeSeconds, 3))},
          "minhash_kernel": "\(MinHasher.kernelName)"
        }

        """
    }
}
