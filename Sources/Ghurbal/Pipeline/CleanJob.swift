internal import CGhurbalKernels
import Foundation

/// `ghurbal clean` and `ghurbal report` as a library call: read the inputs, clean them, write the output folder.
public struct CleanJob: Sendable {
    public var inputs: [String]
    public var output: String
    public var reader = ReaderOptions()
    public var cleaning = CleaningConfiguration()
    /// Keep every document whole and add what was found, instead of dropping and cutting.
    public var annotate = false
    /// Write the reports only, no corpus.
    public var reportOnly = false
    public var force = false
    /// The compression level of gzip output (a `.gz` input gives a `.gz` corpus file): libdeflate's, 0–12. 6 makes
    /// files about the size of `gzip -6`'s; 1 is the fastest, 10–12 the smallest.
    public var gzipLevel: Int32 = GzipMemberWriter.defaultLevel

    public static let version = "0.1.0"

    /// Every batch frees and allocates again blocks of megabytes (reads, results): this asks the C library to keep
    /// them in its heap rather than give them back to the kernel and fault them in again (glibc only; fewer page
    /// faults, about a tenth less system time). For a program that runs jobs; call it once, first.
    public static func keepFreedMemory() { ghurbal_keep_freed_memory() }

    public init(inputs: [String], output: String) {
        self.inputs = inputs
        self.output = output
    }

    public struct Summary: Sendable {
        public var statistics: CleaningStatistics
        public var skipped: [String: Int]
        public var seconds: Double
        /// The analyse and sign passes, with the clustering between and after them.
        public var cleanSeconds: Double
        public var writeSeconds: Double
        public var bytesRead: Int
        public var lsh: LSHParameters
        public var topBoilerplate: [BoilerplateEntry]
        /// Files of the input folders left out because their names say no format (no `--format`), by extension
        /// (".html"; "" for none).
        public var ignoredFiles: [String: Int] = [:]
        /// Symbolic links to folders inside the input folders, not followed.
        public var ignoredFolderLinks = 0
        /// Input files read as gzip, or as plain bytes, against what their names say (`FileSource.readByContent`).
        public var readByContent: [String] = []
    }

    /// Runs the job; `warn` receives every skipped record, `progress` reports each batch.
    public func run(warn: @escaping (GhurbalError) -> Void,
                    progress: ((CleaningProgress) -> Void)? = nil) throws -> Summary {
        // The output this one replaces is deleted on a thread of its own (as the run's findings are freed on another).
        let (summary, removal) = try runAndCommit(warn: warn, progress: progress)
        removal?.wait()
        return summary
    }

    private func runAndCommit(warn: @escaping (GhurbalError) -> Void,
                              progress: ((CleaningProgress) -> Void)?) throws -> (Summary, BackgroundRemoval?) {
        let started = Date()
        // Check the output first: a long run must not end in "folder exists". Replacing a folder that is or holds an
        // input would delete it; an output inside an input folder is left out of the input.
        let outputPath = InputResolver.canonicalPath(output)
        if let held = inputs.first(where: { $0 != "-" && InputResolver.isWithin(InputResolver.canonicalPath($0), outputPath) }) {
            throw GhurbalError.outputHoldsInput(output: output, input: held)
        }
        let out = try OutputDirectory(path: output, force: force)
        out.gzipLevel = gzipLevel
        var skipped: [String: Int] = [:]
        // A bad record (or a file that cannot be opened) is skipped, counted and reported, or stops the run (--strict).
        func skip(_ error: GhurbalError) throws {
            if reader.strict { throw error }
            skipped[error.kind, default: 0] += 1
            warn(error)
        }
        var ignored: [String: Int] = [:]
        var folderLinks = 0
        let files = try InputResolver.resolve(inputs, options: reader, excluding: outputPath, skip: skip) { entry in
            switch entry {
            case .unknownFormat(let rel):
                let name = (rel as NSString).lastPathComponent
                let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
                ignored[dot.map { name[$0...].lowercased() } ?? "", default: 0] += 1
            case .folderLink:
                folderLinks += 1
            }
        }
        let source = try FileSource(files: files, options: reader)
        let passes = reportOnly ? 2 : 3
        var configuration = cleaning
        configuration.temporaryDirectory = configuration.temporaryDirectory ?? out.temporaryPath
        var engine = CleaningEngine<FileSource>(configuration: configuration)
        // Progress counts record bytes; for compressed input their total is not known in advance.
        let total = source.gzipped.contains(true) ? 0 : source.totalBytes
        engine.progress = progress.map { report in { p in var p = p; p.passes = passes; p.totalBytes = total; report(p) } }
        var result = try engine.run(source, skip: skip)
        let cleanDone = Date()

        if reportOnly {
            try engine.readBoilerplateText(source, into: &result)
        } else {
            try writeCorpus(source, &result, out, progress: progress.map { report in { p in var p = p; p.totalBytes = total; report(p) } })
        }
        let sources = QuotedOrigins(source)
        try writeClusters(result, sources, out)
        try writeBoilerplate(result, sources, out)
        let writeDone = Date()
        let summary = Summary(statistics: result.statistics, skipped: skipped,
                              seconds: writeDone.timeIntervalSince(started),
                              cleanSeconds: cleanDone.timeIntervalSince(started), writeSeconds: writeDone.timeIntervalSince(cleanDone),
                              bytesRead: source.totalBytes, lsh: result.lsh, topBoilerplate: Array(result.boilerplate.prefix(5)),
                              ignoredFiles: ignored, ignoredFolderLinks: folderLinks,
                              readByContent: source.readByContent.map { source.files[$0].path })
        let file = try out.file("summary.json")
        try file.write(summaryJSON(summary))
        try file.close()
        let removal = try out.commitInBackground()
        // The run's findings (per document: outcome, removed spans; the report) are hundreds of thousands of small
        // blocks on a large run: they are freed on a thread of their own, and the caller has its answer meanwhile.
        let findings = UncheckedSendable(consume result)
        Thread.detachNewThread { _ = findings }
        return (summary, removal)
    }

    /// Where a file goes below `corpus/`: its path below its input folder, under the input's name when there are
    /// several inputs.
    func corpusPath(_ file: InputFile) -> String {
        let base = inputs.count > 1 ? InputResolver.uniqueNames(inputs)[file.input] + "/" : ""
        var rel = file.path == "-" ? "stdin.jsonl" : file.relativePath
        if file.format == .wet {
            if file.gzip { rel.removeLast(3) }
            rel += file.gzip ? ".jsonl.gz" : ".jsonl"
        }
        return "corpus/" + base + rel
    }

    /// The write pass: the input is read a last time; kept documents are rendered on worker threads and written in
    /// input order, and the report entries get their text.
    func writeCorpus(_ source: FileSource, _ result: inout CleaningEngine<FileSource>.Result, _ out: OutputDirectory,
                     progress: ((CleaningProgress) -> Void)?) throws {
        var outputs: [Int: OutputFile] = [:]
        var annotations: OutputFile?
        var bytesDone = 0
        var documentsDone = 0
        let workers = max(1, cleaning.nearDuplicates.threads ?? ProcessInfo.processInfo.activeProcessorCount)
        let annotate = self.annotate
        let textField = reader.textField
        let frozen = result
        var entryTexts: [(entry: Int, text: String)] = []
        // Batches are rendered on the workers and written (in input order, one at a time) while later ones are rendered.
        try pipelineBatches(workers: workers, makeState: { _ in }, produce: { submit in
            var item = 0
            try source.forEachBatch { items in
                try submit(RenderBatch(first: item, items: items), items.count)
                item += items.count
            }
        }, process: { _, batch, i in
            let d = Int(frozen.documentOfItem[batch.first + i])
            guard d >= 0 else { return }
            let outcome = frozen.outcomes[d]
            let render = annotate || outcome.kept
            let raw = batch.items[i]
            let needsText = frozen.boilerplateTextSources[d] != nil  // it holds a report entry's line
            var cut = false
            if render && !annotate && raw.kind == .jsonLine && outcome.invalidUTF8 == 0,
               let line = cutJSONLine(raw, outcome, frozen.textTokens[d].map { Int($0.lowerBound)..<Int($0.upperBound) }, textField) {
                // The common case: the removed lines cut out of the escaped text, nothing decoded.
                batch.rendered[i] = line
                cut = true
                if !needsText { return }
            }
            if (render && !cut) || needsText {
                let text: [UInt8]
                var json: JSONLine?
                if raw.kind == .jsonLine, case .success(let parsed) = source.parseJSONLine(raw, source.files[Int(raw.file)]) {
                    text = parsed.document.text
                    json = parsed.json
                } else if raw.kind == .textFile {
                    text = Array(FileSource.textFileBytes(raw.bytes))
                } else {
                    text = Array(raw.bytes)
                }
                if needsText { batch.sourceTexts[i] = frozen.boilerplateTexts(document: d, text: text) }
                guard render && !cut else { return }
                let body = annotate ? text : outcome.cleanedText(of: text)
                let fields = annotate ? annotationFields(outcome, frozen, text: text) : []
                switch raw.kind {
                case .textFile:
                    // (Invalid UTF-8 is written repaired; valid text, nearly always, as it is, without a round trip.)
                    batch.rendered[i] = outcome.invalidUTF8 == 0 ? body : Array(String(decoding: body, as: UTF8.self).utf8)
                    if annotate {
                        var line: [UInt8] = Array("{\"id\":".utf8)
                        JSONLine.appendString(Array(frozen.ids[d].utf8), to: &line)
                        line += fields
                        line += Array("}\n".utf8)
                        batch.notes[i] = line
                    }
                case .jsonLine:
                    let json = json!
                    var line: [UInt8] = []
                    line.reserveCapacity(json.bytes.count + fields.count + 16)
                    if annotate && outcome.invalidUTF8 == 0 {
                        // The text as it was, escapes and all (as the cleaned lines keep theirs): only the fields
                        // are added. (Invalid UTF-8 is written repaired, as the spans count it.)
                        line += json.bytes[0..<json.closingBrace]
                    } else {
                        let field = json.field(textField)!
                        line += json.bytes[0..<field.value.lowerBound]
                        JSONLine.appendString(body, to: &line)
                        line += json.bytes[field.value.upperBound..<json.closingBrace]
                    }
                    line += fields
                    line += json.bytes[json.closingBrace...]
                    line.append(0x0A)
                    batch.rendered[i] = line
                case .wetRecord:
                    var line: [UInt8] = Array("{\"id\":".utf8)
                    JSONLine.appendString(Array(frozen.ids[d].utf8), to: &line)
                    line += Array(",\"url\":".utf8)
                    JSONLine.appendString(Array((raw.wetURL ?? "").utf8), to: &line)
                    line += Array(",\"text\":".utf8)
                    JSONLine.appendString(body, to: &line)
                    line += fields
                    line += Array("}\n".utf8)
                    batch.rendered[i] = line
                case .failure:
                    break
                }
            }
        }, merge: { batch in
            for i in 0..<batch.items.count {
                bytesDone += batch.items[i].bytes.count
                if let texts = batch.sourceTexts[i] { entryTexts += texts }
                guard let bytes = batch.rendered[i] else { continue }
                documentsDone += 1
                let fileIndex = Int(batch.items[i].file)
                let file = source.files[fileIndex]
                if batch.items[i].kind == .textFile {
                    let f = try out.file(corpusPath(file), gzip: file.gzip)
                    try f.write(bytes)
                    try f.close()
                    if let note = batch.notes[i] {
                        if annotations == nil { annotations = try out.file("annotations.jsonl") }
                        try annotations!.write(note)
                    }
                } else {
                    if outputs[fileIndex] == nil { outputs[fileIndex] = try out.file(corpusPath(file), gzip: file.gzip) }
                    try outputs[fileIndex]!.write(bytes)
                }
            }
            progress?(CleaningProgress(pass: 3, passes: 3, passName: "write", documents: documentsDone, bytes: bytesDone))
        })
        for (entry, text) in entryTexts { result.boilerplate[entry].text = text }
        result.boilerplateTextSources = [:]
        // Every JSONL or WET input has its corpus file, empty when none of its documents is kept (a shard for a
        // shard), and corpus/ is there when nothing at all is kept.
        for (index, file) in source.files.enumerated() where file.format != .text && outputs[index] == nil {
            outputs[index] = try out.file(corpusPath(file), gzip: file.gzip)
        }
        try out.folder("corpus")
        for key in outputs.keys.sorted() { try outputs[key]!.close() }
        try annotations?.close()
    }

    /// A kept JSON line with its removed lines cut out of the text field as it is written (escapes kept), or nil
    /// when that cannot be done (then the text is decoded, cut and encoded). `token` is where the first pass found
    /// the text's string token in this line; without it (or if the line is not as it was), the line is parsed again.
    func cutJSONLine(_ raw: RawItem, _ outcome: DocumentOutcome, _ token: Range<Int>?, _ textField: String) -> [UInt8]? {
        raw.bytes.withUnsafeBufferPointer { whole -> [UInt8]? in
            let bytes = whole.last == 0x0D ? UnsafeBufferPointer(rebasing: whole.dropLast()) : whole
            var line: [UInt8] = []
            if outcome.removedLines.isEmpty {
                // Nothing to cut: the line as it was read.
                line.reserveCapacity(bytes.count + 1)
                line.append(contentsOf: bytes)
                line.append(0x0A)
                return line
            }
            let value: Range<Int>
            if let token, token.upperBound <= bytes.count, token.count >= 2, bytes[token.lowerBound] == 0x22,
               bytes[token.upperBound - 1] == 0x22 {
                value = token
            } else {
                guard let json = try? JSONLine(Array(bytes)), let field = json.field(textField),
                      bytes[field.value.lowerBound] == 0x22 else { return nil }
                value = field.value
            }
            line.reserveCapacity(bytes.count + 1)
            line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[0..<value.lowerBound]))
            guard JSONLine.appendString(in: bytes, value, cutting: outcome.removedLines.lazy.map(\.span), to: &line) else {
                return nil
            }
            line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[value.upperBound...]))
            line.append(0x0A)
            return line
        }
    }

    /// `,"cluster_id":…,"duplicate_of":…,"similarity":…,"removed_spans":[[start,end,"reason"],…]` with spans in
    /// Unicode scalars of the (repaired) text, as Python's str indexes it.
    func annotationFields(_ outcome: DocumentOutcome, _ result: CleaningEngine<FileSource>.Result, text: [UInt8]) -> [UInt8] {
        var s: [UInt8] = []
        s.reserveCapacity(96 + 24 * outcome.removedLines.count)
        s.appendASCII(",\"cluster_id\":")
        if let c = outcome.clusterID { s.appendDecimal(c) } else { s.appendASCII("null") }
        s.appendASCII(",\"duplicate_of\":")
        if let d = outcome.duplicateOf { s.appendQuoted(result.ids[d]) } else { s.appendASCII("null") }
        s.appendASCII(",\"similarity\":")
        if let x = outcome.similarity { s.appendFixed(x, digits: 4) } else { s.appendASCII("null") }
        s.appendASCII(outcome.boilerplateOnly ? ",\"boilerplate_only\":true" : ",\"boilerplate_only\":false")
        s.appendASCII(",\"removed_spans\":[")
        var byteOffsets: [Int] = []
        byteOffsets.reserveCapacity(2 * outcome.removedLines.count)
        for line in outcome.removedLines { byteOffsets.append(line.span.lowerBound); byteOffsets.append(line.span.upperBound) }
        let offsets = Self.scalarOffsets(text, byteOffsets, valid: outcome.invalidUTF8 == 0)
        for (i, line) in outcome.removedLines.enumerated() {
            if i > 0 { s.append(0x2C) }
            s.append(0x5B)
            s.appendDecimal(offsets[2 * i])
            s.append(0x2C)
            s.appendDecimal(offsets[2 * i + 1])
            s.appendASCII(",\"")
            s.append(contentsOf: line.reason.rawValue.utf8)  // (a name of ASCII letters: nothing to escape)
            s.appendASCII("\"]")
        }
        s.append(0x5D)
        return s
    }

    /// For ascending byte offsets: the number of Unicode scalars before each in the text as written (after repair,
    /// each invalid sequence is one U+FFFD). One pass for valid UTF-8, which is nearly always the case (`valid`: the
    /// first pass found no invalid sequence; otherwise the text is checked here).
    static func scalarOffsets(_ text: [UInt8], _ byteOffsets: [Int], valid: Bool) -> [Int] {
        guard valid || String(validating: text, as: UTF8.self) != nil else {
            return byteOffsets.map { String(decoding: text[0..<$0], as: UTF8.self).unicodeScalars.count }
        }
        var result: [Int] = []
        result.reserveCapacity(byteOffsets.count)
        var scalars = 0, at = 0
        text.withUnsafeBufferPointer { t in
            guard let start = t.baseAddress else { result = byteOffsets.map { _ in 0 }; return }
            for offset in byteOffsets {
                let to = max(at, min(offset, t.count))
                scalars += ghurbal_utf8_count_scalars(start + at, to - at)
                at = to
                result.append(scalars)
            }
        }
        return result
    }

    func writeClusters(_ result: CleaningEngine<FileSource>.Result, _ sources: QuotedOrigins, _ out: OutputDirectory) throws {
        let file = try out.file("clusters.jsonl")
        var line: [UInt8] = []
        for (k, cluster) in result.clusters.enumerated() {
            line.removeAll(keepingCapacity: true)
            line.appendASCII("{\"cluster_id\":")
            line.appendDecimal(k)
            line.appendASCII(",\"representative\":")
            line.appendQuoted(result.ids[cluster.representative])
            line.appendASCII(",\"members\":[")
            for (m, member) in cluster.members.enumerated() {
                line.appendASCII(m == 0 ? "{\"id\":" : ",{\"id\":")
                line.appendQuoted(result.ids[member.index])
                // (Ids may repeat across files — shards numbered from 0 each — the source says which document it is.)
                line.appendASCII(",\"source\":")
                sources.append(result.origins[member.index], to: &line)
                line.appendASCII(",\"similarity\":")
                line.appendFixed(member.similarity, digits: 4)
                line.append(0x7D)
            }
            line.appendASCII("]}\n")
            try file.write(line)
        }
        try file.close()
    }

    func writeBoilerplate(_ result: CleaningEngine<FileSource>.Result, _ sources: QuotedOrigins, _ out: OutputDirectory) throws {
        let file = try out.file("boilerplate.jsonl")
        var line: [UInt8] = []
        for entry in result.boilerplate {
            line.removeAll(keepingCapacity: true)
            line.appendASCII("{\"text\":")
            line.appendQuoted(entry.text)
            line.appendASCII(",\"reason\":")
            line.appendQuoted(entry.reason.rawValue)
            line.appendASCII(",\"documents\":")
            line.appendDecimal(entry.documents)
            line.appendASCII(",\"sites\":")
            line.appendDecimal(entry.sites)
            line.appendASCII(",\"examples\":[")
            for (e, example) in entry.examples.enumerated() {
                if e > 0 { line.append(0x2C) }
                line.appendQuoted(example)
            }
            line.appendASCII("],\"example_sources\":[")
            for (e, d) in entry.exampleDocuments.enumerated() {
                if e > 0 { line.append(0x2C) }
                sources.append(result.origins[d], to: &line)
            }
            line.appendASCII("]}\n")
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
          "ignored_files": {\(s.ignoredFiles.keys.sorted().map { "\(JSONLine.quoted($0)):\(s.ignoredFiles[$0]!)" }.joined(separator: ","))},
          "ignored_folder_links": \(s.ignoredFolderLinks),
          "read_by_content": [\(s.readByContent.map(JSONLine.quoted).joined(separator: ","))],
          "parameters": {
            "threshold": \(c.threshold), "ngram": \(c.shingler.size), "shingle_unit": "\(c.shingler.unit)",
            "permutations": \(c.permutations), "bands": \(s.lsh.bands), "rows": \(s.lsh.rows),
            "min_docs": \(b.minDocs), "block_threshold": \(b.blockThreshold), "keep": "\(c.policy.rawValue)",
            "seed": \(c.seed), "annotate": \(annotate), "encoding": "\(reader.encoding.rawValue)"
          },
          "seconds": {"total": \(formatFixed(s.seconds, 3)), "analyse_and_sign": \(formatFixed(s.cleanSeconds, 3)), "write": \(formatFixed(s.writeSeconds, 3))},
          "phase_seconds": {\(st.phaseSeconds.map { "\"\($0.0)\": \(formatFixed($0.1, 3))" }.joined(separator: ", "))},
          "passes_over_input": 2,
          "minhash_kernel": "\(MinHasher.kernelName)"
        }

        """
    }
}

/// Documents' origins as the reports write them, a JSON string "path:line" (or a text file's "path"), each file's
/// quoted path made once and only when needed (a cluster's members are mostly of a few files).
final class QuotedOrigins {
    let source: FileSource
    private var quotedPaths: [Int: [UInt8]] = [:]

    init(_ source: FileSource) { self.source = source }

    func append(_ origin: UInt64, to line: inout [UInt8]) {
        let (file, number) = FileSource.unpack(origin: origin)
        guard file < source.files.count else { return line.appendASCII("\"\"") }
        let quoted = quotedPaths[file] ?? {
            var q: [UInt8] = []
            q.appendQuoted(source.files[file].path)
            q.removeLast()  // the closing quote: the line number may follow
            quotedPaths[file] = q
            return q
        }()
        line += quoted
        if number > 0 {
            line.append(0x3A)
            line.appendDecimal(number)
        }
        line.append(0x22)
    }
}

/// A batch of the write pass: its items (the first is item `first` of the input) and what the workers made of them.
private struct RenderBatch: Sendable {
    let first: Int
    let items: [RawItem]
    let rendered: ParallelSlots<[UInt8]>
    let notes: ParallelSlots<[UInt8]>
    let sourceTexts: ParallelSlots<[(entry: Int, text: String)]>

    init(first: Int, items: [RawItem]) {
        self.first = first
        self.items = items
        rendered = ParallelSlots(count: items.count)
        notes = ParallelSlots(count: items.count)
        sourceTexts = ParallelSlots(count: items.count)
    }
}
