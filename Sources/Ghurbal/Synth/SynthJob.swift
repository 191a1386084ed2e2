import Foundation

/// `ghurbal synth` as a library call: build a text model from the sources, generate pages, write them and their truth.
public struct SynthJob: Sendable {
    public var sources: [String]
    public var output: String
    public var truth: String
    public var configuration = SynthConfiguration()
    public var force = false

    public init(sources: [String], output: String, truth: String) {
        self.sources = sources
        self.output = output
        self.truth = truth
    }

    /// Reads every document of the sources (text files, JSONL with a `text` field, WET) for the text model.
    func sourceTexts() throws -> [String] {
        var options = ReaderOptions()
        options.strict = false
        let source = try FileSource(files: try InputResolver.resolve(sources, options: options), options: options)
        var texts: [String] = []
        try source.forEachBatch { items in
            for item in items {
                if case .success(let doc) = source.document(item) { texts.append(String(decoding: doc.text, as: UTF8.self)) }
            }
        }
        return texts
    }

    /// Returns the number of documents and of duplicates written.
    @discardableResult
    public func run() throws -> (documents: Int, copies: Int) {
        // (The two files are written under temporary names beside them: one name for both would lose one.)
        guard InputResolver.canonicalPath(output) != InputResolver.canonicalPath(truth) else {
            throw GhurbalError.cannotWrite(output, reason: "the pages and the truth cannot go to one file")
        }
        for path in [output, truth] where FileManager.default.fileExists(atPath: path) && !force {
            throw GhurbalError.outputExists(path)
        }
        let model: ArabicTextModel
        do {
            model = try ArabicTextModel(texts: try sourceTexts())
        } catch let error as ArabicTextModel.TooFewWords {
            throw GhurbalError.notText(InputLocation(path: sources.joined(separator: ", ")), reason: "the sources hold "
                + "\(error.words) distinct Arabic words; pages are built from at least \(ArabicTextModel.minimumWords)")
        }
        let synthesizer = CorpusSynthesizer(model: model, configuration: configuration)
        let pages = try OutputFile.atomic(path: output, gzip: output.hasSuffix(".gz"))
        let truthFile = try OutputFile.atomic(path: truth, gzip: truth.hasSuffix(".gz"))
        var documents = 0, copies = 0
        try synthesizer.generate { doc in
            var line: [UInt8] = Array("{\"id\":".utf8)
            JSONLine.appendString(Array(doc.id.utf8), to: &line)
            line += Array(",\"url\":".utf8)
            JSONLine.appendString(Array(doc.url.utf8), to: &line)
            line += Array(",\"site\":\(doc.site),\"text\":".utf8)
            JSONLine.appendString(Array(doc.text.utf8), to: &line)
            line += Array("}\n".utf8)
            try pages.write(line)
            documents += 1
            if doc.original != nil { copies += 1 }
            let spans = doc.chromeSpans.map { "[\($0.lowerBound),\($0.upperBound)]" }.joined(separator: ",")
            let lines = doc.chromeLines.map(String.init).joined(separator: ",")
            try truthFile.write("{\"id\":\(JSONLine.quoted(doc.id)),\"story\":\(doc.story),\"site\":\(doc.site),"
                + "\"original\":\(doc.original.map(JSONLine.quoted) ?? "null"),\"jaccard\":\(formatFixed(doc.jaccard, 4)),"
                + "\"edit_strength\":\(formatFixed(doc.editStrength, 4)),\"chrome_spans\":[\(spans)],\"chrome_lines\":[\(lines)]}\n")
        }
        try pages.close()
        try truthFile.close()
        return (documents, copies)
    }
}
