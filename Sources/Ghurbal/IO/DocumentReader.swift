import Foundation

/// The formats Ghurbal reads.
public enum InputFormat: String, Sendable, CaseIterable {
    /// One document per file.
    case text
    /// One JSON object per line.
    case jsonl
    /// Common Crawl WET: WARC `conversion` records.
    case wet

    /// The format and compression a file name implies (`.gz` is stripped first); nil when the name says nothing.
    public static func detect(_ path: String) -> (format: InputFormat?, gzip: Bool) {
        var name = path.lowercased()
        let gzip = name.hasSuffix(".gz")
        if gzip { name.removeLast(3) }
        if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") || name.hasSuffix(".json") { return (.jsonl, gzip) }
        if name.hasSuffix(".wet") || name.hasSuffix(".warc") { return (.wet, gzip) }
        if name.hasSuffix(".txt") || name.hasSuffix(".text") { return (.text, gzip) }
        return (nil, gzip)
    }
}

/// Where a document came from, so the writer can put it back in the same form.
public enum DocumentOrigin: Sendable {
    /// A text file: `input` is the index of the input argument, `relativePath` the path below it.
    case textFile(input: Int, relativePath: String, gzip: Bool)
    /// A JSON line of input file `file`; all fields are kept as they were.
    case jsonLine(file: Int, line: JSONLine)
    /// A WET record of input file `file`.
    case wetRecord(file: Int)
}

public struct InputRecord: Sendable {
    public var document: SourceDocument
    public var origin: DocumentOrigin
    public var location: InputLocation
}

/// Settings for reading.
public struct ReaderOptions: Sendable {
    public var format: InputFormat?
    public var idField = "id"
    public var textField = "text"
    public var urlField = "url"
    public var priorityField: String?
    /// Stop at the first bad record instead of skipping it.
    public var strict = false
    /// Longest line (JSONL) or file (text) read, in bytes.
    public var maxDocumentBytes = 256 << 20
    public init() {}
}

/// One input file, as resolved from the arguments.
public struct InputFile: Sendable {
    public var path: String
    public var format: InputFormat
    public var gzip: Bool
    /// Index of the argument it came from, and its path below that argument (for folders).
    public var input: Int
    public var relativePath: String
}

/// Reads documents from files, folders (recursively, in sorted order) and standard input, skipping and counting
/// bad records (or stopping with `strict`). Policy:
/// - a malformed JSON line, a line without a string text field, an empty text, a binary file (a NUL byte in its first
///   64 KiB), a line or file over `maxDocumentBytes`, a malformed WARC record: skipped with a warning naming file and
///   line, counted per kind; with `strict` the first one stops the run (exit 65);
/// - invalid UTF-8 is not an error: it is kept in the record and repaired (U+FFFD) where text is written.
public struct DocumentReader {
    public let options: ReaderOptions
    public private(set) var skipped: [String: Int] = [:]
    public private(set) var files: [InputFile] = []
    public private(set) var bytesRead = 0
    let warn: (GhurbalError) -> Void

    public init(options: ReaderOptions, warn: @escaping (GhurbalError) -> Void) {
        self.options = options
        self.warn = warn
    }

    /// Expands arguments into files.
    public mutating func resolve(_ arguments: [String]) throws -> [InputFile] {
        var result: [InputFile] = []
        let fm = FileManager.default
        for (index, argument) in arguments.enumerated() {
            if argument == "-" {
                result.append(InputFile(path: "-", format: options.format ?? .jsonl, gzip: false, input: index, relativePath: "stdin"))
                continue
            }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else { throw GhurbalError.inputNotFound(argument) }
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(atPath: argument) else { throw GhurbalError.unreadable(argument, reason: "cannot list the folder") }
                var found: [String] = []
                while let rel = walker.nextObject() as? String {
                    var sub: ObjCBool = false
                    let full = (argument as NSString).appendingPathComponent(rel)
                    if fm.fileExists(atPath: full, isDirectory: &sub), !sub.boolValue, !rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                        found.append(rel)
                    }
                }
                for rel in found.sorted() {
                    let (detected, gzip) = InputFormat.detect(rel)
                    // In a folder, only files whose name says what they are (or any file when a format is forced).
                    guard let format = options.format ?? detected else { continue }
                    result.append(InputFile(path: (argument as NSString).appendingPathComponent(rel), format: format,
                                            gzip: gzip, input: index, relativePath: rel))
                }
            } else {
                let (detected, gzip) = InputFormat.detect(argument)
                result.append(InputFile(path: argument, format: options.format ?? detected ?? .text, gzip: gzip, input: index,
                                        relativePath: (argument as NSString).lastPathComponent))
            }
        }
        files = result
        return result
    }

    mutating func skip(_ error: GhurbalError, kind: String) throws {
        if options.strict { throw error }
        skipped[kind, default: 0] += 1
        warn(error)
    }

    /// Reads every document of every file, in order.
    public mutating func read(_ body: (InputRecord) throws -> Void) throws {
        for (fileIndex, file) in files.enumerated() {
            let reader = try ByteReader(path: file.path, gzip: file.gzip)
            switch file.format {
            case .text: try readText(file, reader, body)
            case .jsonl: try readJSONL(file, fileIndex, reader, body)
            case .wet: try readWET(file, fileIndex, reader, body)
            }
            bytesRead += reader.bytesRead
        }
    }

    mutating func readText(_ file: InputFile, _ reader: ByteReader, _ body: (InputRecord) throws -> Void) throws {
        let location = InputLocation(path: file.path)
        let bytes = try reader.readAll()
        if bytes.count > options.maxDocumentBytes {
            return try skip(.notText(location, reason: "\(bytes.count) bytes is over the limit of \(options.maxDocumentBytes)"), kind: "too_large")
        }
        if bytes.prefix(65536).contains(0) { return try skip(.notText(location, reason: "binary content (NUL bytes)"), kind: "binary") }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return try skip(.emptyInput(location), kind: "empty") }
        var id = file.relativePath
        if file.gzip { id.removeLast(3) }
        try body(InputRecord(document: SourceDocument(id: id, text: bytes),
                             origin: .textFile(input: file.input, relativePath: file.relativePath, gzip: file.gzip),
                             location: location))
    }

    mutating func readJSONL(_ file: InputFile, _ fileIndex: Int, _ reader: ByteReader, _ body: (InputRecord) throws -> Void) throws {
        var lineNumber = 0
        while let line = try reader.readLine(maxLength: options.maxDocumentBytes) {
            lineNumber += 1
            let location = InputLocation(path: file.path, line: lineNumber)
            guard case .line(var bytes) = line else {
                if case .tooLong(let n) = line { try skip(.notText(location, reason: "line of \(n) bytes is over the limit of \(options.maxDocumentBytes)"), kind: "too_large") }
                continue
            }
            if bytes.last == 0x0D { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }  // blank lines are not records
            let json: JSONLine
            do { json = try JSONLine(bytes) } catch {
                try skip(.malformedJSON(location, reason: error.reason), kind: "malformed_json")
                continue
            }
            guard let text = json.string(options.textField) else {
                try skip(.missingField(InputLocation(path: file.path, line: lineNumber, field: options.textField)), kind: "missing_text")
                continue
            }
            if text.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                try skip(.emptyInput(InputLocation(path: file.path, line: lineNumber, field: options.textField)), kind: "empty")
                continue
            }
            let id = json.idText(options.idField) ?? "\(file.relativePath):\(lineNumber)"
            let url = json.string(options.urlField).map { String(decoding: $0, as: UTF8.self) }
            let priority = options.priorityField.flatMap { json.idText($0) }.flatMap(Double.init)
            try body(InputRecord(document: SourceDocument(id: id, text: text, url: url, priority: priority),
                                 origin: .jsonLine(file: fileIndex, line: json), location: location))
        }
    }

    mutating func readWET(_ file: InputFile, _ fileIndex: Int, _ reader: ByteReader, _ body: (InputRecord) throws -> Void) throws {
        var lineNumber = 0
        func nextLine() throws -> [UInt8]? {
            guard let line = try reader.readLine(maxLength: 1 << 20) else { return nil }
            lineNumber += 1
            guard case .line(var bytes) = line else { return [] }
            if bytes.last == 0x0D { bytes.removeLast() }
            return bytes
        }
        while true {
            // Skip to the next "WARC/" version line.
            var version: [UInt8]?
            while let line = try nextLine() {
                if line.starts(with: Array("WARC/".utf8)) { version = line; break }
                if !line.isEmpty {
                    try skip(.malformedWARC(InputLocation(path: file.path, line: lineNumber), reason: "text outside a record"), kind: "malformed_warc")
                }
            }
            guard version != nil else { return }
            let recordLine = lineNumber
            var headers: [String: String] = [:]
            while let line = try nextLine(), !line.isEmpty {
                let text = String(decoding: line, as: UTF8.self)
                if let colon = text.firstIndex(of: ":") {
                    headers[text[..<colon].lowercased()] = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
            }
            let location = InputLocation(path: file.path, line: recordLine)
            guard let lengthText = headers["content-length"], let length = Int(lengthText), length >= 0 else {
                try skip(.malformedWARC(location, reason: "no valid Content-Length"), kind: "malformed_warc")
                continue
            }
            let content = try reader.read(count: length)
            lineNumber += content.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            if content.count < length {
                try skip(.malformedWARC(location, reason: "record truncated: \(content.count) of \(length) bytes"), kind: "malformed_warc")
                return
            }
            guard headers["warc-type"] == "conversion" else { continue }
            if content.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                try skip(.emptyInput(location), kind: "empty")
                continue
            }
            let id = headers["warc-record-id"] ?? "\(file.relativePath):\(recordLine)"
            try body(InputRecord(document: SourceDocument(id: id, text: content, url: headers["warc-target-uri"]),
                                 origin: .wetRecord(file: fileIndex), location: location))
        }
    }
}
