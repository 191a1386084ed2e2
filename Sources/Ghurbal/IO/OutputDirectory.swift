internal import CGhurbalKernels
internal import CZlib
import Foundation

/// An output folder written atomically: everything goes into a hidden temporary folder beside it, which is renamed
/// into place by `commit()` once every file is complete. A run that fails or is interrupted leaves no output folder
/// that looks complete (at most the hidden temporary one, which the next run with the same output removes).
public final class OutputDirectory {
    public let path: String
    public let temporaryPath: String
    let force: Bool
    var committed = false
    /// Folders below the output made so far (a folder of text files makes the same sub-folder for every file).
    var folders: Set<String> = []
    /// Files made so far; the first `filesSyncedOnClose` are `fsync`ed as they are closed, the rest (a folder of text
    /// files) all at once by `syncFiles` at the commit.
    var files = 0
    static let filesSyncedOnClose = 64

    /// Fails when `path` exists and is not an empty folder, unless `force` (then it is replaced on commit).
    public init(path: String, force: Bool) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let standardized = (path as NSString).standardizingPath
        self.path = standardized
        self.force = force
        if fm.fileExists(atPath: standardized, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? fm.contentsOfDirectory(atPath: standardized))?.isEmpty ?? false)
            if !empty && !force { throw GhurbalError.outputExists(standardized) }
        }
        let parent = (standardized as NSString).deletingLastPathComponent
        let name = (standardized as NSString).lastPathComponent
        temporaryPath = ((parent.isEmpty ? "." : parent) as NSString).appendingPathComponent(".\(name).ghurbal-partial")
        try? fm.removeItem(atPath: temporaryPath)
        do {
            try fm.createDirectory(atPath: temporaryPath, withIntermediateDirectories: true)
        } catch {
            throw GhurbalError.cannotWrite(temporaryPath, reason: error.localizedDescription)
        }
    }

    deinit {
        if !committed { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    /// The compression level of its gzip files (libdeflate's, 0–12; 6 by default).
    public var gzipLevel = GzipMemberWriter.defaultLevel

    /// A file inside the output (sub-folders are created), gzip-compressed at `gzipLevel` when `gzip`. It is on disk
    /// once it is closed, or, past the first `filesSyncedOnClose` files, once the output is committed.
    public func file(_ relativePath: String, gzip: Bool = false) throws -> OutputFile {
        let full = (temporaryPath as NSString).appendingPathComponent(relativePath)
        try makeFolder(atPath: (full as NSString).deletingLastPathComponent)
        files += 1
        return try OutputFile(path: full, gzip: gzip, level: gzipLevel, syncOnClose: files <= Self.filesSyncedOnClose)
    }

    /// A folder inside the output (with its parents), also when nothing is written in it.
    public func folder(_ relativePath: String) throws {
        try makeFolder(atPath: (temporaryPath as NSString).appendingPathComponent(relativePath))
    }

    private func makeFolder(atPath folder: String) throws {
        guard !folders.contains(folder) else { return }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw GhurbalError.cannotWrite(folder, reason: error.localizedDescription)
        }
        folders.insert(folder)
    }

    /// Moves the finished output into place.
    public func commit() throws {
        try commitInBackground()?.wait()
    }

    /// Moves the finished output into place, like `commit()`, but deletes the output it replaced (if any) on a thread
    /// of its own: the returned removal, which must be waited for before the process ends.
    public func commitInBackground() throws -> BackgroundRemoval? {
        try syncFiles()
        let fm = FileManager.default
        var old: String?
        if fm.fileExists(atPath: path) {
            let aside = temporaryPath + "-old"
            try? fm.removeItem(atPath: aside)
            do { try fm.moveItem(atPath: path, toPath: aside) } catch {
                throw GhurbalError.cannotWrite(path, reason: error.localizedDescription)
            }
            old = aside
        }
        do { try fm.moveItem(atPath: temporaryPath, toPath: path) } catch {
            if let old { try? fm.moveItem(atPath: old, toPath: path) }
            throw GhurbalError.cannotWrite(path, reason: error.localizedDescription)
        }
        committed = true
        return old.map(BackgroundRemoval.init(path:))
    }

    /// Puts every file of the output on disk before it is moved into place. The first files were `fsync`ed when closed;
    /// the rest of a folder of text files are synced here with one sync of the filesystem, where an `fsync` each would
    /// flush the disk's cache once per file (thousands of times). (Only then: a sync of the filesystem also waits for
    /// whatever else is being written to it.)
    func syncFiles() throws {
        guard files > Self.filesSyncedOnClose else { return }
        let fd = open(temporaryPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0, ghurbal_sync_filesystem(fd) == 0 else {
            let reason = String(cString: strerror(errno))
            if fd >= 0 { close(fd) }
            throw GhurbalError.cannotWrite(temporaryPath, reason: reason)
        }
        close(fd)
    }
}

/// Deletes a file or folder on a thread of its own (deleting a large file takes the kernel a while: its pages are
/// dropped from the cache); `wait()` returns once it is gone, or could not be deleted.
public final class BackgroundRemoval: Sendable {
    private let done = DispatchSemaphore(value: 0)

    init(path: String) {
        let done = self.done
        Thread.detachNewThread {
            try? FileManager.default.removeItem(atPath: path)
            done.signal()
        }
    }

    public func wait() { done.wait() }
}

/// A buffered output file, optionally gzip-compressed.
public final class OutputFile {
    let path: String
    /// For a stand-alone file: the name it gets once complete (it is written under a temporary name until then).
    var finalPath: String?
    let handle: FileHandle
    var pending: [UInt8] = []
    /// For a gzip file: its pieces of 1 MB or so, compressed on other threads.
    let gzip: GzipMemberWriter?
    /// Members handed to `gzip` so far.
    var members = 0
    public private(set) var bytesWritten = 0
    /// Bytes the kernel was asked to write back (`startWriteback`).
    var writebackStarted = 0
    /// `close()` waits for the file to be on disk (`fsync`); an `OutputDirectory`'s files past its first 64 are synced
    /// by its commit instead.
    let syncOnClose: Bool
    var closed = false

    init(path: String, gzip: Bool, level: Int32 = GzipMemberWriter.defaultLevel, syncOnClose: Bool) throws {
        self.path = path
        self.syncOnClose = syncOnClose
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw GhurbalError.cannotWrite(path, reason: String(cString: strerror(errno))) }
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        self.gzip = gzip ? GzipMemberWriter(level: level, maxInFlight: ProcessInfo.processInfo.activeProcessorCount + 1) : nil
    }

    deinit {
        if !closed { try? handle.close() }
        discard()
    }

    public func write(_ bytes: some Sequence<UInt8>) throws {
        pending.append(contentsOf: bytes)
        if pending.count >= 1 << 20 { try flush(final: false) }
    }

    public func write(_ text: String) throws { try write(text.utf8) }

    func flush(final: Bool) throws {
        do {
            if let gzip {
                // (An empty file still gets one member, of nothing: a gzip file of no bytes is not valid gzip.)
                if !pending.isEmpty || (final && members == 0) {
                    gzip.submit(pending, inline: final && members == 0)
                    members += 1
                }
                for member in gzip.finished(all: final) {
                    guard let member else { throw GhurbalError.cannotWrite(path, reason: "zlib could not compress") }
                    try handle.write(contentsOf: member)
                    bytesWritten += member.count
                }
            } else {
                try handle.write(contentsOf: pending)
                bytesWritten += pending.count
            }
            // (Not for the last bytes: a small file's would be one write to disk of its own; the sync on closing or at
            // the commit writes them with the rest.)
            if !final { startWriteback() }
        } catch let error as GhurbalError {
            throw error
        } catch {
            throw GhurbalError.cannotWrite(path, reason: error.localizedDescription)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// A stand-alone file written under a temporary name beside `path` and renamed to `path` by `close()`, so that
    /// an interrupted run leaves no file that looks complete.
    public static func atomic(path: String, gzip: Bool) throws -> OutputFile {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(".\(name).ghurbal-partial")
        let file = try OutputFile(path: temporary, gzip: gzip, syncOnClose: true)
        file.finalPath = path
        return file
    }

    /// Asks the kernel to start writing what was written so far to disk (on Linux), so that the `fsync` of `close()` (or
    /// the output folder's sync at its commit) has little left to wait for: writing a large corpus and then waiting for
    /// all of it was 3 % of a run.
    func startWriteback() {
        guard bytesWritten > writebackStarted else { return }
        // (A hint: if it fails, `close()`'s fsync does all the work and reports any error.)
        _ = ghurbal_start_writeback(handle.fileDescriptor, Int64(writebackStarted), Int64(bytesWritten - writebackStarted))
        writebackStarted = bytesWritten
    }

    /// Flushes and closes; the file is complete only after this (and on disk, for a stand-alone file).
    public func close() throws {
        try flush(final: true)
        do {
            if syncOnClose { try handle.synchronize() }
            closed = true
            try handle.close()
        } catch {
            throw GhurbalError.cannotWrite(path, reason: error.localizedDescription)
        }
        if let finalPath {
            if rename(path, finalPath) != 0 { throw GhurbalError.cannotWrite(finalPath, reason: String(cString: strerror(errno))) }
            self.finalPath = nil
        }
    }

    /// Gives up a stand-alone file: the temporary file is removed.
    public func discard() {
        if finalPath != nil { try? FileManager.default.removeItem(atPath: path); finalPath = nil }
    }
}
