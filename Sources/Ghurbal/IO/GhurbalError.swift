/// Where in the input something was found: a file (or "-" for standard input), a line, a field.
public struct InputLocation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var field: String?

    public init(path: String, line: Int? = nil, field: String? = nil) {
        self.path = path
        self.line = line
        self.field = field
    }

    public var description: String {
        var s = path
        if let line { s += ":\(line)" }
        if let field { s += " (field \"\(field)\")" }
        return s
    }
}

/// Everything that can go wrong, each naming the place. `exitCode` follows sysexits.h.
public enum GhurbalError: Error, Sendable, CustomStringConvertible {
    case inputNotFound(String)
    case unreadable(String, reason: String)
    case malformedJSON(InputLocation, reason: String)
    case missingField(InputLocation)
    case notText(InputLocation, reason: String)
    /// A text whose bytes are mostly not UTF-8: `invalid` invalid sequences in `bytes` bytes (see `isMostlyNotUTF8`).
    case notUTF8(InputLocation, invalid: Int, bytes: Int)
    case emptyInput(InputLocation)
    case malformedWARC(InputLocation, reason: String)
    /// A WARC file's records that hold no extracted text (HTML responses, requests, metadata).
    case notWETText(InputLocation, reason: String)
    case corruptGzip(InputLocation, reason: String)
    case outputExists(String)
    /// The output folder is an input or holds one: replacing it would delete the input.
    case outputHoldsInput(output: String, input: String)
    case cannotWrite(String, reason: String)
    /// An input file's size or modification time changed between two reads of one run (a file still being written).
    case inputChanged(String)

    public var description: String {
        switch self {
        case .inputNotFound(let p): return "\(p): no such file or folder"
        case .unreadable(let p, let r): return "\(p): cannot read: \(r)"
        case .malformedJSON(let l, let r): return "\(l): malformed JSON: \(r)"
        case .missingField(let l): return "\(l): the field is missing or is not a string"
        case .notText(let l, let r): return "\(l): not text: \(r)"
        case .notUTF8(let l, let invalid, let bytes):
            return "\(l): not UTF-8: \(invalid) invalid sequences in \(bytes) bytes (a legacy encoding such as windows-1256 "
                + "or ISO-8859-6?); read it with --encoding windows-1256 (or iso-8859-6)"
        case .emptyInput(let l): return "\(l): empty document"
        case .malformedWARC(let l, let r): return "\(l): malformed WARC record: \(r)"
        case .notWETText(let l, let r): return "\(l): \(r)"
        case .corruptGzip(let l, let r): return "\(l): corrupt gzip data: \(r)"
        case .outputExists(let p): return "\(p) exists and is not empty; choose another folder or pass --force to replace it"
        case .outputHoldsInput(let o, let i):
            return "\(o): the output folder is the input \(i) or holds it; choose an output folder outside the inputs"
        case .cannotWrite(let p, let r): return "\(p): cannot write: \(r)"
        case .inputChanged(let p):
            return "\(p): changed while the run was reading it (ghurbal reads its input more than once, and every read "
                + "must find the same bytes); run it on a copy, or once whatever writes the file has finished"
        }
    }

    /// A short name for counting skipped records by kind in `summary.json`.
    public var kind: String {
        switch self {
        case .malformedJSON: return "malformed_json"
        case .missingField: return "missing_text"
        case .notText(_, let reason): return reason.hasPrefix("binary") ? "binary" : "too_large"
        case .notUTF8: return "not_utf8"
        case .emptyInput: return "empty"
        case .malformedWARC: return "malformed_warc"
        case .notWETText: return "not_wet_text"
        case .corruptGzip: return "corrupt_gzip"
        case .unreadable: return "unreadable"
        default: return "other"
        }
    }

    /// 64 usage (an output folder that holds an input; the other usage errors come from the command line's argument
    /// parsing), 65 bad input data (with --strict), 66 input missing, 73 cannot create output, 74 I/O error.
    public var exitCode: Int32 {
        switch self {
        case .malformedJSON, .missingField, .notText, .notUTF8, .emptyInput, .malformedWARC, .notWETText, .corruptGzip: return 65
        case .outputHoldsInput: return 64
        case .inputNotFound: return 66
        case .outputExists: return 73
        case .unreadable, .cannotWrite, .inputChanged: return 74
        }
    }

    /// Whether a text with `invalid` invalid UTF-8 sequences in `bytes` bytes is in another encoding rather than UTF-8
    /// with a few bad bytes: at least 4 invalid sequences, and one per 20 bytes or more. (Arabic in windows-1256 or
    /// ISO-8859-6 has one per letter: its letters are bytes that UTF-8 only allows as the start of a sequence, and they
    /// follow one another. UTF-8 text with stray bytes has a handful in thousands.) Such a text is skipped, not
    /// written back as U+FFFD.
    public static func isMostlyNotUTF8(invalid: Int, bytes: Int) -> Bool {
        invalid >= 4 && invalid * 20 >= bytes
    }
}
