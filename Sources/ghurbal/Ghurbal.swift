import ArgumentParser
import Foundation
import Ghurbal

@main
struct GhurbalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ghurbal",
        abstract: "Cleans scraped Arabic text: removes site chrome and near-duplicate documents.",
        discussion: """
            Exit codes: 0 success, 64 usage error (or an output folder that is or holds an input), \
            65 bad input with --strict, 66 input not found, 73 output folder exists (use --force), \
            74 read or write error (or an input that changed during the run).
            """,
        version: CleanJob.version,
        subcommands: [Clean.self, Report.self, Synth.self, Evaluate.self, Parameters.self]
    )
}

/// Options shared by `clean` and `report`.
struct JobOptions: ParsableArguments {
    @Argument(help: "Files or folders (recursive) of .txt, .jsonl, .warc.wet, optionally .gz; '-' for standard input (plain or gzip).")
    var inputs: [String]

    @Option(name: .shortAndLong, help: "Output folder (must not exist or be empty, unless --force; never an input or a folder holding one).")
    var output: String

    @Option(help: "Input format when the file name does not say: text, jsonl or wet.")
    var format: InputFormat?

    @Option(help: "JSONL field holding the document id.") var idField = "id"
    @Option(help: "JSONL field holding the text.") var textField = "text"
    @Option(help: "JSONL field holding the URL (its host is the site).") var urlField = "url"
    @Option(help: "JSONL field holding a number; with --keep priority the highest is kept.") var priorityField: String?

    @Option(help: "Near-duplicate threshold (Jaccard of shingle sets).") var threshold = 0.8
    @Option(help: "Shingle size in words (or characters with --shingle chars).") var ngram = 5
    @Option(help: "Shingle unit: words or chars.") var shingle: ShingleUnitOption = .words
    @Option(help: "MinHash permutations.") var permutations = 128
    @Option(help: "LSH bands (with --rows; default: chosen from the threshold).") var bands: Int?
    @Option(help: "LSH rows per band (with --bands).") var rows: Int?
    @Option(help: "A line or block is boilerplate when it recurs in this many stories of a site.") var minDocs = 3
    @Option(help: "Also when it recurs in this share (0–1) of a site's stories, and in at least two (default: off).")
    var minShare: Double?
    @Option(help: "Similarity at which two blocks (their line sets) are the same recurring block.") var blockThreshold = 0.5
    @Flag(help: "Line-level boilerplate only (no block detection).") var noBlocks = false
    @Option(help: "Which duplicate to keep: first, longest or priority.") var keep: RepresentativePolicy = .firstSeen
    @Option(help: "Seed for shingle hashing and permutations.") var seed: UInt64 = 0x5EED_6875_7262_616C
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var threads: Int?
    @Flag(help: "Stop at the first bad input record instead of skipping it.") var strict = false
    @Option(help: "Skip (and count) JSON lines and text files longer than this many bytes.") var maxDocumentBytes = 256 << 20
    @Flag(help: "For folders of text files: each first-level sub-folder is a site (default: the whole input is one).")
    var sitesFromFolders = false
    @Flag(help: "Replace the output folder if it exists.") var force = false
    @Flag(help: "Drop documents that lose most of their text to boilerplate.") var dropBoilerplateOnly = false
    @Option(help: "Encoding of the input: utf-8, windows-1256 or iso-8859-6 (converted to UTF-8 as it is read; the corpus is UTF-8).")
    var encoding: InputEncoding = .utf8
    @Option(help: "Compression level of .gz corpus files, 0–12 (libdeflate's: 6 about the size of gzip -6's, 1 the fastest, 12 the smallest).")
    var gzipLevel: Int32 = 6
    @Flag(name: .shortAndLong, help: "Print nothing but errors.") var quiet = false

    func validate() throws {
        try validateThreshold(threshold, option: "--threshold")
        guard (1...64).contains(ngram) else { throw ValidationError("--ngram must be 1…64") }
        try validatePermutations(permutations)
        guard (bands == nil) == (rows == nil) else { throw ValidationError("--bands and --rows go together") }
        if let bands, let rows, bands < 1 || rows < 1 || bands * rows > permutations {
            throw ValidationError("--bands × --rows must be at most --permutations")
        }
        guard minDocs >= 2 else { throw ValidationError("--min-docs must be at least 2") }
        if let minShare, !(minShare > 0 && minShare <= 1) { throw ValidationError("--min-share must be in (0, 1]") }
        try validateThreshold(blockThreshold, option: "--block-threshold")
        if let threads, threads < 1 { throw ValidationError("--threads must be positive") }
        guard (0...12).contains(gzipLevel) else { throw ValidationError("--gzip-level must be 0…12") }
        guard maxDocumentBytes >= 1 && maxDocumentBytes <= Int(UInt32.max) else {
            throw ValidationError("--max-document-bytes must be between 1 and \(UInt32.max) (4 GiB)")
        }
    }

    func job(reportOnly: Bool, annotate: Bool) -> CleanJob {
        var job = CleanJob(inputs: inputs, output: output)
        job.reader.format = format
        job.reader.idField = idField
        job.reader.textField = textField
        job.reader.urlField = urlField
        job.reader.priorityField = priorityField
        job.reader.strict = strict
        job.reader.maxDocumentBytes = maxDocumentBytes
        job.reader.sitesFromFolders = sitesFromFolders
        job.reader.encoding = encoding
        var n = NearDuplicateConfiguration()
        n.threshold = threshold
        n.shingler = ShingleHasher(unit: shingle == .words ? .words : .characters, size: ngram, seed: seed)
        n.permutations = permutations
        if let bands, let rows { n.lshOverride = LSHParameters(bands: bands, rows: rows) }
        n.policy = keep
        n.seed = seed
        n.threads = threads
        job.cleaning.nearDuplicates = n
        job.cleaning.boilerplate.minDocs = minDocs
        job.cleaning.boilerplate.minShare = minShare
        job.cleaning.boilerplate.blockThreshold = blockThreshold
        job.cleaning.boilerplate.detectBlocks = !noBlocks
        job.cleaning.dropBoilerplateOnly = dropBoilerplateOnly
        job.force = force
        job.gzipLevel = gzipLevel
        job.reportOnly = reportOnly
        job.annotate = annotate
        return job
    }

    func run(reportOnly: Bool, annotate: Bool) throws {
        CleanJob.keepFreedMemory()
        let console = Console(quiet: quiet)
        do {
            let summary = try job(reportOnly: reportOnly, annotate: annotate).run(warn: console.warn, progress: console.progress)
            console.finish(summary, output: output, annotate: annotate, reportOnly: reportOnly)
        } catch let error as GhurbalError {
            console.error(error.description)
            throw ExitCode(error.exitCode)
        }
    }
}

/// A similarity threshold as LSH banding takes it: above 0 and below 1 (NaN is neither).
func validateThreshold(_ value: Double, option: String) throws {
    guard value > 0 && value < 1 else { throw ValidationError("\(option) must be greater than 0 and less than 1") }
}

func validatePermutations(_ value: Int) throws {
    guard (8...1024).contains(value) else { throw ValidationError("--permutations must be 8…1024") }
}

enum ShingleUnitOption: String, ExpressibleByArgument { case words, chars }
extension InputFormat: ExpressibleByArgument {}
extension RepresentativePolicy: ExpressibleByArgument {}
extension InputEncoding: ExpressibleByArgument {}

struct Clean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the cleaned corpus (in the input's format), clusters.jsonl, boilerplate.jsonl and summary.json.")
    @OptionGroup var options: JobOptions
    @Flag(help: "Keep every document whole; add cluster_id, duplicate_of, similarity and removed_spans instead.")
    var annotate = false
    func run() throws { try options.run(reportOnly: false, annotate: annotate) }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write clusters.jsonl, boilerplate.jsonl and summary.json only.")
    @OptionGroup var options: JobOptions
    func run() throws { try options.run(reportOnly: true, annotate: false) }
}

struct Parameters: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsh-parameters",
        abstract: "Print the LSH bands × rows chosen for a threshold, and the S-curve at 0.5/0.7/0.8/0.9.")
    @Option(help: "Similarity threshold (Jaccard), above 0 and below 1.") var threshold = 0.8
    @Option(help: "MinHash permutations, 8…1024.") var permutations = 128
    func validate() throws {
        try validateThreshold(threshold, option: "--threshold")
        try validatePermutations(permutations)
    }
    func run() throws {
        print(LSHParameters.optimal(threshold: threshold, permutations: permutations))
    }
}

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a scraped dump with known chrome and near-duplicates, and its truth file.")
    @Option(help: "Number of pages (0 or more).") var docs = 1000
    @Option(name: .shortAndLong, help: "Pages, as JSONL (.gz compresses).") var output: String
    @Option(help: "Truth file (JSONL): story id, original, exact Jaccard, chrome spans and lines of every page.") var truth: String
    @Option(help: "Arabic text to build pages from: files or folders of text, JSONL or WET (repeatable).") var source: [String] = []
    @Option(help: "Number of sites (at least 1).") var sites = 8
    @Option(help: "Share of pages that copy an earlier story (0–1).") var duplicates = 0.3
    @Option(help: "Largest edit strength of a copy (0–1).") var editStrength = 0.3
    @Option(help: "Seed; the same seed gives the same files.") var seed: UInt64 = 42
    @Flag(help: "Replace existing files.") var force = false

    func validate() throws {
        guard docs >= 0 else { throw ValidationError("--docs must be 0 or more") }
        guard sites >= 1 else { throw ValidationError("--sites must be at least 1") }
        guard duplicates >= 0 && duplicates <= 1 else { throw ValidationError("--duplicates must be between 0 and 1") }
        guard editStrength >= 0 && editStrength <= 1 else { throw ValidationError("--edit-strength must be between 0 and 1") }
    }

    func run() throws {
        var job = SynthJob(sources: source.isEmpty ? [Self.defaultSource()] : source, output: output, truth: truth)
        job.configuration.documents = docs
        job.configuration.sites = sites
        job.configuration.duplicateShare = duplicates
        job.configuration.maxEditStrength = editStrength
        job.configuration.seed = seed
        job.force = force
        do {
            let (n, copies) = try job.run()
            FileHandle.standardError.write(Data("ghurbal synth: \(n) pages (\(copies) copies) → \(output), truth → \(truth)\n".utf8))
        } catch let error as GhurbalError {
            FileHandle.standardError.write(Data("ghurbal: error: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }

    /// `seeds/` beside the current folder or the executable's package.
    static func defaultSource() -> String {
        if FileManager.default.fileExists(atPath: "seeds") { return "seeds" }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent("seeds").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return "seeds"
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a result folder against a synth truth file: duplicate pairs, cluster purity, boilerplate lines.")
    @Option(help: "The truth file written by ghurbal synth.") var truth: String
    @Argument(help: "A folder written by ghurbal clean --annotate (or clean/report, for duplicates only).") var result: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() throws {
        do {
            let report = try Evaluator().evaluate(truthPath: truth, resultDirectory: result)
            print(json ? Evaluator.json(report) : Evaluator.table(report), terminator: "")
        } catch let error as GhurbalError {
            FileHandle.standardError.write(Data("ghurbal: error: \(error)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}
