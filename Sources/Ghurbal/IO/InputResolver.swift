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

/// Settings for reading.
public struct ReaderOptions: Sendable {
    public var format: InputFormat?
    public var idField = "id"
    public var textField = "text"
    public var urlField = "url"
    public var priorityField: String?
    /// Stop at the first bad record instead of skipping it.
    public var strict = false
    /// Longest line (JSONL) or file (text) read, in bytes; longer ones are skipped and counted. Default 256 MiB.
    /// At most 4 GiB − 1: the engine keeps line offsets in 32 bits.
    public var maxDocumentBytes = 256 << 20
    /// For text files: the first folder below the input folder is the document's site (by default a folder of
    /// text files is one site).
    public var sitesFromFolders = false
    /// The input's encoding: records are converted to UTF-8 as they are read (and written to the corpus in UTF-8).
    public var encoding = InputEncoding.utf8
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
    /// The id of a text file's document: its path below its input, under the input's unique name when there are
    /// several inputs.
    public var documentID = ""
}

/// Expands the command line's inputs into files: folders recursively in sorted order (hidden files and files whose
/// name says no format are left out, unless `--format` is given), "-" for standard input.
public enum InputResolver {
    /// One name per input argument, unique ("seeds", "seeds-2"): the folder its files go to below `corpus/`, and the
    /// prefix of their ids, when there are several inputs.
    public static func uniqueNames(_ inputs: [String]) -> [String] {
        var used: [String: Int] = [:]
        return inputs.map { input in
            let name = input == "-" ? "stdin" : (input as NSString).lastPathComponent
            used[name, default: 0] += 1
            return used[name]! == 1 ? name : "\(name)-\(used[name]!)"
        }
    }

    /// `path` made absolute, without "." and ".." and with the symbolic links of its existing part resolved: two
    /// names of one folder give one string.
    public static func canonicalPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// What a folder holds that a run leaves out on purpose (paths below the input folder).
    public enum IgnoredEntry: Sendable {
        case unknownFormat(String)
        case folderLink(String)
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
    }

    /// Whether `inner` is `outer` or lies below it (both canonical paths).
    static func isWithin(_ inner: String, _ outer: String) -> Bool {
        inner == outer || inner.hasPrefix(outer.hasSuffix("/") ? outer : outer + "/")
    }

    /// Files below `excluding` (a canonical folder path: the output, when it lies inside an input folder) are left out,
    /// so that a run does not read the output of the run before it. A folder's entry that is listed but cannot be
    /// opened — a name that is not valid UTF-8 (which Foundation can only give with U+FFFD in place of the bad bytes), a
    /// broken symbolic link — goes to `skip`, in order, when its name says it would be read (or cannot say). What a
    /// folder holds and is left out on purpose goes to `ignore`: a file whose name says no format (without `--format`),
    /// a symbolic link to a folder (not followed: it could lead back up, or to files read already).
    public static func resolve(_ arguments: [String], options: ReaderOptions, excluding: String? = nil,
                               skip: (GhurbalError) throws -> Void = { _ in },
                               ignore: (IgnoredEntry) -> Void = { _ in }) throws -> [InputFile] {
        var result: [InputFile] = []
        let names = uniqueNames(arguments)
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
                // The excluded folder's path below this one, if it is below it.
                let folder = canonicalPath(argument)
                let skipped = excluding.flatMap { isWithin($0, folder) && $0 != folder ? String($0.dropFirst(folder.count).drop { $0 == "/" }) : nil }
                var found: [String] = []
                var unreachable: [String] = []
                while let rel = walker.nextObject() as? String {
                    if let skipped, rel == skipped || rel.hasPrefix(skipped + "/") {
                        if rel == skipped { walker.skipDescendants() }
                        continue
                    }
                    if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                    var sub: ObjCBool = false
                    let full = (argument as NSString).appendingPathComponent(rel)
                    if fm.fileExists(atPath: full, isDirectory: &sub) {
                        if !sub.boolValue {
                            found.append(rel)
                        } else if isSymbolicLink(full) {
                            ignore(.folderLink(rel))
                        }
                    } else if rel.contains("\u{FFFD}") || (options.format ?? InputFormat.detect(rel).format) != nil {
                        unreachable.append(rel)
                    }
                }
                for rel in unreachable.sorted() {
                    let full = (argument as NSString).appendingPathComponent(rel)
                    try skip(.unreadable(full, reason: rel.contains("\u{FFFD}")
                        ? "the name is not valid UTF-8 (shown with U+FFFD in place of its bad bytes); rename it to read it"
                        : "listed in its folder but cannot be opened (a broken symbolic link?)"))
                }
                for rel in found.sorted() {
                    let (detected, gzip) = InputFormat.detect(rel)
                    guard let format = options.format ?? detected else {
                        ignore(.unknownFormat(rel))
                        continue
                    }
                    result.append(InputFile(path: (argument as NSString).appendingPathComponent(rel), format: format,
                                            gzip: gzip, input: index, relativePath: rel,
                                            documentID: (arguments.count > 1 ? names[index] + "/" : "") + rel))
                }
            } else {
                let (detected, gzip) = InputFormat.detect(argument)
                let rel = (argument as NSString).lastPathComponent
                result.append(InputFile(path: argument, format: options.format ?? detected ?? .text, gzip: gzip, input: index,
                                        relativePath: rel, documentID: (arguments.count > 1 ? names[index] + "/" : "") + rel))
            }
        }
        return result
    }
}
