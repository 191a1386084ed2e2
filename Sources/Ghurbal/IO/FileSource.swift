import Foundation

/// Batches handed from the reading thread to the working one, at most `capacity` waiting.
private final class BatchQueue: @unchecked Sendable {
    enum Entry { case batch([RawItem]), end, failure(Error) }
    private let condition = NSCondition()
    private var entries: [Entry] = []
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room; false once the consumer has gone.
    @discardableResult
    func put(_ entry: Entry) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while entries.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        entries.append(entry)
        condition.broadcast()
        return true
    }

    func take() -> Entry {
        condition.lock()
        defer { condition.unlock() }
        while entries.isEmpty { condition.wait() }
        let entry = entries.removeFirst()
        condition.broadcast()
        return entry
    }

    /// The consumer is done: the reader stops at its next batch.
    func cancel() {
        condition.lock()
        cancelled = true
        entries.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}

/// One raw record cut from an input file: the bytes of a text file, of a JSON line or of a WET record's content.
public struct RawItem: Sendable {
    public enum Kind: UInt8, Sendable { case textFile, jsonLine, wetRecord, failure }
    public var kind: Kind
    /// A slice of the block the record was read in (records read together share one array).
    public var bytes: ArraySlice<UInt8>
    /// Index into `FileSource.files`.
    public var file: Int32
    /// 1-based line of the record in its file (0 for a text file).
    public var line: Int32
    /// WET: WARC-Record-ID and WARC-Target-URI.
    public var wetID: String?
    public var wetURL: String?
    /// For `.failure`: why the record is skipped.
    public var error: GhurbalError?
}

/// Documents from files, folders and standard input, read again on every pass. Standard input, a pipe or a device is
/// copied to a temporary file on creation (the only copy made), so that it too can be read more than once.
///
/// Bad records are skipped by policy (see `ReaderOptions.strict`): a malformed JSON line, a line without a string text
/// field, an empty text, a binary file (a NUL byte in its first 64 KiB), a line or file over `maxDocumentBytes`, a
/// malformed WARC record. A corrupt or truncated gzip file ends where the damage is: the records decoded before it are
/// read, and the damage is one more bad record (`corruptGzip`, at the last line read). Invalid UTF-8 is not a reason to
/// skip: it is repaired where text is analysed or written.
public final class FileSource: DocumentSource, @unchecked Sendable {
    public let files: [InputFile]
    public let options: ReaderOptions
    /// Where each file is read from (a temporary copy for standard input, a pipe or a device).
    let readPaths: [String]
    /// Whether each file is read through gzip: by its first two bytes (gzip's magic number), so that a file named
    /// `.gz` that is not compressed (one a download tool has already decompressed, say), a JSONL or WET file that is
    /// compressed without the name saying so, and `cat pages.jsonl.gz | ghurbal clean -` are all read; text files
    /// (`.txt`, and files read as text) not named `.gz` are not opened for this (a folder of them would be opened twice).
    public let gzipped: [Bool]
    /// The files whose content, not their name, decided whether they are gzip (indices into `files`).
    public let readByContent: [Int]
    /// The temporary copies, deleted with the source.
    private let spools: [String]
    /// Sum of the input files' sizes on disk (compressed size for .gz), for progress.
    public let totalBytes: Int
    /// Bytes read from disk on the last pass.
    public private(set) var bytesRead = 0
    /// Each file's size and modification time when the first pass opened it: every later read, and the end of every
    /// read, must find the same, or the passes would not read the same records (`GhurbalError.inputChanged`). Only the
    /// reading thread of a pass uses it, and passes do not overlap.
    private var stamps: [FileStamp?]
    /// The items of the first complete pass: a later pass that reaches one more stops there (`inputChanged`), before
    /// its callers see an item the first pass did not have (the stamps are checked only as a file ends).
    private var itemCount: Int?
    /// A batch ends at this many documents or bytes. The first batches of a pass are smaller (64 documents, then
    /// twice as many each time), so that the workers start while the reader is still filling the next ones. Small
    /// batches keep the reader a few megabytes ahead and a batch's texts and results in the caches: 256 documents
    /// against 2,048 took 30 MB off the peak and 7 % off the CPU time of a 101 MB run.
    public var batchDocuments = 256
    public var batchBytes = 32 << 20

    public init(files: [InputFile], options: ReaderOptions) throws {
        self.files = files
        self.options = options
        // What cannot be read twice — standard input, a pipe such as bash's `<(zcat pages.gz)`, a device — is copied to
        // a temporary file once (one copy per path), and read from there on every pass.
        var spooled: [String: (path: String, gzip: Bool)] = [:]
        var total = 0
        var paths: [String] = []
        var gzipped: [Bool] = []
        var readByContent: [Int] = []
        for (index, f) in files.enumerated() {
            let size = f.path == "-" ? nil : Self.regularFileSize(f.path)
            if size == nil {
                if spooled[f.path] == nil {
                    let path = FileManager.default.temporaryDirectory
                        .appendingPathComponent("ghurbal-input-\(getpid())-\(UUID().uuidString)").path
                    do {
                        spooled[f.path] = (path, try Self.copy(f.path, to: path))
                    } catch {
                        // (No source is made, so no deinit: the copies made so far go here.)
                        for made in [path] + spooled.values.map(\.path) { try? FileManager.default.removeItem(atPath: made) }
                        throw error
                    }
                }
                paths.append(spooled[f.path]!.path)
                gzipped.append(spooled[f.path]!.gzip)
                if f.path != "-" && f.gzip != spooled[f.path]!.gzip { readByContent.append(index) }
                total += fileSize(atPath: spooled[f.path]!.path) ?? 0
            } else {
                paths.append(f.path)
                if f.gzip || f.format != .text {
                    let gzip = Self.startsAsGzip(f.path)
                    gzipped.append(gzip)
                    if gzip != f.gzip { readByContent.append(index) }
                } else {
                    gzipped.append(false)
                }
                total += size!
            }
        }
        readPaths = paths
        self.gzipped = gzipped
        self.readByContent = readByContent
        spools = spooled.values.map(\.path)
        stamps = Array(repeating: nil, count: files.count)
        totalBytes = total
    }

    deinit {
        for spool in spools { try? FileManager.default.removeItem(atPath: spool) }
    }

    /// The size of `path` (followed through links) when it is a regular file, which reads the same bytes every time it
    /// is opened; nil for anything else (a pipe, a device) or when it cannot be found.
    static func regularFileSize(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// gzip's magic number: the first two bytes of every gzip member.
    static let gzipMagic: [UInt8] = [0x1F, 0x8B]

    /// Whether the file at `path` starts with `gzipMagic`; false when it is shorter or cannot be read (opening it to
    /// read it then says why).
    static func startsAsGzip(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: gzipMagic.count)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n == gzipMagic.count && head == gzipMagic
    }

    /// Copies `path` ("-": standard input) to the new file `spool`; returns whether it starts as gzip does.
    private static func copy(_ path: String, to spool: String) throws -> Bool {
        let reader = try ByteReader(path: path, gzip: false)
        guard FileManager.default.createFile(atPath: spool, contents: nil), let out = FileHandle(forWritingAtPath: spool) else {
            throw GhurbalError.cannotWrite(spool, reason: "cannot copy \(path == "-" ? "standard input" : path) to a temporary file")
        }
        var gzip = false
        var first = true
        do {
            while true {
                let chunk = try reader.read(count: 1 << 20)
                if chunk.isEmpty { break }
                if first { gzip = chunk.starts(with: Self.gzipMagic); first = false }
                try out.write(contentsOf: chunk)
            }
            try out.close()
        } catch let error as GhurbalError {
            throw error
        } catch {
            throw GhurbalError.cannotWrite(spool, reason: error.localizedDescription)
        }
        return gzip
    }

    public func size(of item: RawItem) -> Int { item.bytes.count }

    public func location(of item: RawItem) -> InputLocation {
        let (file, line) = Self.unpack(origin: origin(of: item))
        return InputLocation(path: files[file].path, line: line > 0 ? line : nil)
    }

    /// The item's index in `files` (high 32 bits) and line (low 32 bits; 0 for a text file). The reports write it as
    /// "path:line", or a text file's path.
    public func origin(of item: RawItem) -> UInt64 {
        UInt64(UInt32(bitPattern: item.file)) << 32 | UInt64(UInt32(bitPattern: item.kind == .textFile ? 0 : item.line))
    }

    /// An `origin(of:)`'s index in `files` and line (0: none).
    public static func unpack(origin: UInt64) -> (file: Int, line: Int) {
        (Int(origin >> 32), Int(origin & 0xFFFF_FFFF))
    }

    /// Reading runs one batch ahead, on a thread of its own, while `body` works on the batch before.
    public func forEachBatch(_ body: ([RawItem]) throws -> Void) throws {
        let queue = BatchQueue(capacity: 2)
        let finished = DispatchSemaphore(value: 0)
        Thread.detachNewThread { [self] in
            do {
                try readBatches { queue.put(.batch($0)) }
                queue.put(.end)
            } catch {
                queue.put(.failure(error))
            }
            finished.signal()
        }
        defer {
            queue.cancel()
            finished.wait()
        }
        while true {
            switch queue.take() {
            case .batch(let batch): try body(batch)
            case .end: return
            case .failure(let error): throw error
            }
        }
    }

    /// Cuts the input into batches; `deliver` returns false when the reader should stop.
    func readBatches(_ deliver: ([RawItem]) -> Bool) throws {
        var batch: [RawItem] = []
        var batchSize = 0
        var read = 0
        var documentLimit = min(64, batchDocuments)
        var items = 0
        defer { bytesRead = read }
        struct Stopped: Error {}
        func emit(_ item: RawItem) throws {
            items += 1
            if let itemCount, items > itemCount { throw GhurbalError.inputChanged(files[Int(item.file)].path) }
            batchSize += item.bytes.count
            batch.append(item)
            if batch.count >= documentLimit || batchSize >= batchBytes {
                guard deliver(batch) else { throw Stopped() }
                batch = []
                batchSize = 0
                documentLimit = min(2 * documentLimit, batchDocuments)
            }
        }
        do {
            try readFiles(emit, &read)
        } catch is Stopped {
            return
        }
        if itemCount == nil { itemCount = items }
        if !batch.isEmpty { _ = deliver(batch) }
    }

    private func readFiles(_ emit: (RawItem) throws -> Void, _ read: inout Int) throws {
        for (index, file) in files.enumerated() {
            let reader = try ByteReader(path: readPaths[index], gzip: gzipped[index])
            let stamp = try checkStamp(of: reader, index)
            let f = Int32(index)
            let location = InputLocation(path: file.path)
            var line: Int32 = 0
            switch file.format {
            case .text:
                if !gzipped[index], let size = stamp?.size, size > options.maxDocumentBytes {
                    try emit(RawItem(kind: .failure, bytes: [], file: f, line: 0,
                                     error: .notText(location, reason: "\(size) bytes is over the limit of \(options.maxDocumentBytes)")))
                } else {
                    try emit(RawItem(kind: .textFile, bytes: options.encoding.utf8(try reader.readAll()[...]), file: f, line: 0))
                }
            case .jsonl:
                while let (block, lines) = try reader.readLineBlock(maxLength: options.maxDocumentBytes) {
                    for next in lines {
                        line += 1
                        switch next {
                        case .line(var range):
                            // A byte order mark before the first record (Windows editors write one) is not part of it.
                            if line == 1 && range.count >= 3 && block[range.lowerBound] == 0xEF
                                && block[range.lowerBound + 1] == 0xBB && block[range.lowerBound + 2] == 0xBF {
                                range = (range.lowerBound + 3)..<range.upperBound
                            }
                            let bytes = options.encoding.utf8(block[range])
                            if Self.isBlank(bytes) { continue }  // a blank line is not a record
                            try emit(RawItem(kind: .jsonLine, bytes: bytes, file: f, line: line))
                        case .tooLong(let n):
                            try emit(RawItem(kind: .failure, bytes: [], file: f, line: line,
                                             error: .notText(InputLocation(path: file.path, line: Int(line)),
                                                             reason: "line of \(n) bytes is over the limit of \(options.maxDocumentBytes)")))
                        }
                    }
                }
            case .wet:
                line = try readWET(reader, f, file.path, emit)
            }
            if let problem = reader.gzipProblem {
                // A corrupt or truncated gzip stream ends the file: what was decoded before the damage stands (its
                // records were read above, a cut last one reported as such), and the damage is reported after them,
                // at the last line read.
                try emit(RawItem(kind: .failure, bytes: [], file: f, line: line,
                                 error: .corruptGzip(InputLocation(path: file.path, line: line > 0 ? Int(line) : nil), reason: problem)))
            }
            _ = try checkStamp(of: reader, index)
            read += reader.bytesRead
        }
    }

    /// Records file `index`'s stamp the first time, and compares it with the one recorded after that; returns it (its
    /// size is the file's, for the text-file limit).
    private func checkStamp(of reader: ByteReader, _ index: Int) throws -> FileStamp? {
        guard let stamp = FileStamp(reader.fd) else { return nil }
        if let recorded = stamps[index] {
            if recorded != stamp { throw GhurbalError.inputChanged(files[index].path) }
        } else {
            stamps[index] = stamp
        }
        return stamp
    }

    static func countNewlines(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var count = 0
        var at = 0
        while at < bytes.count, let nl = memchr(base + at, 0x0A, bytes.count - at) {
            count += 1
            at = UnsafeRawPointer(nl) - UnsafeRawPointer(base) + 1
        }
        return count
    }

    /// Reads a WET file's records; returns the number of lines read. Records of other types than `conversion` (the
    /// text of a page) and `warcinfo` (a file's description) — a WARC file's HTML `response`s, say — are skipped, and
    /// reported after the file's records as one bad record that counts them by type.
    func readWET(_ reader: ByteReader, _ f: Int32, _ path: String, _ emit: (RawItem) throws -> Void) throws -> Int32 {
        var otherTypes: [String: Int] = [:]
        let lines = try readWETRecords(reader, f, path, emit, &otherTypes)
        if !otherTypes.isEmpty {
            let counts = otherTypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            try emit(RawItem(kind: .failure, bytes: [], file: f, line: lines, error: .notWETText(
                InputLocation(path: path), reason: "\(otherTypes.values.reduce(0, +)) records hold no text (\(counts)): ghurbal reads the text of "
                    + "WET conversion records, as in Common Crawl's .warc.wet files; extract the text of a WARC's HTML first")))
        }
        return lines
    }

    private func readWETRecords(_ reader: ByteReader, _ f: Int32, _ path: String, _ emit: (RawItem) throws -> Void,
                                _ otherTypes: inout [String: Int]) throws -> Int32 {
        var lineNumber: Int32 = 0
        func nextLine() throws -> [UInt8]? {
            guard let line = try reader.readLine(maxLength: 1 << 20) else { return nil }
            lineNumber += 1
            guard case .line(var bytes) = line else { return [] }
            if bytes.last == 0x0D { bytes.removeLast() }
            return bytes
        }
        func failure(_ at: Int32, _ reason: String) -> RawItem {
            RawItem(kind: .failure, bytes: [], file: f, line: at, error: .malformedWARC(InputLocation(path: path, line: Int(at)), reason: reason))
        }
        let versionPrefix = Array("WARC/".utf8)
        while true {
            var found = false
            var strayReported = false
            while let line = try nextLine() {
                if line.starts(with: versionPrefix) { found = true; break }
                if !line.isEmpty && !strayReported {
                    try emit(failure(lineNumber, "text outside a record"))
                    strayReported = true
                }
            }
            guard found else { return lineNumber }
            let recordLine = lineNumber
            // The four headers used, read as bytes (a name in any case, the value without the spaces and tabs around
            // it; the last of a repeated header counts); strings are made only of the id and the URL.
            var header = WETHeaders()
            while let line = try nextLine(), !line.isEmpty { header.read(line) }
            guard let length = header.contentLength else {
                try emit(failure(recordLine, "no valid Content-Length"))
                continue
            }
            let content = try reader.read(count: length)
            lineNumber += Int32(truncatingIfNeeded: content.withUnsafeBufferPointer { Self.countNewlines($0) })
            if content.count < length {
                try emit(failure(recordLine, "record truncated: \(content.count) of \(length) bytes"))
                return lineNumber
            }
            guard header.isConversion else {
                if !header.isWarcinfo { otherTypes[header.otherType ?? "without WARC-Type", default: 0] += 1 }
                continue
            }
            try emit(RawItem(kind: .wetRecord, bytes: options.encoding.utf8(content[...]), file: f, line: recordLine,
                             wetID: header.recordID, wetURL: header.targetURI))
        }
    }

    /// A text file's text: its bytes, or, when they start with a UTF-16 byte order mark (FF FE little-endian, FE FF
    /// big-endian: what Windows calls "Unicode"), their text as UTF-8 without the mark (an unpaired surrogate or an
    /// odd last byte becomes U+FFFD). The analysis and the writer both read a text file through this.
    public static func textFileBytes(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard bytes.count >= 2 else { return bytes }
        let first = bytes[bytes.startIndex], second = bytes[bytes.startIndex + 1]
        let littleEndian: Bool
        switch (first, second) {
        case (0xFF, 0xFE): littleEndian = true
        case (0xFE, 0xFF): littleEndian = false
        default: return bytes
        }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = bytes.startIndex + 2
        while i + 1 < bytes.endIndex {
            let a = UInt16(bytes[i]), b = UInt16(bytes[i + 1])
            units.append(littleEndian ? a | b << 8 : a << 8 | b)
            i += 2
        }
        var text: [UInt8] = []
        text.reserveCapacity(units.count * 2)
        _ = transcode(units.makeIterator(), from: UTF16.self, to: UTF8.self, stoppingOnError: false) { text.append($0) }
        if i < bytes.endIndex { text += [0xEF, 0xBF, 0xBD] }
        return text[...]
    }

    /// Whether `bytes` hold a zero byte (by `memchr`: a byte-by-byte `contains` took 1.4 % of a run over 36,000 text
    /// files).
    static func hasNUL(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { b in b.baseAddress.map { memchr($0, 0, b.count) != nil } ?? false }
    }

    static func isBlank<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
    }

    /// Parses an item (on a worker thread).
    public func document(_ item: RawItem) -> Result<SourceDocument, GhurbalError> {
        let file = files[Int(item.file)]
        switch item.kind {
        case .failure:
            return .failure(item.error!)
        case .textFile:
            let location = InputLocation(path: file.path)
            if item.bytes.count > options.maxDocumentBytes {
                return .failure(.notText(location, reason: "\(item.bytes.count) bytes is over the limit of \(options.maxDocumentBytes)"))
            }
            let text = Self.textFileBytes(item.bytes)
            if Self.hasNUL(text.prefix(65536)) { return .failure(.notText(location, reason: "binary content (NUL bytes)")) }
            if Self.isBlank(text) { return .failure(.emptyInput(location)) }
            var id = file.documentID.isEmpty ? file.relativePath : file.documentID
            if file.gzip { id.removeLast(3) }
            // With sitesFromFolders, "site-a/2024/page.txt" belongs to site "site-a" (a URL-less host).
            let folder = file.relativePath.split(separator: "/").dropLast().first.map(String.init)
            return .success(SourceDocument(id: id, textBytes: text, url: options.sitesFromFolders ? folder : nil))
        case .jsonLine:
            return jsonLineDocument(item, file)
        case .wetRecord:
            if Self.isBlank(item.bytes) { return .failure(.emptyInput(InputLocation(path: file.path, line: Int(item.line)))) }
            return .success(SourceDocument(id: item.wetID ?? "\(file.relativePath):\(item.line)", text: Array(item.bytes), url: item.wetURL))
        }
    }

    /// The document of a JSON line, scanned where the line lies: a text without escapes is a slice of the read block,
    /// not a copy.
    func jsonLineDocument(_ item: RawItem, _ file: InputFile) -> Result<SourceDocument, GhurbalError> {
        scanJSONLine(item, file, keepingLine: false).map(\.document)
    }

    /// The document of a JSON line and the parsed line (for writing it back).
    public func parseJSONLine(_ item: RawItem, _ file: InputFile) -> Result<(document: SourceDocument, json: JSONLine), GhurbalError> {
        scanJSONLine(item, file, keepingLine: true).map { ($0.document, $0.line!) }
    }

    /// Both of the above: the line is scanned in place, and copied into a `JSONLine` only when `keepingLine`.
    private func scanJSONLine(_ item: RawItem, _ file: InputFile, keepingLine: Bool)
        -> Result<(document: SourceDocument, line: JSONLine?), GhurbalError> {
        let line = Int(item.line)
        return item.bytes.withUnsafeBufferPointer { whole -> Result<(document: SourceDocument, line: JSONLine?), GhurbalError> in
            let bytes = whole.last == 0x0D ? UnsafeBufferPointer(rebasing: whole.dropLast()) : whole
            let json: JSONLineView
            do throws(JSONLine.SyntaxError) { json = try JSONLineView(bytes) } catch {
                return .failure(.malformedJSON(InputLocation(path: file.path, line: line), reason: error.reason))
            }
            guard let textField = json.field(options.textField) else {
                return .failure(.missingField(InputLocation(path: file.path, line: line, field: options.textField)))
            }
            let text: ArraySlice<UInt8>
            if let content = json.unescapedString(textField) {
                let origin = item.bytes.startIndex
                text = item.bytes[(origin + content.lowerBound)..<(origin + content.upperBound)]
            } else if let decoded = json.string(textField) {
                text = decoded[...]
            } else {
                return .failure(.missingField(InputLocation(path: file.path, line: line, field: options.textField)))
            }
            if Self.isBlank(text) {
                return .failure(.emptyInput(InputLocation(path: file.path, line: line, field: options.textField)))
            }
            let id = json.idText(options.idField) ?? "\(file.relativePath):\(line)"
            let url = json.field(options.urlField).flatMap(json.text)
            let priority = options.priorityField.flatMap { json.idText($0) }.flatMap(Double.init)
            var document = SourceDocument(id: id, textBytes: text, url: url, priority: priority)
            document.textToken = textField.value
            let kept = keepingLine ? JSONLine(bytes: Array(bytes), fields: json.fields, closingBrace: json.closingBrace) : nil
            return .success((document, kept))
        }
    }
}

/// The headers of a WARC record that reading WET needs, parsed from its header lines as bytes.
struct WETHeaders {
    /// Content-Length, when it is a number of bytes (digits, at most 18 of them).
    var contentLength: Int?
    /// WARC-Type is `conversion` (the extracted text of a page).
    var isConversion = false
    /// WARC-Type is `warcinfo` (the description of the file).
    var isWarcinfo = false
    /// Any other WARC-Type.
    var otherType: String?
    var recordID: String?
    var targetURI: String?

    /// Reads one header line (`Name: value`, without its line break); a line without a colon is ignored.
    mutating func read(_ line: [UInt8]) {
        line.withUnsafeBufferPointer { l in
            guard let colon = l.firstIndex(of: 0x3A) else { return }
            let name = UnsafeBufferPointer(rebasing: l[..<colon])
            var from = colon + 1, to = l.count
            while from < to && (l[from] == 0x20 || l[from] == 0x09) { from += 1 }
            while to > from && (l[to - 1] == 0x20 || l[to - 1] == 0x09) { to -= 1 }
            let value = UnsafeBufferPointer(rebasing: l[from..<to])
            if Self.named(name, "content-length") {
                contentLength = Self.decimal(value)
            } else if Self.named(name, "warc-type") {
                isConversion = value.elementsEqual("conversion".utf8)
                isWarcinfo = value.elementsEqual("warcinfo".utf8)
                otherType = isConversion || isWarcinfo ? nil : String(decoding: value, as: UTF8.self)
            } else if Self.named(name, "warc-record-id") {
                recordID = String(decoding: value, as: UTF8.self)
            } else if Self.named(name, "warc-target-uri") {
                targetURI = String(decoding: value, as: UTF8.self)
            }
        }
    }

    /// `name` is `lowercase` in any case (ASCII).
    static func named(_ name: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard name.count == lowercase.utf8CodeUnitCount else { return false }
        let expected = lowercase.utf8Start
        for i in 0..<name.count {
            let c = name[i]
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != expected[i] { return false }
        }
        return true
    }

    /// A non-negative decimal number (an optional `+`, then 1 to 18 digits), or nil.
    static func decimal(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        var digits = UnsafeBufferPointer(rebasing: text[...])
        if digits.first == 0x2B { digits = UnsafeBufferPointer(rebasing: digits.dropFirst()) }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var n = 0
        for c in digits {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            n = n * 10 + Int(c - 0x30)
        }
        return n
    }
}

/// What tells that a file changed: its size and its modification time (to the nanosecond), from `fstat`.
struct FileStamp: Equatable {
    var size: Int
    var seconds: Int
    var nanoseconds: Int

    init?(_ fd: Int32) {
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        size = Int(status.st_size)
        seconds = Int(status.st_mtim.tv_sec)
        nanoseconds = Int(status.st_mtim.tv_nsec)
    }
}
