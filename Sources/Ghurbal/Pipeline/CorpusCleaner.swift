import Foundation

/// A document as read from the input.
public struct SourceDocument: Sendable {
    public var id: String
    /// The text as bytes; need not be valid UTF-8 (it is repaired for analysis, and kept as it is in the output).
    public var text: [UInt8] {
        get { Array(textBytes) }
        set { textBytes = newValue[...] }
    }
    /// The same bytes where they lie: a JSON line's text without escapes is a slice of the block the line was read
    /// in, not a copy.
    public var textBytes: ArraySlice<UInt8>
    /// Where the page came from; its host is the document's site for boilerplate counts.
    public var url: String?
    /// For `RepresentativePolicy.priority`.
    public var priority: Double?
    /// For a document read from a JSON line: where its text is in the line, as a string token (quotes included), so
    /// that the writer can cut lines out of it without parsing the line again.
    public var textToken: Range<Int>?

    public init(id: String, text: [UInt8], url: String? = nil, priority: Double? = nil) {
        self.init(id: id, textBytes: text[...], url: url, priority: priority)
    }

    public init(id: String, textBytes: ArraySlice<UInt8>, url: String? = nil, priority: Double? = nil) {
        self.id = id
        self.textBytes = textBytes
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
    /// Where the engine keeps the part of its spool (the segmented, normalized text between passes; about the size of
    /// the input's text) that does not fit in `spoolMemoryBytes`. nil: the system's temporary folder.
    public var temporaryDirectory: String?
    /// Memory for the spool; beyond it, the spool goes to files in `temporaryDirectory`. Default 384 MiB: with it a
    /// 1 GB dump is cleaned in well under 1.5 GB of memory.
    public var spoolMemoryBytes = 384 << 20
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
    /// Ids of up to three documents that lost it.
    public var examples: [String]
    /// The same documents' numbers (for where they are: `CleaningEngine.Result.origins`).
    public var exampleDocuments: [Int] = []
}

public struct CleaningStatistics: Sendable {
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
    /// Wall-clock seconds of each phase, in order: ("analyse", …), ("stories", …), ("boilerplate", …), ("sign", …),
    /// ("cluster", …).
    public var phaseSeconds: [(String, Double)] = []
}

public struct CleaningResult: Sendable {
    public var outcomes: [DocumentOutcome]
    public var clusters: [DuplicateCluster]
    public var boilerplate: [BoilerplateEntry]
    public var statistics: CleaningStatistics
    public var lsh: LSHParameters
}

/// The whole job on documents in memory (`CleaningEngine` over an `InMemorySource`): segment and sign → group
/// stories → find boilerplate → sign what is left → cluster near-duplicates. Parallel over documents; the result does
/// not depend on the number of threads.
public struct CorpusCleaner: Sendable {
    public let configuration: CleaningConfiguration

    public init(configuration: CleaningConfiguration = CleaningConfiguration()) {
        self.configuration = configuration
    }

    /// Throws only when the spool cannot be written or read (`configuration.temporaryDirectory`): an in-memory source
    /// never fails to give a document, so nothing is skipped.
    public func clean(_ documents: [SourceDocument]) throws -> CleaningResult {
        let engine = CleaningEngine<InMemorySource>(configuration: configuration)
        let source = InMemorySource(documents)
        var r = try engine.run(source) { _ in }
        try engine.readBoilerplateText(source, into: &r)
        return CleaningResult(outcomes: r.outcomes, clusters: r.clusters, boilerplate: r.boilerplate,
                              statistics: r.statistics, lsh: r.lsh)
    }

    /// The host of a URL, lowercased, without "www." and port; the whole string when it has no scheme.
    public static func host(of url: String) -> String {
        var url = url
        // On the bytes (this runs once per document); a host with non-ASCII letters goes the slow way, for their case.
        let ascii: String? = url.withUTF8 { u -> String? in
            var start = 0, end = u.count
            var i = 0
            while i + 2 < end {
                if u[i] == 0x3A && u[i + 1] == 0x2F && u[i + 2] == 0x2F { start = i + 3; break }
                i += 1
            }
            for j in start..<end where u[j] == 0x2F || u[j] == 0x3F || u[j] == 0x23 { end = j; break }  // / ? #
            var bracket = false
            for j in start..<end {
                if u[j] == 0x40 { start = j + 1 }  // @: user info before it
                if u[j] >= 0x80 { return nil }
            }
            for j in start..<end where u[j] == 0x5D { bracket = true }  // ]
            if !bracket, let colon = (start..<end).last(where: { u[$0] == 0x3A }) { end = colon }
            var bytes = Array(u[start..<end])
            for j in bytes.indices where bytes[j] >= 0x41 && bytes[j] <= 0x5A { bytes[j] |= 0x20 }
            if bytes.starts(with: [0x77, 0x77, 0x77, 0x2E]) { bytes.removeFirst(4) }  // www.
            return String(decoding: bytes, as: UTF8.self)
        }
        if let ascii { return ascii }
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

/// Aggregates removed lines into report entries: one per normalized line, most frequent first. It keeps no text: each
/// entry remembers where its first line is (document and span), to be read once the passes are over.
final class BoilerplateReportBuilder {
    struct Entry {
        var reason: RemovalReason
        var documents = 0
        var lastSite: Int32
        /// Every site, once a second one turns up.
        var sites: Set<Int32>?
        var examples: [Int32] = []
        var first: Int
        var source: (document: Int, span: Range<Int>)
    }
    @exclusivity(unchecked) var entries_: [Entry] = []
    /// Line hash → index in `entries_`.
    @exclusivity(unchecked) var index = FlatHashMap(expected: 1024)

    /// Counts one removed line of document `document`.
    func add(hash: UInt64, document: Int, span: Range<Int>, reason: RemovalReason, site: Int32) {
        guard let at = index.firstIndex(for: hash, else: entries_.count) else {
            entries_.append(Entry(reason: reason, documents: 1, lastSite: site, examples: [Int32(document)],
                                  first: entries_.count, source: (document, span)))
            return
        }
        entries_[at].documents += 1
        if entries_[at].lastSite != site {
            if entries_[at].sites == nil { entries_[at].sites = [entries_[at].lastSite] }
            entries_[at].sites!.insert(site)
            entries_[at].lastSite = site
        }
        if entries_[at].examples.count < 3 { entries_[at].examples.append(Int32(document)) }
    }

    /// The entries (text still empty) and, per document, which entries take their text from which of its spans.
    func entries(ids: [String]) -> ([BoilerplateEntry], [Int: [(entry: Int, span: Range<Int>)]]) {
        let sorted = entries_.sorted { $0.documents != $1.documents ? $0.documents > $1.documents : $0.first < $1.first }
        var sources: [Int: [(entry: Int, span: Range<Int>)]] = [:]
        for (i, e) in sorted.enumerated() { sources[e.source.document, default: []].append((i, e.source.span)) }
        let entries = sorted.map {
            BoilerplateEntry(text: "", reason: $0.reason, documents: $0.documents, sites: $0.sites?.count ?? 1,
                             examples: $0.examples.map { ids[Int($0)] }, exampleDocuments: $0.examples.map(Int.init))
        }
        return (entries, sources)
    }
}
